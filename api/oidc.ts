/**
 * /auth/oidc: signing in through an OpenID Connect provider (authorization code flow with PKCE), and
 * /auth/providers, which tells the console's sign-in page whether to offer it. Between the redirect to
 * the provider and its answer, the state, nonce and PKCE verifier wait in Postgres
 * (store/oidc-sign-ins.ts), found by a random value in a short-lived cookie: nothing the browser holds
 * or the provider echoes is trusted on its own.
 */
import { timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import * as oidc from 'openid-client';
import { roleFromClaim, safeReturnTo, claimValues } from '../domain/sign-in-rules';
import { createPendingSignIn, takePendingSignIn } from '../store/oidc-sign-ins';
import { newToken } from '../store/sessions';
import { authThrottled, type AuthThrottle } from './auth-throttle';
import { HttpError, parseInput } from './errors';
import { userForAnswer } from './oidc-accounts';
import { OidcClient, ProviderAnswerRefused, ProviderUnavailable, type OidcSettings } from './oidc-client';
import { escapeHtml, para, sendPage } from './reply-pages';
import { mount } from './route';
import { oidcRoutes as routes } from './schemas/oidc';
import { cookieHeader, startSession, type SessionStartDeps } from './session-start';

export interface OidcDeps extends SessionStartDeps {
  throttle: AuthThrottle;
  /** Unset: single sign-on is off, and its routes answer 404. */
  oidc?: OidcSettings;
}

/** The cookie naming the sign-in under way, sent only to /auth/oidc. */
const SIGN_IN_COOKIE = 'klaxon_oidc';
const SIGN_IN_PATH = '/auth/oidc';
/** Long enough to type a password and a second factor at the provider; short, since it is a bearer of sorts. */
const SIGN_IN_TTL_MS = 10 * 60_000;

const off = () =>
  new HttpError(
    404,
    'oidc_off',
    'single sign-on is not configured here (OIDC_ISSUER): sign in with a password',
  );
const badState = (why: string) =>
  new HttpError(400, 'oidc_state', `${why}: start again from the sign-in page`);

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Returns the HttpError for what went wrong talking to the provider; anything else is passed on. */
function providerError(err: unknown): unknown {
  if (err instanceof ProviderUnavailable)
    return new HttpError(
      502,
      'provider_unavailable',
      `the sign-in provider could not be reached in time: ${err.message}`,
    );
  if (err instanceof ProviderAnswerRefused)
    return new HttpError(
      401,
      'oidc_failed',
      `the sign-in provider's answer did not check out: ${err.message}`,
    );
  return err;
}

/** Returns the router for /auth/providers and /auth/oidc. */
export function oidcRouter(deps: OidcDeps): Router {
  const { pool, log, throttle, secureCookies, oidc: settings } = deps;
  const client = settings && new OidcClient(settings);
  const router = Router();
  const signInCookie = (req: Request, value: string, maxAgeSeconds: number) =>
    cookieHeader(req, secureCookies, { name: SIGN_IN_COOKIE, value, maxAgeSeconds, path: SIGN_IN_PATH });

  /**
   * Wraps a handler so that its refusals are logged, and answered as a short page to a browser (people
   * land here by navigation, not from the console's script) or as JSON to anything else.
   */
  const forPeople =
    (handler: (req: Request, res: Response) => Promise<void>): RequestHandler =>
    async (req, res) => {
      try {
        await handler(req, res);
      } catch (thrown) {
        const err = providerError(thrown);
        if (!(err instanceof HttpError)) throw err;
        log.warn({ code: err.code, reason: err.message, path: req.path }, 'single sign-on refused');
        if (req.accepts(['json', 'html']) !== 'html') throw err;
        sendPage(
          res.set(err.headers),
          err.status,
          'Sign-in failed',
          `${para(err.message)}\n<p><a href="/console">${escapeHtml('Back to the console')}</a></p>`,
        );
      }
    };

  mount(router, routes.providers, (_req, res) => {
    res.json({
      password: true,
      oidc: settings ? { name: settings.displayName, login_url: '/auth/oidc/login' } : null,
    });
  });

  mount(
    router,
    routes.login,
    forPeople(async (req, res) => {
      const query = parseInput(routes.login.request.query, req.query, 'query');
      if (!client) throw off();
      const pending = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
        returnTo: safeReturnTo(query.return_to),
      };
      // Asked first: with the provider down, nothing is stored and the person learns it at once.
      const url = await client.authorizationUrl(pending);
      const key = newToken();
      await createPendingSignIn(pool, key, { ...pending, ttlMs: SIGN_IN_TTL_MS });
      res
        .setHeader('Set-Cookie', signInCookie(req, key, SIGN_IN_TTL_MS / 1000))
        .setHeader('Cache-Control', 'no-store')
        .status(302)
        .location(url.href)
        .end();
    }),
  );

  mount(
    router,
    routes.callback,
    forPeople(async (req, res) => {
      const query = parseInput(routes.callback.request.query, req.query, 'query');
      if (!client || !settings) throw off();
      // Whatever comes of it, this browser's sign-in is over: the cookie goes.
      res.setHeader('Set-Cookie', signInCookie(req, '', 0));
      const key = parseCookies(req.get('cookie') ?? '')[SIGN_IN_COOKIE];
      if (!key) throw badState('no sign-in through the provider is under way in this browser');
      // A miss is a guess of a cookie value, counted like a bad key; a hit is used up by taking it.
      const verdict = await throttle.verify(req, false, () => takePendingSignIn(pool, key));
      if (verdict.retryAfter !== undefined) throw authThrottled(verdict.retryAfter);
      const pending = verdict.found;
      if (!pending)
        throw badState('this sign-in is unknown, was finished already, or expired (it lasts 10 minutes)');
      if (query.error !== undefined) {
        const detail = query.error_description ? `${query.error}: ${query.error_description}` : query.error;
        throw new HttpError(401, 'oidc_refused', `the sign-in provider refused: ${detail.slice(0, 500)}`);
      }
      if (query.state === undefined || !sameText(query.state, pending.state))
        throw badState("the provider's answer is not for the sign-in under way in this browser");
      // The URL the provider sent the browser to: the registered redirect URI with the answer's query.
      const at = req.originalUrl.indexOf('?');
      const search = at < 0 ? '' : req.originalUrl.slice(at);
      const answer = await client.answer(new URL(`${settings.redirectUri}${search}`), pending);
      const claim = settings.roleClaim === undefined ? undefined : answer.claims[settings.roleClaim];
      const role = roleFromClaim(settings.roleMap, claim);
      if (role === undefined) {
        const values = claimValues(claim);
        throw new HttpError(
          403,
          'oidc_no_role',
          `the provider vouches for you, but ${values.length ? `none of your ${settings.roleClaim} (${values.join(', ').slice(0, 300)})` : `you have no ${settings.roleClaim} claim that`} maps to a Klaxon role: ask an admin to add you to a group in OIDC_ROLE_MAP`,
        );
      }
      const user = await userForAnswer(pool, answer, role);
      await startSession(deps, req, res, user, 'oidc');
      res.status(302).location(pending.returnTo).end();
    }),
  );

  return router;
}
