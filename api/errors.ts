/**
 * Every error the API answers with, and the one middleware that turns thrown errors into JSON. Anything
 * unexpected is logged and answered 500 without internals.
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from '../runtime/logger';
import { isStoreUnreachable } from '../store/unreachable';
import { accessOf } from './access';
import { engineDidNotAnswer } from './engine-deadline';
import { z } from './zod';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers that go with the error, e.g. WWW-Authenticate on a 401. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The body of every error errorHandler answers with: a code, a message, and what the code adds. */
export const ErrorBody = z
  .strictObject({
    error: z
      .object({
        code: z.string().openapi({ example: 'invalid_request' }),
        message: z.string().openapi({ example: 'body.severity: Invalid option: expected one of "critical"|"high"|"medium"|"low"|"info"' }),
        /** invalid_request and invalid_event: each offending field. */
        errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
      })
      // Some codes add context: update_refused {action, state}, transition_refused {from, to, action}.
      .catchall(z.unknown()),
  })
  .openapi('Error', { description: 'An error: `code` is stable, `message` is for people.' });

/** Seconds a client is told to wait when Postgres cannot be reached (a restart takes a few). */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * Returns the 503 for a request that needed Postgres while it could not be reached, or undefined for
 * any other error. Nothing was written, so the client's retry (same Idempotency-Key or dedup key) is safe.
 */
export function storeUnavailable(err: unknown): HttpError | undefined {
  if (!isStoreUnreachable(err)) return undefined;
  return new HttpError(
    503,
    'unavailable',
    'the database cannot be reached and this request needs it; retry later',
    {},
    { 'Retry-After': String(STORE_RETRY_AFTER_SECONDS) },
  );
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);

/** Returns the value parsed by schema, or throws a 400 naming each offending field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((i) => ({ field: [where, ...i.path].join('.'), message: i.message }));
  const first = errors[0]!;
  throw new HttpError(400, 'invalid_request', `${first.field}: ${first.message}`, { errors });
}

/**
 * Returns a path fit to echo in an error body or a log: segments of 16 characters or more are elided,
 * since a mistyped ingest URL carries its routing key (and nobody mistypes a route name that long).
 */
export function safePath(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment.length >= 16 ? '…' : segment))
    .join('/');
}

/** Returns the 404 for a request that no route matches. */
export const unknownRouteError = (req: Request) => new HttpError(404, 'not_found', `no route for ${req.method} ${safePath(req.path)}`);

/** Answers 404 in JSON for any route that does not exist. */
export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(unknownRouteError(req));
};

// The route's pattern, not the path: an ingest path carries its routing key.
const routeOf = (req: Request) => accessOf(req)?.route ?? safePath(req.path);

/**
 * Returns the error middleware: HttpErrors as they are, body-parser failures as 400/413, Postgres
 * unreachable as 503, the rest as 500.
 * Nothing from the request is echoed beyond what an HttpError chose to say: a parser's message quotes the
 * body (which may hold a routing key) and Express's decoding error quotes the path (which may too).
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let httpError: HttpError;
    const unavailable = storeUnavailable(err);
    if (err instanceof HttpError) {
      httpError = err;
    } else if (err?.type === 'entity.parse.failed') {
      const at = /position (\d+)/.exec(String(err.message))?.[1];
      httpError = new HttpError(400, 'invalid_json', `request body is not valid JSON${at ? ` (at character ${at})` : ''}`);
    } else if (err?.type === 'entity.too.large') {
      httpError = new HttpError(413, 'payload_too_large', `request body exceeds the ${err.limit}-byte limit`);
    } else if (err instanceof URIError) {
      httpError = new HttpError(400, 'bad_request', 'the path is not valid percent-encoding');
    } else if (unavailable) {
      log.warn({ err, method: req.method, route: routeOf(req) }, 'postgres unreachable: answered 503');
      httpError = unavailable;
    } else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
      httpError = new HttpError(err.status, 'bad_request', STATUS_CODES[err.status] ?? 'bad request');
    } else if (engineDidNotAnswer(err)) {
      log.warn({ err, method: req.method, route: routeOf(req) }, 'temporal did not answer: answered 503');
      httpError = new HttpError(503, 'engine_busy', 'Temporal did not answer in time; repeat the request shortly', {}, { 'Retry-After': '5' });
    } else {
      log.error({ err, method: req.method, route: routeOf(req) }, 'unhandled error');
      httpError = new HttpError(500, 'internal', 'internal error');
    }
    if (res.headersSent) return;
    res
      .status(httpError.status)
      .set(httpError.headers)
      .json({ error: { code: httpError.code, message: httpError.message, ...httpError.extra } });
  };
}
