/**
 * Where monitoring systems send events, authenticated by an integration's routing key rather than an
 * API key: a PagerDuty Events API v2 compatible endpoint (so any PagerDuty client, Alertmanager's
 * pagerduty_configs included, works unchanged), an Alertmanager webhook receiver, a generic JSON webhook
 * with a per-integration field mapping, and anomaly events. Each answers only after the events are
 * durable in Temporal. With Postgres down, routing keys and plans come from what the API's cache last
 * read (api/plan-cache.ts); what it never read is answered 503 with Retry-After.
 *
 * Each request's routing key is verified before anything counts against a limit: a key no integration
 * has is a failed authentication of the client's address (auth-throttle.ts), and only a verified one
 * counts against its integration's rate, so random keys can neither fill a real integration's bucket
 * nor each get a fresh one.
 */
import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { parseAlertmanagerPayload } from '../domain/ingest/alertmanager';
import { parseAnomalyEvent, type SeverityBand } from '../domain/ingest/anomaly';
import { applyMapping, type FieldMapping } from '../domain/ingest/generic';
import { collapseRepeats, deliveryLanes } from '../domain/ingest/delivery-order';
import { isRoutingKey, parsePagerDutyEvent } from '../domain/ingest/pagerduty';
import type { IngestEvent, ParseResult } from '../domain/ingest/types';
import { TEXT_PROBLEM_MESSAGE } from '../domain/storable-text';
import type { Logger } from '../runtime/logger';
import type { Queryable } from '../store/db';
import type { IntegrationRow } from '../store/integrations';
import { countEvents, ingestMetrics } from './ingest-metrics';
import { AUTH_THROTTLED_MESSAGE, type AuthThrottle } from './auth-throttle';
import { HttpError, parseInput, storeUnavailable } from './errors';
import { refuseUnstorableInput, UnstorableInputError } from './input-guard';
import type { IngestCounts } from './ingest-counts';
import { runLanes } from './lanes';
import { limiterOptions } from './rate-limit';
import { mount } from './route';
import { ingestRoutes as routes, type IngestKind } from './schemas/ingest';
import { signalAlertAction, triggerAlert, type TriggerDeps } from './trigger';

/** The body limit of every routing-key route (PagerDuty's own), heartbeat pings included. */
export const PD_BODY_LIMIT = '512kb';
// Deliveries in flight per request: enough to hide each one's round trip to Temporal, few enough that
// one payload cannot open thousands of calls at once.
const DELIVERIES_IN_FLIGHT = 16;

export interface IngestDeps extends TriggerDeps {
  ratePerMinute: number;
  log: Logger;
  counts: IngestCounts;
  /** Returns the enabled integration with this routing key (constant-time comparison), or undefined. */
  findIntegration(key: string): Promise<IntegrationRow | undefined>;
  /** True for a routing key that was good when last read: it is not held back by its address's failures. */
  knownRoutingKey?: (key: string) => boolean;
  throttle: AuthThrottle;
  /** Where the per-integration rate is counted (shared by every API process). */
  db: Queryable;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The integration whose routing key the request carries, once verified. */
    integration?: IntegrationRow;
  }
}

const pdInvalid = (errors: string[]) => ({ status: 'invalid event', message: 'Event object is invalid', errors });
const pdUnavailable = { status: 'unavailable', message: 'The event could not be accepted now; retry later.' };
const pdThrottled = { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' };

/** Returns the event's group: Alertmanager's own group key, else the integration's group-by labels. */
function groupOf(integration: IntegrationRow, e: IngestEvent): { key: string; windowMs: number } | undefined {
  const windowMs = integration.group_window_minutes * 60_000;
  if (e.groupKey) return { key: e.groupKey, windowMs };
  if (integration.group_by.length === 0) return undefined;
  return { key: integration.group_by.map((label) => `${label}=${e.labels[label] ?? ''}`).join(','), windowMs };
}

/** What delivering one event did: the dedup key it went to, and why nobody is paged for a new alert that matched no policy. */
interface Delivered {
  dedupKey: string | undefined;
  pagesNobody?: string;
}

/**
 * Sends one event to its alert (a trigger standing for `occurrences` repeats of itself); returns the
 * dedup key it went to (generated for a keyless trigger).
 */
async function deliver(deps: IngestDeps, integration: IntegrationRow, e: IngestEvent, occurrences = 1): Promise<Delivered> {
  if (e.action === 'trigger') {
    const { dedupKey, pagesNobody } = await triggerAlert(deps, {
      summary: e.summary,
      severity: e.severity,
      service: integration.service,
      source: e.source,
      dedupKey: e.dedupKey,
      labels: e.labels,
      details: e.details,
      links: e.links,
      group: groupOf(integration, e),
      integrationId: integration.id,
      integrationType: integration.type,
      occurrences,
    });
    return { dedupKey, pagesNobody };
  }
  if (!e.dedupKey) return { dedupKey: undefined };
  // Unknown or closed keys are accepted and dropped, as PagerDuty does.
  await signalAlertAction(deps.workflows, integration.service, e.dedupKey, e.action, `integration:${integration.name}`);
  return { dedupKey: e.dedupKey };
}

/**
 * Delivers every event, returning their dedup keys in the events' order; throws if any delivery failed,
 * so the request fails and the sender retries (repeats of what did get through are deduplicated).
 */
async function deliverAll(deps: IngestDeps, integration: IntegrationRow, events: IngestEvent[]): Promise<Delivered[]> {
  await deps.counts.add(integration.id, events.length, events.filter((e) => e.action === 'trigger').length);
  // Concurrent across dedup keys, in order within one: a trigger and its resolve in one Alertmanager
  // batch must reach the alert in that order.
  const deliveries: number[][] = [];
  const lanes = deliveryLanes(events.map((e) => e.dedupKey)).map((lane) =>
    collapseRepeats(lane, (i) => events[i]!.action === 'trigger').map((indexes) => deliveries.push(indexes) - 1),
  );
  const results = await runLanes(lanes, DELIVERIES_IN_FLIGHT, (d) => deliver(deps, integration, events[deliveries[d]![0]!]!, deliveries[d]!.length));
  // Every event answers with what its delivery did.
  const byEvent: Delivered[] = [];
  deliveries.forEach((indexes, d) => indexes.forEach((i) => (byEvent[i] = results[d]!)));
  return byEvent;
}

/** Returns the router for the ingest endpoints (mounted before API-key auth and the global body parser). */
export function ingestRouter(deps: IngestDeps): Router {
  const router = Router();
  router.use(ingestMetrics());
  const known = deps.knownRoutingKey ?? (() => false);
  // Counted per integration, by its id: the limiter's store (and anything it logs) never sees the key.
  // Requests without a verified key were refused, or counted as failures, before they get here.
  const limiter = (onLimit: RequestHandler) =>
    rateLimit({
      ...limiterOptions(deps.db, 'ingest:', deps.ratePerMinute, deps.log),
      keyGenerator: (req) => `integration:${req.integration!.id}`,
      skip: (req) => !req.integration,
      handler: onLimit,
    });

  /**
   * Verifies the routing key (one that no integration `accepts` counts against the address:
   * auth-throttle.ts) and sets req.integration to what it found; returns the seconds to wait instead
   * when the address is over its limit of failures, and then nothing was looked up.
   */
  const verify = async (req: express.Request, key: string, accepts: (i: IntegrationRow) => boolean) => {
    const verdict = await deps.throttle.verify(req, known(key), async () => {
      const found = await deps.findIntegration(key);
      return found && accepts(found) ? found : undefined;
    });
    req.integration = verdict.found;
    return verdict.retryAfter;
  };

  // --- PagerDuty Events API v2 ---------------------------------------------------------------------
  mount(
    router,
    routes.pagerduty,
    (req, res, next) => {
      if (!req.is('application/json')) {
        res.status(400).json(pdInvalid(["Content-Type must be 'application/json'"]));
        return;
      }
      next();
    },
    express.json({ limit: PD_BODY_LIMIT, strict: false }),
    refuseUnstorableInput,
    async (req, res, next) => {
      const key: unknown = req.body?.routing_key;
      // A key PagerDuty's format refuses makes the event invalid (the handler says so): no guess to count.
      if (typeof key !== 'string' || !isRoutingKey(key)) return next();
      const retryAfter = await verify(req, key, () => true);
      if (retryAfter !== undefined) return void res.status(429).set('Retry-After', String(retryAfter)).json(pdThrottled);
      next();
    },
    limiter((_req, res) => {
      res.status(429).json(pdThrottled);
    }),
    async (req, res) => {
      const parsed = parsePagerDutyEvent(req.body);
      if (!parsed.ok) {
        res.status(400).json(pdInvalid(parsed.errors));
        return;
      }
      const { integration } = req;
      if (!integration) {
        res.status(400).json(pdInvalid(["'routing_key' does not match an enabled integration"]));
        return;
      }
      const [delivered] = await deliverAll(deps, integration, [parsed.value.event]);
      const nobody = delivered?.pagesNobody;
      res.status(202).json({ status: 'success', message: 'Event processed', dedup_key: delivered?.dedupKey ?? null, ...(nobody ? { pages_nobody: nobody } : {}) });
    },
  );
  const pdErrors: ErrorRequestHandler = (err, _req, res, next) => {
    if (err?.type === 'entity.parse.failed') return void res.status(400).json(pdInvalid(['Request body is not valid JSON']));
    // PagerDuty names an event's fields from its root, in quotes: 'payload.summary'.
    if (err instanceof UnstorableInputError)
      return void res.status(400).json(pdInvalid(err.fields.map((f) => `'${f.path.replace(/^body\./, '')}' ${TEXT_PROBLEM_MESSAGE[f.problem]}`)));
    if (err?.type === 'entity.too.large') return void res.status(413).json(pdInvalid([`Request body exceeds ${PD_BODY_LIMIT}`]));
    // Postgres down and the cache never saw this routing key (or plan): nothing was delivered, and a
    // PagerDuty client retries a 5xx.
    const unavailable = storeUnavailable(err);
    if (unavailable) {
      deps.log.warn({ err, route: `POST ${routes.pagerduty.path}` }, 'postgres unreachable: answered 503');
      return void res.status(503).set(unavailable.headers).json(pdUnavailable);
    }
    next(err);
  };
  router.use('/v2/enqueue', pdErrors);

  // --- Klaxon's own receivers: routing key in the path ----------------------------------------------
  const receiver = (kind: IngestKind, parse: (body: unknown, integration: IntegrationRow) => ParseResult<IngestEvent[]>) =>
    mount(
      router,
      routes.receivers[kind],
      express.json({ limit: PD_BODY_LIMIT, type: () => true }),
      refuseUnstorableInput,
      async (req, res, next) => {
        const { key } = parseInput(routes.receivers[kind].request.params, req.params, 'params');
        const retryAfter = await verify(req, key, (i) => i.type === kind);
        if (retryAfter !== undefined) {
          return void res.status(429).set('Retry-After', String(retryAfter)).json({ error: { code: 'auth_throttled', message: AUTH_THROTTLED_MESSAGE } });
        }
        if (!req.integration) throw new HttpError(404, 'not_found', `no ${kind} integration with this key`);
        next();
      },
      limiter((_req, res) => {
        res.status(429).json({ error: { code: 'rate_limited', message: 'too many events for this integration; retry later' } });
      }),
      async (req, res) => {
        const integration = req.integration!;
        const parsed = parse(req.body, integration);
        if (!parsed.ok) {
          throw new HttpError(400, 'invalid_event', parsed.errors[0] ?? 'invalid event', { errors: parsed.errors.map((message) => ({ field: 'body', message })) });
        }
        const delivered = await deliverAll(deps, integration, parsed.value);
        const nobody = delivered.flatMap((d) => (d.pagesNobody ? [{ dedup_key: d.dedupKey!, reason: d.pagesNobody }] : []));
        countEvents(res, parsed.value.length);
        res.status(202).json({ status: 'accepted', events: parsed.value.length, dedup_keys: delivered.map((d) => d.dedupKey), ...(nobody.length ? { pages_nobody: nobody } : {}) });
      },
    );

  receiver('alertmanager', (body) => parseAlertmanagerPayload(body));
  receiver('generic', (body, i) => {
    const r = applyMapping(body, i.settings.mapping as FieldMapping);
    return r.ok ? { ok: true, value: [r.value] } : r;
  });
  receiver('anomaly', (body, i) => {
    const r = parseAnomalyEvent(body, (i.settings.bands as SeverityBand[] | undefined) ?? undefined);
    return r.ok ? { ok: true, value: [r.value] } : r;
  });

  return router;
}
