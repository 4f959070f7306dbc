import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { createPool } from '../store/db';
import { migrate, readMigrations } from '../store/migrate';
import { createTestDatabase, type TestDatabase } from './helpers/database';

const dbs: TestDatabase[] = [];
after(async () => {
  for (const db of dbs) await db.drop();
});

async function emptyDb(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrate: false });
  dbs.push(db);
  return db;
}

it('two migrators started at once apply each migration exactly once', async () => {
  const db = await emptyDb();
  // Separate pools: two processes starting together.
  const a = createPool(db.url);
  const b = createPool(db.url);
  try {
    const [appliedA, appliedB] = await Promise.all([migrate(a), migrate(b)]);
    const all = readMigrations().map((m) => m.name);
    assert.deepEqual([...appliedA, ...appliedB].sort(), [...all].sort(), 'every migration applied by exactly one of them');
    const { rows } = await db.pool.query('select version from schema_migrations order by version');
    assert.equal(rows.length, all.length);
    const tables = await db.pool.query(`select count(*)::int as n from information_schema.tables where table_name = 'alerts'`);
    assert.equal(tables.rows[0].n, 1);
  } finally {
    await a.end();
    await b.end();
  }
});

it('is a no-op when everything is applied', async () => {
  const db = await emptyDb();
  await migrate(db.pool);
  assert.deepEqual(await migrate(db.pool), []);
});

it('refuses a migration edited after it was applied', async () => {
  const db = await emptyDb();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-mig-'));
  writeFileSync(path.join(dir, '000001-one.sql'), 'create table one (id int);');
  await migrate(db.pool, dir);
  writeFileSync(path.join(dir, '000001-one.sql'), 'create table one (id bigint);');
  await assert.rejects(migrate(db.pool, dir), /000001-one.sql was edited/);
});

it('rolls back a failing migration whole and records nothing', async () => {
  const db = await emptyDb();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-mig-'));
  writeFileSync(path.join(dir, '000001-half.sql'), 'create table half (id int); select no_such_function();');
  await assert.rejects(migrate(db.pool, dir), /000001-half.sql failed/);
  const { rows } = await db.pool.query(`select to_regclass('half') as t`);
  assert.equal(rows[0].t, null);
  const recorded = await db.pool.query('select count(*)::int as n from schema_migrations');
  assert.equal(recorded.rows[0].n, 0);
});

it('rejects a misnamed migration file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-mig-'));
  writeFileSync(path.join(dir, 'init.sql'), 'select 1;');
  assert.throws(() => readMigrations(dir), /must be named NNNNNN-some-name.sql/);
});
