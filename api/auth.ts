/** Bearer API keys: every route but health goes through here. Keys are looked up by their SHA-256 digest. */
import type { RequestHandler } from 'express';
import type pg from 'pg';
import { findActiveApiKey, type ApiKeyRow } from '../store/api-keys';
import { HttpError } from './errors';

declare module 'express-serve-static-core' {
  interface Request {
    apiKey?: ApiKeyRow;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Returns middleware that admits only requests carrying an active API key. */
export function requireApiKey(pool: pg.Pool): RequestHandler {
  return async (req, _res, next) => {
    const match = BEARER.exec(req.get('authorization') ?? '');
    if (!match?.[1]) {
      throw new HttpError(401, 'unauthorized', 'missing API key: send Authorization: Bearer <key>');
    }
    const key = await findActiveApiKey(pool, match[1]);
    if (!key) throw new HttpError(401, 'unauthorized', 'invalid or revoked API key');
    req.apiKey = key;
    next();
  };
}

/** Returns the actor recorded in the audit trail for an API request. */
export function actorOf(apiKey: ApiKeyRow | undefined, claimed?: string): string {
  const key = apiKey ? `key:${apiKey.name}` : 'anonymous';
  return claimed ? `${claimed} (${key})` : key;
}
