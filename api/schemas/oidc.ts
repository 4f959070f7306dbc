/** /auth: signing in through an OpenID Connect provider, and which ways of signing in there are. */
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse } from './common';

export const Providers = z
  .strictObject({
    password: z.literal(true).openapi({ description: 'Signing in with a login and password always works' }),
    oidc: z
      .strictObject({
        name: z.string().openapi({ description: "The sign-in button's label (OIDC_DISPLAY_NAME)" }),
        login_url: z.string().openapi({
          description: 'Where the button goes; add ?return_to=/console/… to come back there',
          example: '/auth/oidc/login',
        }),
      })
      .nullable()
      .openapi({
        description: 'Single sign-on through an OpenID Connect provider; null when not configured',
      }),
  })
  .openapi('SignInProviders');

export const oidcLoginQuery = z.object({
  return_to: z.string().max(4000).optional().openapi({
    description:
      'A path under /console to land on once signed in (default /console); anything else is ignored',
    example: '/console/alerts',
  }),
});

// The provider's answer: validated by openid-client (and the callback), not here, so that a provider
// adding parameters of its own is no 400.
export const oidcCallbackQuery = z
  .object({
    code: z.string().optional(),
    state: z.string().optional(),
    error: z.string().optional(),
    error_description: z.string().optional(),
  })
  .catchall(z.string());

const tags = ['auth'] as const;
const HTML_NOTE = 'A browser (Accept: text/html) gets each error as a short page instead of JSON.';
const SIGN_IN_COOKIE = 'klaxon_oidc: HttpOnly, SameSite=Lax, Path=/auth/oidc, 10 minutes (Secure over https)';

export const oidcRoutes = {
  providers: defineRoute({
    method: 'get',
    path: '/auth/providers',
    operationId: 'listSignInProviders',
    summary: 'How people can sign in: password, and single sign-on when configured',
    tags,
    responses: {
      200: { description: 'The ways of signing in', body: Providers },
    },
  }),
  login: defineRoute({
    method: 'get',
    path: '/auth/oidc/login',
    operationId: 'startSingleSignOn',
    summary: 'Start signing in through the OpenID Connect provider: redirects to its sign-in page',
    description: `The state, nonce and PKCE verifier stay on the server, found again by the sign-in cookie. ${HTML_NOTE}`,
    tags,
    request: { query: oidcLoginQuery },
    responses: {
      302: {
        description: "To the provider's authorization endpoint",
        headers: { Location: "The provider's authorization URL", 'Set-Cookie': SIGN_IN_COOKIE },
      },
      404: errorResponse('Single sign-on is not configured (`oidc_off`)'),
      502: errorResponse(
        'The provider could not be reached in time, or is not an OpenID Connect provider (`provider_unavailable`)',
      ),
    },
  }),
  callback: defineRoute({
    method: 'get',
    path: '/auth/oidc/callback',
    operationId: 'finishSingleSignOn',
    summary:
      'Where the provider sends people back: checks its answer, signs them in, redirects to the console',
    description:
      "The user is found by the provider's subject, else by a verified email equal to their login (and linked), else created; " +
      `their role is set from OIDC_ROLE_CLAIM at each sign-in. ${HTML_NOTE}`,
    tags,
    request: { query: oidcCallbackQuery },
    responses: {
      302: {
        description: 'Signed in: to return_to (default /console)',
        headers: {
          Location: 'A path under /console',
          'Set-Cookie':
            'klaxon_session: HttpOnly, SameSite=Lax, Path=/ (Secure over https); and klaxon_oidc cleared',
        },
      },
      400: errorResponse(
        'No sign-in under way in this browser, or it was used or expired, or the answer is not for it (`oidc_state`)',
      ),
      401: errorResponse(
        'The provider refused the sign-in (`oidc_refused`), or its answer did not check out (`oidc_failed`)',
      ),
      403: errorResponse("The person's claim maps to no role in OIDC_ROLE_MAP (`oidc_no_role`)"),
      404: errorResponse('Single sign-on is not configured (`oidc_off`)'),
      409: errorResponse(
        'The same identity signed in twice at once for the first time (`duplicate`); sign in again',
      ),
      429: {
        ...errorResponse('Too many failed attempts from this address (`auth_throttled`)'),
        headers: { 'Retry-After': 'Seconds' },
      },
      502: errorResponse('The provider could not be reached in time (`provider_unavailable`)'),
    },
  }),
};
