/**
 * The rate limiters' hit counts (sql/000015), shared by every API process. A key's window starts at its
 * first hit and lasts windowMs; a hit after it ends starts the next. Each call is one statement on the
 * key's row, timed by Postgres's clock, so processes whose clocks disagree still count in one window.
 */
import type { Queryable } from './db';

export interface WindowHits {
  hits: number;
  resetAt: Date;
}

interface Row {
  hits: number;
  reset_at: Date;
}

const toHits = (row: Row | undefined): WindowHits | undefined => row && { hits: row.hits, resetAt: row.reset_at };

/** Counts one hit for key; returns the hits in its current window (this one included) and when it ends. */
export async function countHit(db: Queryable, key: string, windowMs: number): Promise<WindowHits> {
  const { rows } = await db.query<Row>(
    `insert into rate_limit_hits as h (key, hits, reset_at)
       values ($1, 1, now() + make_interval(secs => $2::double precision / 1000))
     on conflict (key) do update set
       hits = case when h.reset_at <= now() then 1 else h.hits + 1 end,
       reset_at = case when h.reset_at <= now() then excluded.reset_at else h.reset_at end
     returning hits, reset_at`,
    [key, windowMs],
  );
  return toHits(rows[0])!;
}

/** Returns key's hits in its current window, or undefined when it has none. */
export async function readHits(db: Queryable, key: string): Promise<WindowHits | undefined> {
  const { rows } = await db.query<Row>('select hits, reset_at from rate_limit_hits where key = $1 and reset_at > now()', [key]);
  return toHits(rows[0]);
}

/** Takes one hit back from key's current window (a request the limiter should not have counted). */
export async function uncountHit(db: Queryable, key: string): Promise<void> {
  await db.query('update rate_limit_hits set hits = greatest(hits - 1, 0) where key = $1 and reset_at > now()', [key]);
}

/** Forgets key's hits. */
export async function forgetHits(db: Queryable, key: string): Promise<void> {
  await db.query('delete from rate_limit_hits where key = $1', [key]);
}

/** Deletes the rows of windows that have ended (a key's next hit would start over anyway). */
export async function dropEndedWindows(db: Queryable): Promise<number> {
  const r = await db.query('delete from rate_limit_hits where reset_at <= now()');
  return r.rowCount ?? 0;
}
