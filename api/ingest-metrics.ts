/**
 * klaxon_ingest_events_total: every request to an integration endpoint, counted when answered, by the
 * integration type its path names and what became of it. One place maps the answer to a result, so each
 * refusal a handler can give (and any it gains later) is counted without the handler saying so.
 */
import type { RequestHandler, Response } from 'express';
import { ingestEvents } from '../runtime/metrics';
import { accessOf } from './access';

/** What an ingest answer means: accepted (202), throttled (429), unauthorized (a key no integration has), invalid, unavailable. */
export function ingestResult(status: number): string {
  if (status >= 200 && status < 300) return 'accepted';
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403 || status === 404) return 'unauthorized';
  if (status >= 500) return 'unavailable';
  return 'invalid';
}

/** Lets a handler say how many events an accepted request carried (an Alertmanager batch: several). */
export function countEvents(res: Response, events: number): void {
  res.locals.ingestEvents = events;
}

/** Returns the middleware that counts each ingest request once its answer is sent; other routes pass. */
export function ingestMetrics(): RequestHandler {
  return (req, res, next) => {
    const entry = accessOf(req);
    if (entry?.access !== 'routing-key') return next();
    // The path says the type (PagerDuty's Events API, or /integrations/<type>/:key) before any key is known.
    const type = entry.path === '/v2/enqueue' ? 'pagerduty' : (entry.path.split('/')[2] ?? 'unknown');
    res.once('finish', () => {
      const result = ingestResult(res.statusCode);
      const events = result === 'accepted' && typeof res.locals.ingestEvents === 'number' ? res.locals.ingestEvents : 1;
      ingestEvents.inc({ integration_type: type, result }, events);
    });
    next();
  };
}
