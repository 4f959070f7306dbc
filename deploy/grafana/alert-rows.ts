/** Rows about alerts themselves: what is open and triggered, SLA compliance, grouping and deduplication. */
import * as units from '@grafana/grafana-foundation-sdk/units';
import { barGauge, RED_FROM_ONE, statPanel, timeSeries } from './panels';
import { compliance, deduplicated, grown, quantile } from './queries';

export const alerts = [
  statPanel({
    title: 'Open alerts by state',
    description: 'Alerts not yet resolved, read from Postgres when Prometheus scrapes an API process.',
    unit: units.Short,
    queries: [
      { expr: 'sum by (state) (max by (state, severity) (klaxon_open_alerts))', legend: '{{state}}' },
    ],
    width: 8,
  }),
  timeSeries({
    title: 'Open alerts by state and severity',
    description: 'Alerts not yet resolved (klaxon_open_alerts), stacked.',
    unit: units.Short,
    stacked: true,
    queries: [{ expr: 'max by (state, severity) (klaxon_open_alerts)', legend: '{{state}} {{severity}}' }],
    width: 16,
    height: 5,
  }),
  timeSeries({
    title: 'Alerts triggered by severity',
    description:
      'New alerts recorded per minute; repeats folded into an open alert are under "Grouping and deduplication".',
    unit: units.EventsPerMinute,
    stacked: true,
    queries: [
      {
        expr: '60 * sum by (severity) (rate(klaxon_alerts_triggered_total[$__rate_interval]))',
        legend: '{{severity}}',
      },
    ],
  }),
  timeSeries({
    title: 'State changes by new state and actor',
    description:
      'Acknowledges, resolves, reopens per minute, by who made them (api_key, sms, email, integration, system).',
    unit: units.EventsPerMinute,
    queries: [
      {
        expr: '60 * sum by (to, actor_kind) (rate(klaxon_alert_transitions_total[$__rate_interval]))',
        legend: '{{to}} by {{actor_kind}}',
      },
    ],
  }),
];

export const sla = [
  barGauge({
    title: 'SLA compliance by severity (range)',
    description:
      '1 − breached ÷ triggered over the dashboard range, for time to acknowledge and time to resolve.',
    unit: units.PercentUnit,
    min: 0,
    max: 1,
    thresholds: [
      [null, 'red'],
      [0.9, 'orange'],
      [0.99, 'green'],
    ],
    queries: [
      { expr: compliance('tta'), legend: 'acknowledge {{severity}}' },
      { expr: compliance('ttr'), legend: 'resolve {{severity}}' },
    ],
  }),
  timeSeries({
    title: 'SLA marks: at risk and breached',
    description:
      'Alerts reaching SLA_AT_RISK_FRACTION of a target (at_risk) or passing it (breached), per minute.',
    unit: units.EventsPerMinute,
    queries: [
      {
        expr: '60 * sum by (target, mark, severity) (rate(klaxon_sla_marks_total[$__rate_interval]))',
        legend: '{{target}} {{mark}} {{severity}}',
      },
    ],
  }),
  barGauge({
    title: 'Time to acknowledge p50 / p90 (range)',
    description: 'From trigger to the first response, over the dashboard range, by severity.',
    unit: units.Seconds,
    queries: [
      {
        expr: quantile(0.5, 'klaxon_time_to_acknowledge_seconds', 'severity', '$__range'),
        legend: 'p50 {{severity}}',
      },
      {
        expr: quantile(0.9, 'klaxon_time_to_acknowledge_seconds', 'severity', '$__range'),
        legend: 'p90 {{severity}}',
      },
    ],
    width: 9,
  }),
  barGauge({
    title: 'Time to resolve p50 / p90 (range)',
    description: 'From trigger to resolve, over the dashboard range, by severity.',
    unit: units.Seconds,
    queries: [
      {
        expr: quantile(0.5, 'klaxon_time_to_resolve_seconds', 'severity', '$__range'),
        legend: 'p50 {{severity}}',
      },
      {
        expr: quantile(0.9, 'klaxon_time_to_resolve_seconds', 'severity', '$__range'),
        legend: 'p90 {{severity}}',
      },
    ],
    width: 9,
  }),
  statPanel({
    title: 'SLA breaches (range)',
    description: 'Breach marks over the dashboard range, both targets.',
    unit: units.Short,
    thresholds: RED_FROM_ONE,
    queries: [
      {
        expr: 'sum(increase(klaxon_sla_marks_total{mark="breached"}[$__range])) or vector(0)',
        legend: 'breaches',
      },
    ],
    height: 8,
  }),
];

export const noise = [
  timeSeries({
    title: 'Grouping and deduplication',
    description:
      'Per minute: groups opened, alerts that joined a group (paging nobody themselves), events folded into an open alert.',
    unit: units.EventsPerMinute,
    queries: [
      { expr: '60 * sum(rate(klaxon_groups_opened_total[$__rate_interval]))', legend: 'groups opened' },
      { expr: '60 * sum(rate(klaxon_group_members_total[$__rate_interval]))', legend: 'group members' },
      { expr: '60 * sum(rate(klaxon_alerts_deduplicated_total[$__rate_interval]))', legend: 'deduplicated' },
    ],
    width: 16,
  }),
  statPanel({
    title: 'Noise reduction (range)',
    description:
      'Events that paged nobody themselves (deduplicated, or members of a group) over all events (new alerts plus deduplicated).',
    unit: units.PercentUnit,
    queries: [
      {
        expr:
          `(${deduplicated('$__range')} + sum(${grown('klaxon_group_members_total', '$__range')}))` +
          ` / ((sum(${grown('klaxon_alerts_triggered_total', '$__range')}) + ${deduplicated('$__range')}) > 0)`,
        legend: 'noise reduction',
      },
    ],
    width: 8,
    height: 8,
  }),
];
