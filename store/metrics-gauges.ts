/** The Postgres reads behind Klaxon's gauges: what must be true across restarts is counted where it is kept. */
import type { Queryable } from './db';

export interface OpenAlertCount {
  state: string;
  severity: string;
  count: number;
}

/** Returns how many alerts are not resolved, by state and severity. */
export async function openAlertCounts(db: Queryable): Promise<OpenAlertCount[]> {
  const { rows } = await db.query<OpenAlertCount>(
    `select state, severity, count(*)::int as count from alerts where state <> 'resolved' group by state, severity`,
  );
  return rows;
}
