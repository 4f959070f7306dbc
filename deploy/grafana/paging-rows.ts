/** Rows about reaching people: pages and escalation, and who is on call. */
import * as units from '@grafana/grafana-foundation-sdk/units';
import { RED_FROM_ONE, statPanel, timeSeries } from './panels';
import { quantile } from './queries';

export const paging = [
  timeSeries({
    title: 'Pages by channel and outcome',
    description: 'Delivery attempts per minute: sent, failed_transient (retried), failed_permanent.',
    unit: units.EventsPerMinute,
    queries: [
      {
        expr: '60 * sum by (channel, outcome) (rate(klaxon_pages_total[$__rate_interval]))',
        legend: '{{channel}} {{outcome}}',
      },
    ],
  }),
  timeSeries({
    title: 'Page delivery latency p50 / p99',
    description: 'From the alert being accepted to the provider accepting its first page, by channel.',
    unit: units.Seconds,
    queries: [
      {
        expr: quantile(0.5, 'klaxon_page_delivery_seconds', 'channel', '$__rate_interval'),
        legend: 'p50 {{channel}}',
      },
      {
        expr: quantile(0.99, 'klaxon_page_delivery_seconds', 'channel', '$__rate_interval'),
        legend: 'p99 {{channel}}',
      },
    ],
  }),
  timeSeries({
    title: 'Page failure ratio by channel',
    description:
      'Failed attempts (transient and permanent) over all attempts; 0 when a channel sends without failures.',
    unit: units.PercentUnit,
    thresholds: [
      [null, 'green'],
      [0.1, 'red'],
    ],
    queries: [
      {
        expr:
          '(sum by (channel) (rate(klaxon_pages_total{outcome=~"failed_.*"}[$__rate_interval]))' +
          ' or 0 * sum by (channel) (rate(klaxon_pages_total[$__rate_interval])))' +
          ' / sum by (channel) (rate(klaxon_pages_total[$__rate_interval]))',
        legend: '{{channel}}',
      },
    ],
    width: 8,
  }),
  timeSeries({
    title: 'Escalation tiers fired by tier',
    description:
      'Tiers fired per minute; tier 1 is the first page, higher tiers mean nobody answered in time.',
    unit: units.EventsPerMinute,
    queries: [
      {
        expr: '60 * sum by (tier) (rate(klaxon_escalation_tiers_fired_total[$__rate_interval]))',
        legend: 'tier {{tier}}',
      },
    ],
    width: 10,
  }),
  statPanel({
    title: 'Escalations exhausted (range)',
    description: 'Alerts whose last tier fired, repeats included, with nobody acknowledging.',
    unit: units.Short,
    thresholds: RED_FROM_ONE,
    queries: [{ expr: 'sum(increase(klaxon_escalations_exhausted_total[$__range]))', legend: 'exhausted' }],
    height: 8,
  }),
];

export const onCall = [
  statPanel({
    title: 'Schedules without anyone on call',
    description: 'Read from Postgres when scraped: a schedule here pages nobody right now.',
    unit: units.Short,
    thresholds: RED_FROM_ONE,
    queries: [{ expr: 'max(klaxon_schedules_without_on_call)', legend: 'without on-call' }],
  }),
  statPanel({
    title: 'Schedules defined',
    description: 'All schedules, read from Postgres when scraped.',
    unit: units.Short,
    queries: [{ expr: 'max(klaxon_schedules)', legend: 'schedules' }],
  }),
  statPanel({
    title: 'Shift handoff notices (range)',
    description: 'Notices telling people their shift starts, sent and failed, over the dashboard range.',
    unit: units.Short,
    queries: [
      {
        expr: 'sum(increase(klaxon_handoff_notices_total{outcome="sent"}[$__range])) or vector(0)',
        legend: 'sent',
      },
      {
        expr: 'sum(increase(klaxon_handoff_notices_total{outcome="failed"}[$__range])) or vector(0)',
        legend: 'failed',
      },
    ],
    width: 12,
  }),
];
