/**
 * Request rate limits: per API key on the API (after authentication, so the key's id is known) and per
 * routing key on the ingest endpoints (ingest.ts). Counters live in this process's memory, one window
 * per minute; several API processes behind a balancer each allow the limit.
 */
import { rateLimit, type Options } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import type { Logger } from '../runtime/logger';

/** Options both limiters share: a one-minute window, Retry-After and RateLimit headers, errors to our log. */
export function limiterOptions(ratePerMinute: number, log: Logger): Partial<Options> {
  return {
    windowMs: 60_000,
    limit: ratePerMinute,
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
export function apiRateLimit(ratePerMinute: number, log: Logger): RequestHandler {
  return rateLimit({
    ...limiterOptions(ratePerMinute, log),
    // The key's id, never the key itself: the limiter's store must not hold secrets.
    keyGenerator: (req) => `key:${req.apiKey!.id}`,
    // Public, routing-key and signature routes have no API key and their own limits.
    skip: (req) => !req.apiKey,
    // The key decides, not the client address, so X-Forwarded-For is no concern here.
    validate: { xForwardedForHeader: false },
    handler: (_req, res, _next, options) => {
      res.status(options.statusCode).json({
        error: { code: 'rate_limited', message: `more than ${ratePerMinute} requests a minute with this API key; retry after the Retry-After seconds` },
      });
    },
  });
}
