/**
 * Statements Klaxon's processes run against Postgres, counted by pg_stat_statements (loaded by
 * bench/engine-stack.ts) for the API's and the worker's roles: reset before a round, read after it.
 * Statements that come with the passing of time rather than with an alert are left out, as the
 * statements-per-alert test leaves them out.
 */
import type pg from 'pg';
import { ROLES } from './engine-stack';

// A rate limiter deleting its ended windows, an API key's last-used time: once a minute, not per alert.
const PERIODIC = ['%from rate_limit_hits where reset_at <= now()%', 'update api_keys set last_used_at%'];

export interface StatementCounts {
  api: number;
  worker: number;
}

/** Forgets every count so far. */
export async function resetStatements(pool: pg.Pool): Promise<void> {
  await pool.query('select pg_stat_statements_reset()');
}

/** Returns the statements each process ran since the last reset. */
export async function readStatements(pool: pg.Pool): Promise<StatementCounts> {
  const { rows } = await pool.query<{ role: string; calls: number }>(
    `select r.rolname as role, coalesce(sum(s.calls), 0)::float8 as calls
       from pg_stat_statements s join pg_roles r on r.oid = s.userid
      where r.rolname = any($1) and not (lower(s.query) like any($2))
      group by r.rolname`,
    [Object.values(ROLES), PERIODIC],
  );
  const of = (role: string) => rows.find((r) => r.role === role)?.calls ?? 0;
  return { api: of(ROLES.api), worker: of(ROLES.worker) };
}
