/**
 * What every HTTP request leaves behind: one structured log line (pino-http) and one sample of
 * klaxon_http_request_duration_seconds. Both name the route by its template from the access table
 * (`POST /alerts/:id/acknowledge`), never by its path: ingest paths carry routing keys and email links
 * carry signed tokens, and a path per alert would make the metric's label set unbounded. Neither logs a
 * header, a body or a query string, so no credential can reach a log line however it was sent.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../runtime/logger';
import { httpRequestDuration } from '../runtime/metrics';
import { accessOf } from './access';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Requests machines make every few seconds: logged at debug, so they do not drown the rest. */
const PROBES = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics']);
/** A caller's own request id is kept if it looks like one (so it can be followed across services). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type Routed = Pick<Request, 'method' | 'path' | 'access'>;

/** Returns the request's route from the access table ("GET /alerts/:id"), or "<METHOD> unmatched". */
export function routeOf(req: Routed): string {
  return accessOf(req)?.route ?? `${methodLabel(req.method)} unmatched`;
}

/** Returns the request's path template ("/alerts/:id") for the metric's route label, or "unmatched". */
export function routeTemplateOf(req: Routed): string {
  return accessOf(req)?.path ?? 'unmatched';
}

function methodLabel(method: string | undefined): string {
  return method && METHODS.has(method) ? method : 'other';
}

/** Returns the request id: the caller's X-Request-Id when it is a plain token, else a new UUID. */
function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Returns the middleware that times every request into klaxon_http_request_duration_seconds. */
export function httpMetrics(): RequestHandler {
  return (req, res, next) => {
    const end = httpRequestDuration.startTimer();
    res.once('finish', () => end({ method: methodLabel(req.method), route: routeTemplateOf(req), status: String(res.statusCode) }));
    next();
  };
}

/**
 * Returns the middleware that writes one line per request when its response is finished: request id,
 * method, route template, status, duration in ms, and who called (the API key's name or the
 * integration's, never the key).
 */
export function requestLog(log: Logger): RequestHandler {
  const line = (raw: IncomingMessage, res: ServerResponse, responseTime: number) => {
    const req = raw as Request;
    return {
      method: req.method,
      route: routeOf(req),
      status: res.statusCode,
      durationMs: responseTime,
      ...(req.apiKey ? { keyName: req.apiKey.name } : {}),
      ...(req.session ? { userName: req.session.name } : {}),
      ...(req.integration ? { integration: req.integration.name } : {}),
    };
  };
  return pinoHttp({
    logger: log,
    genReqId: requestIdOf,
    // Only the request id is bound to req.log; the line itself is built by line(), not the serializers.
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'reqId' },
    customLogLevel: (raw, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      return PROBES.has(routeOf(raw as Request)) ? 'debug' : 'info';
    },
    customSuccessObject: (req, res, val: { responseTime: number }) => line(req, res, val.responseTime),
    customErrorObject: (req, res, _err, val: { responseTime: number }) => line(req, res, val.responseTime),
    customSuccessMessage: (req, res, responseTime) => `${routeOf(req as Request)} ${res.statusCode} ${responseTime} ms`,
    customErrorMessage: (req, res) => `${routeOf(req as Request)} ${res.statusCode}`,
  });
}
