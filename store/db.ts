/** The Postgres pool and the narrow interface every query function takes. */
import pg from 'pg';

/** Anything that runs a query: a Pool, or a PoolClient inside a transaction the caller owns. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

// timestamptz and bigint come back as JS values the rest of the code expects.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** Returns a pool for the given connection string. */
export function createPool(connectionString: string, max = 10): pg.Pool {
  // A connection that cannot be made in 5 s fails, so a request or activity waiting on it has a deadline.
  const pool = new pg.Pool({ connectionString, max, application_name: 'klaxon', connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection (Postgres restarted) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

// SQLSTATE classes 08 (connection exception) and 57P (the server shutting down or starting), and 53300
// (too many connections): the database is not there right now, the query itself was fine.
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** True when a query failed because Postgres could not be reached (retrying later can help), not because of the query. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  if (typeof e?.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_ERRNO.has(e.code))) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  // pg's own wording for a connection lost mid-query or a pool that could not connect in time.
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(message);
}

/** Runs fn inside a transaction on one client, committing on success and rolling back on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
