/**
 * PromQL shared by several panels. Windows are Grafana's `$__rate_interval` (a line over time) or
 * `$__range` (one number for the whole dashboard range).
 */

/** Returns the q-quantile of a prom-client or sdk-core histogram, per `by` label. */
export const quantile = (q: number, histogram: string, by: string, window: string) =>
  `histogram_quantile(${q}, sum by (le, ${by}) (rate(${histogram}_bucket[${window}])))`;

/**
 * Returns how much `series` grew over the window, counting a series younger than the window (absent at
 * its start) with its whole value. increase() alone misses the event that created a labelled series: a
 * counter for a new service or severity appears at 1, and over the range it "increased" by 0. The alert
 * rules (deploy/prometheus/klaxon-rules.yml) count the same way.
 */
export const grown = (series: string, window: string) => `((${series} unless ${series} offset ${window}) or increase(${series}[${window}]))`;

/**
 * Returns the share of alerts, per severity, that met the target over the range: 1 − breach marks ÷
 * alerts triggered. From Prometheus counters rather than Postgres's report (`GET /sla/compliance`):
 * these are the numbers the KlaxonSlaBreaches rule sees, from the one data source this dashboard has.
 * A breach of an alert triggered before the range counts against the range, so a short range after a
 * storm can read low; clamp_min keeps it at 0 or more.
 */
export const compliance = (target: 'tta' | 'ttr') => {
  const triggered = `sum by (severity) (${grown('klaxon_alerts_triggered_total', '$__range')})`;
  return (
    'clamp_min(1 - (' +
    `(sum by (severity) (${grown(`klaxon_sla_marks_total{target="${target}", mark="breached"}`, '$__range')})` +
    ` or 0 * ${triggered})` +
    ` / (${triggered} > 0)), 0)`
  );
};

/** Returns the events folded into an open alert over the window; 0 before the first one. */
export const deduplicated = (window: string) => `(sum(${grown('klaxon_alerts_deduplicated_total', window)}) or vector(0))`;

/**
 * Returns polls per second that brought a task and that came back empty, one query with a `result`
 * label, so a queue that never had an empty poll still shows its successful ones. Names are sdk-core's
 * (temporal_*, served on TEMPORAL_METRICS_ADDRESS) with countersTotalSuffix, unitSuffix and
 * useSecondsForDurations on, as runtime/sdk-runtime.ts installs them.
 */
export const pollResults = (kind: string, task: string, empty: string) =>
  `label_replace(sum by (task_queue) (rate(${task}[$__rate_interval])), "result", "${kind} task", "", "")` +
  ` or label_replace(sum by (task_queue) (rate(${empty}[$__rate_interval])), "result", "${kind} empty", "", "")`;
