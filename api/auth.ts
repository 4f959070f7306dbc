/**
 * Bearer API keys and roles. Keys are looked up by their SHA-256 digest; what each route needs comes from
 * the table in access.ts, looked up by method and path:
 *   requireApiKey   401 unless the request carries an active key (routes of other kinds pass through);
 *                   429 once its address has failed too often (auth-throttle.ts)
 *   (rate limit)    per key, see rate-limit.ts
 *   requireRole     404 for a request no route matches, 403 when the key's role is below the route's
 */
import type { RequestHandler } from 'express';
import type pg from 'pg';
import { findActiveApiKey, roleAtLeast, touchApiKey, type ApiKeyRole, type ApiKeyRow } from '../store/api-keys';
import { isStoreUnreachable } from '../store/unreachable';
import { accessOf, isRole, type AccessEntry } from './access';
import { authThrottled, type AuthThrottle } from './auth-throttle';
import { HttpError, unknownRouteError } from './errors';

declare module 'express-serve-static-core' {
  interface Request {
    apiKey?: ApiKeyRow;
    /** The access-table entry this request matched, set by requireApiKey. */
    access?: AccessEntry;
  }
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
}

/**
 * Returns middleware that admits only requests carrying an active API key, except to routes the access
 * table says are public or authenticated otherwise (routing key, signature): those authenticate
 * themselves, and pass through. A missing or unknown key counts as a failed authentication of its address.
 */
export function requireApiKey({ pool, findKey = (key) => findActiveApiKey(pool, key), knownKey = () => false, throttle }: RequireApiKeyDeps): RequestHandler {
  return async (req, _res, next) => {
    const entry = accessOf(req);
    if (entry && !isRole(entry.access)) return next();
    const match = BEARER.exec(req.get('authorization') ?? '');
    if (!match?.[1]) {
      const retryAfter = await throttle.failed(req);
      if (retryAfter !== undefined) throw authThrottled(retryAfter);
      throw unauthorized('missing API key: send Authorization: Bearer <key>');
    }
    const presented = match[1];
    const verdict = await throttle.verify(req, knownKey(presented), () => findKey(presented));
    if (verdict.retryAfter !== undefined) throw authThrottled(verdict.retryAfter);
    const key = verdict.found;
    if (!key) throw unauthorized('invalid or revoked API key');
    req.apiKey = key;
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
  const key = req.apiKey;
  if (!key) throw unauthorized('missing API key: send Authorization: Bearer <key>');
  if (!roleAtLeast(key.role, entry.access)) {
    throw new HttpError(403, 'forbidden', `this route needs the ${entry.access} role; this key is ${article(key.role)} ${key.role}`, {
      required_role: entry.access,
      key_role: key.role,
    });
  }
  next();
};

/** Returns the actor recorded in the audit trail for an API request. */
export function actorOf(apiKey: ApiKeyRow | undefined, claimed?: string): string {
  const key = apiKey ? `key:${apiKey.name}` : 'anonymous';
  return claimed ? `${claimed} (${key})` : key;
}
