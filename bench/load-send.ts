/**
 * Sends the load test's events the way monitoring systems do: each when due, through its way in (POST
 * /alerts, PagerDuty Events v2, the generic JSON receiver, Alertmanager's webhook), a bounded number in
 * flight, and again on a 429, a 5xx or no answer (same body, same dedup key) a few times before giving
 * up. When the service answers slower than the pace, events leave late; how late is measured.
 */
import { sleep } from './service';
import { ROUTE_SERVICE, type LoadPlan, type PlannedAlert, type PlannedEvent, type Route } from './load-plan';

export interface SendTarget {
  api: string;
  adminKey: string;
  /** Routing keys of the integrations, by the way in that uses them. */
  routingKeys: Record<Exclude<Route, 'rest'>, string>;
}

export interface EventOutcome {
  /** Index into the plan's alerts. */
  alert: number;
  kind: PlannedEvent['kind'];
  route: Route;
  /** Milliseconds from the start: when due, first sent, and answered last. */
  dueAt: number;
  sentAt: number;
  answeredAt: number;
  /** Milliseconds from the start of the 2xx answer that took it; null when the sender gave up. */
  acceptedAt: number | null;
  /** The last answer's status; 0 for no answer. */
  status: number;
  attempts: number;
  /** Attempts not accepted, by status (`network` when no answer came). */
  failures: Record<string, number>;
  lastError?: string;
}

export interface SendOptions {
  inFlight: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}

const BACKOFF = { initialMs: 500, maxMs: 5_000 };
const SOURCE = 'load-bench';

/** PagerDuty's severities for Klaxon's (the plan never gives it `low`). */
const PD_SEVERITY = { critical: 'critical', high: 'error', medium: 'warning', low: 'info', info: 'info' };

/** The words after the key in each route's summaries: what such a check would say. */
const WHAT: Readonly<Record<Route, string>> = {
  rest: 'p99 latency above 2 s',
  pagerduty: 'card authorisations failing',
  generic: 'index lag above 5 min',
  alertmanager: 'HTTP 5xx ratio above 5%',
};

/** Returns the URL and body of an event: a repeat is the same request as the alert's first event. */
export function requestOf(
  a: PlannedAlert,
  plan: LoadPlan,
  target: SendTarget,
  now: number,
): { url: string; headers: Record<string, string>; body: unknown } {
  const host = `${a.service}-${(Number(a.key.split('-').at(-1)) % 8) + 1}`;
  const summary = `${a.key} ${WHAT[a.route]} on ${host}`;
  const json = { 'content-type': 'application/json' };
  switch (a.route) {
    case 'rest':
      return {
        url: `${target.api}/alerts`,
        headers: { ...json, authorization: `Bearer ${target.adminKey}` },
        body: {
          summary,
          severity: a.severity,
          service: a.service,
          source: SOURCE,
          dedup_key: a.key,
          labels: { host },
        },
      };
    case 'pagerduty':
      return {
        url: `${target.api}/v2/enqueue`,
        headers: json,
        body: {
          routing_key: target.routingKeys.pagerduty,
          event_action: 'trigger',
          dedup_key: a.key,
          payload: { summary, source: host, severity: PD_SEVERITY[a.severity], component: 'payments-api' },
        },
      };
    case 'generic':
      return {
        url: `${target.api}/integrations/generic/${target.routingKeys.generic}`,
        headers: json,
        body: { title: summary, level: a.severity, id: a.key, state: 'firing', host },
      };
    case 'alertmanager': {
      const group = plan.groups[a.group!]!;
      const incident = /incident="(\d+)"/.exec(group.key)?.[1] ?? '0';
      const severity = a.severity === 'critical' ? 'critical' : 'error';
      return {
        url: `${target.api}/integrations/alertmanager/${target.routingKeys.alertmanager}`,
        headers: json,
        body: {
          version: '4',
          groupKey: group.key,
          truncatedAlerts: 0,
          status: 'firing',
          receiver: 'klaxon',
          groupLabels: { alertname: 'CheckoutErrors', incident },
          commonLabels: { alertname: 'CheckoutErrors', incident, severity },
          commonAnnotations: {},
          externalURL: 'http://alertmanager.example:9093',
          alerts: [
            {
              status: 'firing',
              labels: { alertname: 'CheckoutErrors', incident, instance: `${host}:9100`, severity },
              annotations: { summary },
              startsAt: new Date(now).toISOString(),
              endsAt: '0001-01-01T00:00:00Z',
              generatorURL: 'http://prometheus.example:9090/graph',
              fingerprint: a.key,
            },
          ],
        },
      };
    }
  }
}

/** Sends one event until accepted, refused for good (a 4xx other than 429), or out of attempts. */
async function sendOne(
  e: PlannedEvent,
  plan: LoadPlan,
  target: SendTarget,
  start: number,
  o: SendOptions,
): Promise<EventOutcome> {
  const a = plan.alerts[e.alert]!;
  const { url, headers, body } = requestOf(a, plan, target, Date.now());
  const text = JSON.stringify(body);
  const out: EventOutcome = {
    alert: e.alert,
    kind: e.kind,
    route: a.route,
    dueAt: e.at,
    sentAt: Date.now() - start,
    answeredAt: 0,
    acceptedAt: null,
    status: 0,
    attempts: 0,
    failures: {},
  };
  let delay = BACKOFF.initialMs;
  for (;;) {
    out.attempts++;
    let wait = delay;
    let retry = true;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: text,
        signal: AbortSignal.timeout(o.requestTimeoutMs),
      });
      const answer = await res.text();
      out.answeredAt = Date.now() - start;
      out.status = res.status;
      if (res.ok) {
        out.acceptedAt = out.answeredAt;
        return out;
      }
      out.failures[res.status] = (out.failures[res.status] ?? 0) + 1;
      out.lastError = `${res.status} ${answer.slice(0, 200)}`;
      retry = res.status === 429 || res.status >= 500;
      const after = Number(res.headers.get('retry-after'));
      if (Number.isFinite(after) && after > 0) wait = Math.min(after * 1000, 10_000);
    } catch (err) {
      out.answeredAt = Date.now() - start;
      out.status = 0;
      out.failures.network = (out.failures.network ?? 0) + 1;
      out.lastError = `network: ${String((err as Error).cause ?? (err as Error).message).slice(0, 200)}`;
    }
    if (!retry || out.attempts >= o.maxAttempts) return out;
    await sleep(wait);
    delay = Math.min(delay * 2, BACKOFF.maxMs);
  }
}

/** Returns every event's outcome, in plan order; `start` is Date.now() of the run's time zero. */
export async function sendEvents(
  plan: LoadPlan,
  target: SendTarget,
  start: number,
  o: SendOptions,
  onOutcome: (e: EventOutcome) => void = () => {},
  onSent: () => void = () => {},
): Promise<EventOutcome[]> {
  const outcomes: EventOutcome[] = new Array(plan.events.length);
  let next = 0;
  const runner = async () => {
    while (next < plan.events.length) {
      const i = next++;
      const e = plan.events[i]!;
      await sleep(start + e.at - Date.now());
      onSent();
      outcomes[i] = await sendOne(e, plan, target, start, o);
      onOutcome(outcomes[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.inFlight) }, runner));
  return outcomes;
}

/** The services the run's alerts go to, for queries that must see only them. */
export const RUN_SERVICES: readonly string[] = Object.values(ROUTE_SERVICE);
