/**
 * `npm run dashboard`: writes deploy/grafana/klaxon-dashboard.json, the file Grafana provisions, from
 * deploy/grafana/dashboard.ts. Run it after changing the dashboard and commit both.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { klaxonDashboard } from '../deploy/grafana/dashboard';

export const DASHBOARD_JSON = path.resolve(__dirname, '..', 'deploy', 'grafana', 'klaxon-dashboard.json');

/** Returns the dashboard as the committed file holds it. */
export function dashboardJson(): string {
  return `${JSON.stringify(klaxonDashboard(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(DASHBOARD_JSON, dashboardJson());
  console.log(`wrote ${path.relative(process.cwd(), DASHBOARD_JSON)}`);
}
