// Which failures mean "Postgres cannot be reached" (answered 503, served from the cache) and which mean
// "Postgres refused the statement" (a bug or bad data: 500), on errors a real Postgres and pg produce.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { isStoreUnreachable } from '../store/unreachable';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.drop();
});

const failure = async (run: () => Promise<unknown>): Promise<unknown> => {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
};

it('a Postgres nobody listens for, through a pool and a client, is unreachable', async () => {
  const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
  try {
    assert.ok(isStoreUnreachable(await failure(() => pool.query('select 1'))));
  } finally {
    await pool.end();
  }
  const client = new pg.Client({ connectionString: 'postgres://nobody@localhost:1/none' });
  assert.ok(isStoreUnreachable(await failure(() => client.connect())));
});

it('a connection the server terminates is unreachable, and so is every later query on it', async () => {
  const client = new pg.Client({ connectionString: db.url });
  client.on('error', () => {});
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  const killed = failure(() => client.query('select pg_sleep(30)'));
  await db.pool.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
  const err = await killed;
  assert.ok(isStoreUnreachable(err), String(err));
  assert.ok(isStoreUnreachable(await failure(() => client.query('select 1'))));
  await client.end().catch(() => {});
});

it('a statement Postgres refuses is not: syntax, constraint, missing table, wrapped or not', async () => {
  for (const sql of [
    'selec 1',
    `select 'x'::uuid`,
    'select * from no_such_table',
    `insert into api_keys (name) values (null)`,
  ]) {
    const err = await failure(() => db.pool.query(sql));
    assert.equal(isStoreUnreachable(err), false, `${sql}: ${String(err)}`);
    assert.equal(isStoreUnreachable(new Error('load policy', { cause: err })), false);
  }
  const dead = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
  const refused = await failure(() => dead.query('select 1'));
  await dead.end();
  assert.ok(isStoreUnreachable(new Error('load policy', { cause: refused })), 'a wrapped refusal still is');
  assert.equal(isStoreUnreachable(undefined), false);
  assert.equal(isStoreUnreachable('ECONNREFUSED'), false);
});
