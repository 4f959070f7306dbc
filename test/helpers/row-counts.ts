/** How many rows each table of a harness's database holds: a request that writes nothing leaves them equal. */
import type { Harness } from './harness';

// The rate limiters' counters change with every request, written or not: they are no record of it.
const NOT_RECORDS = new Set(['rate_limit_hits']);

/** Returns the row count of every table but the limiters' counters, after the app's buffered raw-event counts are written. */
export async function countRows(h: Pick<Harness, 'caches' | 'db'>): Promise<Record<string, number>> {
  await h.caches.counts.flush();
  const { rows } = await h.db.pool.query<{ table_name: string }>(
    "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of rows.filter((r) => !NOT_RECORDS.has(r.table_name)))
    counts[table_name] = (await h.db.pool.query(`select count(*)::int as n from "${table_name}"`)).rows[0].n;
  return counts;
}
