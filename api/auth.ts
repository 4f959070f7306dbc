/**
 * Who is calling, and may they: a bearer API key (machines) or a console session cookie (people), with
 * the same three roles. Keys are looked up by their SHA-256 digest, sessions too (store/sessions.ts);
 * what each route needs comes from the table in access.ts, looked up by method and path:
 *   requireApiKey   401 unless the request carries an active key or a live session (routes of other
 *                   kinds pass through); 429 once its address has failed too often (auth-throttle.ts);
 *                   403 for a session's state-changing request without its CSRF token
 *   (rate limit)    per key or per session's user, see rate-limit.ts
 *   requireRole     404 for a request no route matches, 403 when the caller's role is below the route's
 */
import { timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { RequestHandler } from 'express';
import type pg from 'pg';
import { findActiveApiKey, roleAtLeast, touchApiKey, type ApiKeyRole, type ApiKeyRow } from '../store/api-keys';
import { touchSession, type SessionRecord } from '../store/sessions';
import { isStoreUnreachable } from '../store/unreachable';
import { accessOf, isRole, type AccessEntry } from './access';
import { authThrottled, type AuthThrottle } from './auth-throttle';
import { KnownSecrets } from './known-secrets';
import { HttpError, unknownRouteError } from './errors';

/** Who a request acts as, whichever credential it carried. */
export interface Principal {
  kind: 'api-key' | 'session';
  /** The key's id, or the signed-in user's. */
  id: string;
  name: string;
  role: ApiKeyRole;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    apiKey?: ApiKeyRow;
    /** The session the cookie carried, with its token (to sign out), when that is how it authenticated. */
    session?: SessionRecord & { token: string };
    /** The access-table entry this request matched, set by requireApiKey. */
    access?: AccessEntry;
  }
}

/** The session cookie's name. */
export const SESSION_COOKIE = 'klaxon_session';
/** The header a session's state-changing request carries its CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
// Reading never changes anything (the access table has no state-changing GET), so only these need it.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Returns the session token the request's cookie carries, or undefined. */
export function sessionTokenOf(req: { get(name: string): string | undefined }): string | undefined {
  const header = req.get('cookie');
  return header ? parseCookies(header)[SESSION_COOKIE] || undefined : undefined;
}

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

const unauthorized = (message: string) =>
  new HttpError(401, 'unauthorized', message, {}, { 'WWW-Authenticate': 'Bearer realm="klaxon"' });

export interface RequireApiKeyDeps {
  pool: pg.Pool;
  /** Finds the active key (the app's cache answers while Postgres is down: api/plan-cache.ts). */
  findKey?: (key: string) => Promise<ApiKeyRow | undefined>;
  /** True for a key that was active when last checked: it is not held back by its address's failures. */
  knownKey?: (key: string) => boolean;
  throttle: AuthThrottle;
  /** SESSION_IDLE_HOURS in ms: a session without a request for this long is over. */
  sessionIdleMs: number;
}

/**
 * Returns middleware that admits only requests carrying an active API key or a live session cookie,
 * except to routes the access table says are public or authenticated otherwise (routing key, signature,
 * sign-in): those authenticate themselves, and pass through. A missing or unknown credential counts as a
 * failed authentication of its address. An Authorization header wins over a cookie: a script's key is
 * never mistaken for the browser's session.
 */
export function requireApiKey({ pool, findKey = (key) => findActiveApiKey(pool, key), knownKey = () => false, throttle, sessionIdleMs }: RequireApiKeyDeps): RequestHandler {
  const knownSessions = new KnownSecrets();
  return async (req, _res, next) => {
    const entry = accessOf(req);
    if (entry && !isRole(entry.access)) return next();
    const match = BEARER.exec(req.get('authorization') ?? '');
    const token = req.get('authorization') === undefined ? sessionTokenOf(req) : undefined;
    if (token) {
      const verdict = await throttle.verify(req, knownSessions.has(token), () => touchSession(pool, token, sessionIdleMs));
      if (verdict.retryAfter !== undefined) throw authThrottled(verdict.retryAfter);
      const session = verdict.found;
      knownSessions.note(token, session !== undefined);
      if (!session) throw unauthorized('the session has ended (signed out, expired or idle): sign in again');
      // The cookie goes along with any request a page on another site makes the browser send; only the
      // console's own script can read the token and echo it.
      if (!SAFE_METHODS.has(req.method) && !sameSecret(req.get(CSRF_HEADER) ?? '', session.csrf_token)) {
        throw new HttpError(403, 'csrf', `a request signed in with the session cookie must carry the session's CSRF token in ${CSRF_HEADER}`);
      }
      req.session = { ...session, token };
      req.principal = { kind: 'session', id: session.user_id, name: session.name, role: session.role };
      return next();
    }
    if (!match?.[1]) {
      const retryAfter = await throttle.failed(req);
      if (retryAfter !== undefined) throw authThrottled(retryAfter);
      throw unauthorized('missing API key: send Authorization: Bearer <key>, or sign in');
    }
    const presented = match[1];
    const verdict = await throttle.verify(req, knownKey(presented), () => findKey(presented));
    if (verdict.retryAfter !== undefined) throw authThrottled(verdict.retryAfter);
    const key = verdict.found;
    if (!key) throw unauthorized('invalid or revoked API key');
    req.apiKey = key;
    req.principal = { kind: 'api-key', id: key.id, name: key.name, role: key.role };
    // With Postgres unreachable the key came from the cache; losing its last_used_at must not refuse it.
    await touchApiKey(pool, key).catch((err: unknown) => {
      if (!isStoreUnreachable(err)) throw err;
    });
    next();
  };
}

const article = (role: ApiKeyRole) => (role === 'admin' ? 'an' : 'a');

/** Answers 404 for a request that matches no route in the access table, 403 when its key's role is too low. */
export const requireRole: RequestHandler = (req, _res, next) => {
  const entry = accessOf(req);
  if (!entry) throw unknownRouteError(req);
  if (!isRole(entry.access)) return next();
  const who = req.principal;
  if (!who) throw unauthorized('missing API key: send Authorization: Bearer <key>, or sign in');
  if (!roleAtLeast(who.role, entry.access)) {
    const holder = who.kind === 'api-key' ? 'this key is' : 'you are';
    throw new HttpError(403, 'forbidden', `this route needs the ${entry.access} role; ${holder} ${article(who.role)} ${who.role}`, {
      required_role: entry.access,
      key_role: who.role,
    });
  }
  next();
};

/**
 * Returns the actor recorded in the audit trail for an API request. A key's caller may say who they act
 * for (`claimed`, e.g. a chat bot naming the person); a signed-in person is who they are.
 */
export function actorOf(who: Principal | undefined, claimed?: string): string {
  if (who?.kind === 'session') return `user:${who.name}`;
  const key = who ? `key:${who.name}` : 'anonymous';
  return claimed ? `${claimed} (${key})` : key;
}
