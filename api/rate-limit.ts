/**
 * Request rate limits: per API key on the API (after authentication, so the key's id is known) and per
 * integration on the ingest endpoints (ingest.ts, after its routing key is verified). Failed
 * authentications are limited per client address apart from these (auth-throttle.ts). Counters live in
 * Postgres (rate-limit-store.ts), one window a minute per key, so the limit is the same however many API
 * processes share the database; while Postgres cannot be reached each process counts on its own.
 */
import { rateLimit, type Options } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import type { Logger } from '../runtime/logger';
import type { Queryable } from '../store/db';
import { SharedRateLimitStore } from './rate-limit-store';

export const RATE_WINDOW_MS = 60_000;

/**
 * Options every limiter shares: a one-minute window counted in Postgres under `prefix`, Retry-After and
 * RateLimit headers, errors to our log.
 */
export function limiterOptions(db: Queryable, prefix: string, ratePerMinute: number, log: Logger): Partial<Options> {
  return {
    windowMs: RATE_WINDOW_MS,
    limit: ratePerMinute,
    store: new SharedRateLimitStore({ db, prefix, log }),
    // No limiter counts by client address (the failure throttle does, on its own), so the checks of the
    // trust proxy setting have nothing to protect here.
    validate: { xForwardedForHeader: false, trustProxy: false },
    // RateLimit and RateLimit-Policy headers; Retry-After is sent with every 429.
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Through pino, so that its redaction applies to whatever the library reports.
    logger: {
      error: (err, message) => log.error({ err }, message ?? 'rate limiter error'),
      warn: (err, message) => log.warn({ err }, message ?? 'rate limiter warning'),
    },
  };
}

/** Returns middleware limiting each API key to ratePerMinute requests; requests without a key pass. */
export function apiRateLimit(db: Queryable, ratePerMinute: number, log: Logger): RequestHandler {
  return rateLimit({
    ...limiterOptions(db, 'api:', ratePerMinute, log),
    // The key's id (never the key itself: the limiter's store must not hold secrets), or the signed-in
    // user's, so that one person's tabs share a budget.
    keyGenerator: (req) => (req.principal!.kind === 'api-key' ? `key:${req.principal!.id}` : `user:${req.principal!.id}`),
    // Public, routing-key, signature and sign-in routes have no caller yet and their own limits.
    skip: (req) => !req.principal,
    handler: (req, res, _next, options) => {
      const holder = req.principal?.kind === 'session' ? 'user' : 'API key';
      res.status(options.statusCode).json({
        error: { code: 'rate_limited', message: `more than ${ratePerMinute} requests a minute with this ${holder}; retry after the Retry-After seconds` },
      });
    },
  });
}
