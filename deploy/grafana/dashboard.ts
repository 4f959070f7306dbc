/**
 * Klaxon's Grafana dashboard, as code: `npm run dashboard` writes it to deploy/grafana/klaxon-dashboard.json,
 * the file Grafana provisions (docker-compose.yml), and test/grafana-dashboard.test.ts fails when the two
 * differ or a query names a klaxon_* metric runtime/metrics.ts does not define.
 *
 * Queries use only Grafana's built-in `$__rate_interval` and `$__range` and the data-source variable, so
 * the test against a real Prometheus can run every one of them.
 *
 * Two rules hold throughout:
 * - Gauges read from Postgres or Temporal when scraped (klaxon_open_alerts, klaxon_schedules*,
 *   klaxon_task_queue_pollers) are served by every API process with the same value, so they are
 *   combined with `max`, never `sum`, which would count each alert once per API process.
 * - Counters are per process and labelled series appear at their first increment, so a stat of "how many
 *   over the range" falls back to `vector(0)`: no event is zero, not "No data".
 */
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  RowBuilder,
  type Dashboard,
  type Panel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { alerts, noise, sla } from './alert-rows';
import { onCall, paging } from './paging-rows';
import { DATASOURCE_VARIABLE } from './panels';
import { ingestAndHttp, workers } from './platform-rows';

export const DASHBOARD_UID = 'klaxon';

const rows: [string, Builder<Panel>[]][] = [
  ['Alerts', alerts],
  ['SLA', sla],
  ['Escalation and pages', paging],
  ['On-call', onCall],
  ['Groups and noise reduction', noise],
  ['Ingest and HTTP', ingestAndHttp],
  ['Workers and task queues', workers],
];

/** Returns the dashboard Grafana provisions, panels numbered in order. */
export function klaxonDashboard(): Dashboard {
  const builder = new DashboardBuilder('Klaxon')
    .uid(DASHBOARD_UID)
    .description('Alerts, SLAs, paging, on-call, noise reduction and worker health of a Klaxon install.')
    .tags(['klaxon'])
    .editable()
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Prometheus').type('prometheus'));
  for (const [title, panels] of rows) {
    builder.withRow(new RowBuilder(title));
    for (const panel of panels) builder.withPanel(panel);
  }
  const dashboard = builder.build();
  // Stable ids keep links to a panel (viewPanel=N) working from one generation to the next.
  dashboard.panels?.forEach((panel, i) => (panel.id = i + 1));
  return dashboard;
}
