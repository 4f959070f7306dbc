// `npm run create-api-key` prints a new key once; the key then authenticates, with the role asked for.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, it } from 'node:test';
import { findActiveApiKey } from '../store/api-keys';
import { createTestDatabase, type TestDatabase } from './helpers/database';

const run = promisify(execFile);
const script = path.resolve(__dirname, '..', 'scripts', 'create-api-key.ts');
let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.drop();
});

const createKey = (args: string[]) => run(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, DATABASE_URL: db.url } });

it('creates a key with the role asked for and prints it once', async () => {
  const { stdout } = await createKey(['--name', 'grafana', '--role', 'viewer']);
  const key = /(kx_\S+)/.exec(stdout)?.[1];
  assert.ok(key, stdout);
  const row = await findActiveApiKey(db.pool, key);
  assert.equal(row?.name, 'grafana');
  assert.equal(row?.role, 'viewer');
});

it('refuses a missing name or an unknown role with a message, exit code 1', async () => {
  await assert.rejects(createKey(['--role', 'viewer']), (err: { code: number; stderr: string }) => err.code === 1 && /--name is required/.test(err.stderr));
  await assert.rejects(createKey(['--name', 'x', '--role', 'god']), (err: { code: number; stderr: string }) => err.code === 1 && /--role must be one of/.test(err.stderr));
});
