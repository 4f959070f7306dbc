/** A fresh, migrated database per test file, inside the Postgres that `npm test` started. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool } from '../../store/db';
import { migrate } from '../../store/migrate';

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.KLAXON_TEST_ADMIN_DATABASE_URL;
  if (!url) throw new Error('KLAXON_TEST_ADMIN_DATABASE_URL is unset: run tests with `npm test`');
  return url;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a unique name; migrate: false leaves it without tables. */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `klaxon_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const pool = createPool(url.toString());
  if (opts.migrate !== false) await migrate(pool);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
