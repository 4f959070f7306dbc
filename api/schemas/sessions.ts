/** /auth: signing in to the web console, request and response schemas and route definitions. */
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse, instant, nameField } from './common';

/** What a login may be: the name a person types to sign in, usually their email address. */
export const loginField = () =>
  z
    .string()
    .trim()
    .min(1)
    .max(254)
    .regex(/^[^\s]+$/, 'one word without spaces, e.g. an email address')
    .openapi({
      description: 'What the user signs in with, usually their email address; unique whatever its case',
      example: 'ada@example.com',
    });

/**
 * A new password: long rather than complicated (NIST SP 800-63B: at least 8, we ask 12; no composition
 * rules). The upper bound keeps a hash request from being a denial of service.
 */
export const newPassword = () =>
  z.string().min(12, 'at least 12 characters').max(256).openapi({ description: 'At least 12 characters' });

export const role = z.enum(['viewer', 'responder', 'admin']);

export const SESSION_HEADER_NOTE =
  "Signed in with the session cookie, a request that changes anything must carry the session's `csrf_token` in `X-CSRF-Token`.";

export const Session = z
  .strictObject({
    kind: z.enum(['session', 'api-key']).openapi({ description: 'How this request was authenticated' }),
    user: z
      .strictObject({ id: z.uuid(), name: z.string(), login: z.string().nullable(), role })
      .nullable()
      .openapi({ description: 'The signed-in person; null for an API key' }),
    role: role.openapi({ description: 'What this request may do' }),
    name: z.string().openapi({ description: "The user's or the key's name" }),
    csrf_token: z
      .string()
      .nullable()
      .openapi({
        description: 'Send it in X-CSRF-Token with every state-changing request; null for an API key',
      }),
    expires_at: instant
      .nullable()
      .openapi({ description: 'When the session ends at the latest (idle sessions end sooner)' }),
    idle_timeout_seconds: z.number().int().nullable(),
  })
  .openapi('Session');

export const loginBody = z
  .strictObject({ login: z.string().min(1).max(254), password: z.string().min(1).max(256) })
  .openapi('SignIn', { example: { login: 'ada@example.com', password: 'correct horse battery staple' } });

export const setupBody = z
  .strictObject({
    token: z
      .string()
      .min(1)
      .max(200)
      .openapi({ description: 'The token of the set-up link printed on first start' }),
    name: nameField(),
    login: loginField(),
    password: newPassword(),
  })
  .openapi('FirstAdmin');

export const changePasswordBody = z
  .strictObject({ current_password: z.string().min(1).max(256), new_password: newPassword() })
  .openapi('ChangePassword');

const tags = ['auth'] as const;
const SESSION_COOKIE_HEADER = {
  'Set-Cookie': 'klaxon_session: HttpOnly, SameSite=Lax, Path=/ (Secure over https)',
};

export const sessionRoutes = {
  login: defineRoute({
    method: 'post',
    path: '/auth/login',
    operationId: 'signIn',
    summary: 'Sign in with a login and password',
    description:
      'Sets the session cookie and answers the session, with the CSRF token state-changing requests must echo. Failed attempts count against the client address (429 past AUTH_FAILURES_PER_MINUTE).',
    tags,
    request: { body: loginBody },
    responses: {
      200: { description: 'Signed in', body: Session, headers: SESSION_COOKIE_HEADER },
      401: errorResponse('Unknown login or wrong password (`unauthorized`; which of the two is not said)'),
      429: {
        ...errorResponse('Too many failed sign-ins from this address (`auth_throttled`)'),
        headers: { 'Retry-After': 'Seconds' },
      },
    },
  }),
  setup: defineRoute({
    method: 'post',
    path: '/auth/setup',
    operationId: 'setUpFirstAdmin',
    summary: 'Create the first admin with the one-time link printed on first start, and sign in',
    tags,
    request: { body: setupBody },
    responses: {
      201: {
        description: 'The admin exists and is signed in',
        body: Session,
        headers: SESSION_COOKIE_HEADER,
      },
      401: errorResponse('The set-up token is unknown, used or expired (`unauthorized`)'),
      409: errorResponse('Another user already has this login (`duplicate`)'),
      429: {
        ...errorResponse('Too many failed attempts from this address (`auth_throttled`)'),
        headers: { 'Retry-After': 'Seconds' },
      },
    },
  }),
  session: defineRoute({
    method: 'get',
    path: '/auth/session',
    operationId: 'getSession',
    summary: 'Who this request is signed in as, and the CSRF token',
    tags,
    responses: { 200: { description: 'The session (or the API key)', body: Session } },
  }),
  logout: defineRoute({
    method: 'post',
    path: '/auth/logout',
    operationId: 'signOut',
    summary: 'Sign out: end this session and clear its cookie',
    description: SESSION_HEADER_NOTE,
    tags,
    responses: {
      204: { description: 'Signed out', headers: SESSION_COOKIE_HEADER },
      400: errorResponse('The request carries an API key, not a session (`not_a_session`)'),
    },
  }),
  changePassword: defineRoute({
    method: 'put',
    path: '/auth/password',
    operationId: 'changeOwnPassword',
    summary: 'Change my password; my other sessions end',
    description: SESSION_HEADER_NOTE,
    tags,
    request: { body: changePasswordBody },
    responses: {
      204: { description: 'Changed' },
      400: errorResponse('The request carries an API key, not a session (`not_a_session`)'),
      403: errorResponse('The current password is wrong (`wrong_password`)'),
    },
  }),
};
