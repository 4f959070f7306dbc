/**
 * PromQL shared by several panels. Windows are Grafana's `$__rate_interval` (a line over time) or
 * `$__range` (one number for the whole dashboard range).
 */

/** Returns the q-quantile of a prom-client or sdk-core histogram, per `by` label. */
export const quantile = (q: number, histogram: string, by: string, window: string) =>
  `histogram_quantile(${q}, sum by (le, ${by}) (rate(${histogram}_bucket[${window}])))`;

/**
 * Returns the share of alerts, per severity, that met the target over the range: 1 − breach marks ÷
 * alerts triggered. From Prometheus counters rather than Postgres's report (`GET /sla/compliance`):
 * these are the numbers the KlaxonSlaBreaches rule sees, from the one data source this dashboard has.
 * A breach of an alert triggered before the range counts against the range, so a short range after a
 * storm can read low; clamp_min keeps it at 0 or more.
 */
export const compliance = (target: 'tta' | 'ttr') =>
  'clamp_min(1 - (' +
  `(sum by (severity) (increase(klaxon_sla_marks_total{target="${target}", mark="breached"}[$__range]))` +
  ' or 0 * sum by (severity) (increase(klaxon_alerts_triggered_total[$__range])))' +
  ' / (sum by (severity) (increase(klaxon_alerts_triggered_total[$__range])) > 0)), 0)';

/** Returns the events folded into an open alert over the window; 0 before the first one. */
export const deduplicated = (window: string) =>
  `(sum(increase(klaxon_alerts_deduplicated_total[${window}])) or vector(0))`;

/**
 * Returns polls per second that brought a task and that came back empty, one query with a `result`
 * label, so a queue that never had an empty poll still shows its successful ones. Names are sdk-core's
 * (temporal_*, served on TEMPORAL_METRICS_ADDRESS) with countersTotalSuffix, unitSuffix and
 * useSecondsForDurations on, as runtime/sdk-runtime.ts installs them.
 */
export const pollResults = (kind: string, task: string, empty: string) =>
  `label_replace(sum by (task_queue) (rate(${task}[$__rate_interval])), "result", "${kind} task", "", "")` +
  ` or label_replace(sum by (task_queue) (rate(${empty}[$__rate_interval])), "result", "${kind} empty", "", "")`;
