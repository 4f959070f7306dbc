/** The Postgres pool and the narrow interface every query function takes. */
import pg from 'pg';

/** Anything that runs a query: a Pool, or a PoolClient inside a transaction the caller owns. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

// timestamptz and bigint come back as JS values the rest of the code expects.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface PoolOptions {
  /** Connections in the pool (10). */
  max?: number;
  /** A connection not made within this long fails (5 s), so whatever waits on one has a deadline. */
  connectTimeoutMs?: number;
  /** Postgres cancels a statement running longer (unset: no limit). */
  statementTimeoutMs?: number;
  /** TLS as node:tls takes it; unset, the connection string's own sslmode= decides. */
  ssl?: pg.PoolConfig['ssl'];
  /**
   * Told when an idle connection fails (Postgres restarted, the network dropped it). The pool replaces
   * it on next use; without a listener the error would crash the process.
   */
  onError?: (err: Error) => void;
}

/** Returns a pool for the given connection string. */
export function createPool(connectionString: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? 10,
    application_name: 'klaxon',
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
    ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
    // A peer that vanished without closing (a failed-over database, a dropped NAT entry) is found by
    // TCP keepalive rather than by the next query hanging; a client-side query timeout would also cut
    // migrations short.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(opts.ssl === undefined ? {} : { ssl: opts.ssl }),
  });
  pool.on('error', (err) => opts.onError?.(err));
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
