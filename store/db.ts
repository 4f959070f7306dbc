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
