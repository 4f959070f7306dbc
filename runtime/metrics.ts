/**
 * Klaxon's own Prometheus metrics (prom-client), one catalogue for every process: the API counts what it
 * accepts and answers, the workers count what they record and page. A process serves the registry on
 * `GET /metrics` (the API on its own port, a worker on WORKER_METRICS_PORT); `npm start` runs both in one
 * process, so its one registry holds both halves.
 *
 * Conventions (https://prometheus.io/docs/practices/naming/): the `klaxon_` prefix, `_total` on counters,
 * seconds, and bounded labels only. Never an alert id, a user, a key or a free-text source as a label:
 * severity (four values), service (the operator's own, few), channel, tier number (a policy has at most
 * 20), outcome and kind come from fixed sets.
 *
 * Counters are per process and start at zero when it starts (Prometheus's rate() handles the reset). What
 * must survive a restart, such as how many alerts are open, is a gauge read from Postgres when scraped
 * (see store/metrics-gauges.ts), never a counter kept in memory.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CHANNELS } from '../domain/recipients';
import { SEVERITIES } from '../domain/severity';

export const registry = new Registry();

// Process CPU, memory, event-loop lag and GC under their standard names (process_*, nodejs_*).
collectDefaultMetrics({ register: registry });

/** Latency buckets (seconds) for pages: a page is due within seconds, a backlog shows as minutes. */
const PAGE_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];
/** Response-time buckets (seconds) for TTA/TTR: a minute to a day. */
const RESPONSE_BUCKETS = [60, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];
/** HTTP buckets (seconds): prom-client's defaults span 5 ms to 10 s, which fits an API behind a pager. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const buildInfo = new Gauge({
  name: 'klaxon_build_info',
  help: 'Always 1; labels say which Klaxon version and which role (api, worker or all) this process runs.',
  labelNames: ['version', 'role'] as const,
  registers: [registry],
});

// --- Alerts -------------------------------------------------------------------------------------------

export const alertsTriggered = new Counter({
  name: 'klaxon_alerts_triggered_total',
  help: 'New alerts recorded, by severity, service and source kind (api, or the integration type).',
  labelNames: ['severity', 'service', 'source_kind'] as const,
  registers: [registry],
});

export const alertsDeduplicated = new Counter({
  name: 'klaxon_alerts_deduplicated_total',
  help: 'Events folded into an open alert with the same dedup key instead of opening a new one.',
  labelNames: ['severity', 'service'] as const,
  registers: [registry],
});

export const alertTransitions = new Counter({
  name: 'klaxon_alert_transitions_total',
  help: 'Alert state changes recorded, by from and to state and the kind of actor (api_key, sms, email, integration, system).',
  labelNames: ['from', 'to', 'actor_kind'] as const,
  registers: [registry],
});

export const openAlerts = new Gauge({
  name: 'klaxon_open_alerts',
  help: 'Alerts not yet resolved, by state and severity, read from Postgres when scraped (served by API processes).',
  labelNames: ['state', 'severity'] as const,
  registers: [registry],
});

export const alertsWithoutPolicy = new Counter({
  name: 'klaxon_alerts_without_policy_total',
  help: 'New alerts nobody is paged for because no escalation policy matched them (and no group escalation applies).',
  labelNames: ['severity', 'service'] as const,
  registers: [registry],
});

// --- Pages and escalation ------------------------------------------------------------------------------

export const pages = new Counter({
  name: 'klaxon_pages_total',
  help: 'Page delivery attempts by channel and outcome: sent, failed_transient (to be retried), failed_permanent.',
  labelNames: ['channel', 'outcome'] as const,
  registers: [registry],
});

export const pagesRetried = new Counter({
  name: 'klaxon_pages_retried_total',
  help: 'Page delivery attempts that were retries of an earlier failed attempt, by channel.',
  labelNames: ['channel'] as const,
  registers: [registry],
});

export const pageDelivery = new Histogram({
  name: 'klaxon_page_delivery_seconds',
  help: 'From the alert being accepted to the provider accepting its page, by channel (first delivery of each page).',
  labelNames: ['channel'] as const,
  buckets: PAGE_BUCKETS,
  registers: [registry],
});

export const tiersFired = new Counter({
  name: 'klaxon_escalation_tiers_fired_total',
  help: 'Escalation tiers fired, by tier number (1 is the first).',
  labelNames: ['tier'] as const,
  registers: [registry],
});

export const escalationsExhausted = new Counter({
  name: 'klaxon_escalations_exhausted_total',
  help: 'Alerts whose last tier fired (and repeats ran out) with the alert still unacknowledged.',
  registers: [registry],
});

// --- SLA -----------------------------------------------------------------------------------------------

export const slaMarks = new Counter({
  name: 'klaxon_sla_marks_total',
  help: 'SLA marks recorded, by target (tta or ttr), mark (at_risk or breached) and severity.',
  labelNames: ['target', 'mark', 'severity'] as const,
  registers: [registry],
});

export const timeToAcknowledge = new Histogram({
  name: 'klaxon_time_to_acknowledge_seconds',
  help: 'From trigger to first response (acknowledge, investigate or resolve), by severity.',
  labelNames: ['severity'] as const,
  buckets: RESPONSE_BUCKETS,
  registers: [registry],
});

export const timeToResolve = new Histogram({
  name: 'klaxon_time_to_resolve_seconds',
  help: 'From trigger to resolve, by severity.',
  labelNames: ['severity'] as const,
  buckets: RESPONSE_BUCKETS,
  registers: [registry],
});

// --- Ingest and HTTP -----------------------------------------------------------------------------------

export const ingestEvents = new Counter({
  name: 'klaxon_ingest_events_total',
  help: 'Events received on integration endpoints, by integration type and result (accepted, invalid, throttled, unauthorized, unavailable).',
  labelNames: ['integration_type', 'result'] as const,
  registers: [registry],
});

export const httpRequestDuration = new Histogram({
  name: 'klaxon_http_request_duration_seconds',
  help: 'HTTP requests by method, route template (never the raw path) and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: HTTP_BUCKETS,
  registers: [registry],
});

// --- Groups --------------------------------------------------------------------------------------------

export const groupsOpened = new Counter({
  name: 'klaxon_groups_opened_total',
  help: 'Alert groups opened (their first alert leads them).',
  registers: [registry],
});

export const groupMembers = new Counter({
  name: 'klaxon_group_members_total',
  help: 'Alerts that joined an open group as members, so they page nobody themselves.',
  registers: [registry],
});

// --- On-call -------------------------------------------------------------------------------------------

export const schedulesWithoutOnCall = new Gauge({
  name: 'klaxon_schedules_without_on_call',
  help: 'Schedules with nobody on call right now, computed from Postgres when scraped (served by API processes).',
  registers: [registry],
});

export const schedules = new Gauge({
  name: 'klaxon_schedules',
  help: 'Schedules defined, computed from Postgres when scraped (served by API processes).',
  registers: [registry],
});

export const handoffNotices = new Counter({
  name: 'klaxon_handoff_notices_total',
  help: 'Shift handoff notices, by outcome (sent, failed).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const taskQueuePollers = new Gauge({
  name: 'klaxon_task_queue_pollers',
  help: "Workers that polled Klaxon's task queues recently (Temporal's task-queue description), by queue (alerts: workflows, pages: page activities); read when scraped by API processes. 0 means nobody can be paged.",
  labelNames: ['queue'] as const,
  registers: [registry],
});

// --- Connections ---------------------------------------------------------------------------------------

export const tlsCertificateExpiry = new Gauge({
  name: 'klaxon_tls_certificate_expiry_timestamp_seconds',
  help: "When a certificate this process connects with stops being valid (Unix seconds), read from its file at start: the client certificate and the CA of the Temporal and Postgres connections (TEMPORAL_TLS_*, DATABASE_TLS_*). Past it, the connection fails and nobody is paged.",
  labelNames: ['connection', 'certificate'] as const,
  registers: [registry],
});

export const gaugeReadErrors = new Counter({
  name: 'klaxon_scrape_read_errors_total',
  help: 'Scrapes whose Postgres-backed gauges could not be read (the gauges keep their last value).',
  registers: [registry],
});

/**
 * Every series of the small, fixed label sets exists from the start at 0. A labelled series appears only
 * at its first increment otherwise, and Prometheus's increase() and rate() cannot see the event that
 * created it: the first SLA breach or permanent page failure after a restart would go unnoticed by the
 * alert rules. (Labels that depend on the install, such as service, appear as they are used.)
 */
function zeroFixedSeries(): void {
  for (const channel of CHANNELS) {
    for (const outcome of ['sent', 'failed_transient', 'failed_permanent']) pages.inc({ channel, outcome }, 0);
    pagesRetried.inc({ channel }, 0);
    pageDelivery.zero({ channel });
  }
  for (const severity of SEVERITIES) {
    for (const target of ['tta', 'ttr']) for (const mark of ['at_risk', 'breached']) slaMarks.inc({ target, mark, severity }, 0);
    timeToAcknowledge.zero({ severity });
    timeToResolve.zero({ severity });
  }
  // The integration types' paths (api/schemas/ingest.ts, and PagerDuty's /v2/enqueue) and the results api/ingest-metrics.ts gives.
  for (const integration_type of ['pagerduty', 'alertmanager', 'generic', 'anomaly'])
    for (const result of ['accepted', 'invalid', 'throttled', 'unauthorized', 'unavailable']) ingestEvents.inc({ integration_type, result }, 0);
  for (const outcome of ['sent', 'failed']) handoffNotices.inc({ outcome }, 0);
}
zeroFixedSeries();

/** The Prometheus text exposition of every metric of this process. */
export async function exposition(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** The version the build_info metric reports (package.json's). */
export { KLAXON_VERSION } from './project-root';
