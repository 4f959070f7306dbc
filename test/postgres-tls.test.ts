// Klaxon on a Postgres that requires TLS (the embedded server with a certificate made here, and
// pg_hba.conf refusing every connection without TLS, as a managed Postgres with TLS enforced does). The
// pool connects in libpq's modes through DATABASE_TLS and its CA, or through DATABASE_URL's own
// sslmode= and sslrootcert=; the API and the worker, as `npm run api` and `npm run worker` run them,
// record an alert over it; /readyz says when the database goes away, and the log says so at once.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type pg from 'pg';
import { ConfigError, loadConfig } from '../runtime/config';
import { poolOptionsOf } from '../runtime/database-connection';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../runtime/embedded-postgres';
import { createPool } from '../store/db';
import { issue, makeCa, type Issued } from './helpers/certificates';
import { startKlaxonProcess, stopAll } from './helpers/klaxon-process';
import { freePort } from './helpers/npm-start';
import { startTestTemporal } from './helpers/temporal';
import { waitFor } from './helpers/world';

const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-pg-tls-'));
// Run as root, the embedded Postgres drops to its own user, which must be able to enter this folder.
chmodSync(dir, 0o755);
let postgres: EmbeddedPostgresHandle | undefined;
let url: string;
let ca: Issued;
let otherCa: Issued;
const pools: pg.Pool[] = [];

before(async () => {
  ca = makeCa(dir, 'db-ca');
  otherCa = makeCa(dir, 'other-ca');
  const server = issue(dir, ca, 'db', { server: ['IP:127.0.0.1'] });
  const port = await freePort();
  postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, tls: server });
  url = postgres.urlFor('postgres');
});

after(async () => {
  await stopAll();
  await Promise.all(pools.map((p) => p.end().catch(() => {})));
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const settings = (over: Partial<Record<string, string>>) => loadConfig({ DATABASE_URL: url, ...over });

/** Returns what `select` on a pool with these settings answers: whether the connection is TLS, or the error. */
async function connectWith(connectionString: string, over: Partial<Record<string, string>> = {}): Promise<string> {
  const pool = createPool(connectionString, poolOptionsOf(settings(over)));
  pools.push(pool);
  try {
    const { rows } = await pool.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
    return rows[0]?.ssl ? 'tls' : 'plaintext';
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  } finally {
    await pool.end();
  }
}

describe('the pool against a Postgres that requires TLS', () => {
  it('a connection without TLS is refused by the server', async () => {
    assert.match(await connectWith(url), /^refused: pg_hba\.conf rejects connection for host "127\.0\.0\.1".*, no encryption/);
    assert.match(await connectWith(url, { DATABASE_TLS: 'disable' }), /^refused: pg_hba\.conf rejects connection/);
  });

  it('verify-full with the CA that issued the certificate connects over TLS; with another CA it is refused', async () => {
    assert.equal(await connectWith(url, { DATABASE_TLS: 'verify-full', DATABASE_TLS_CA_PATH: ca.cert }), 'tls');
    assert.match(await connectWith(url, { DATABASE_TLS: 'verify-full', DATABASE_TLS_CA_PATH: otherCa.cert }), /^refused: .*(self-signed|unable to verify|signature)/i);
    assert.equal(await connectWith(url, { DATABASE_TLS: 'verify-ca', DATABASE_TLS_CA_PATH: ca.cert }), 'tls');
  });

  it("require encrypts without checking the server (libpq's meaning)", async () => {
    assert.equal(await connectWith(url, { DATABASE_TLS: 'require', DATABASE_TLS_CA_PATH: otherCa.cert }), 'tls');
  });

  it("DATABASE_URL's own sslmode= and sslrootcert= work too", async () => {
    const withTls = `${url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca.cert)}`;
    assert.equal(await connectWith(withTls), 'tls');
    // Both ways at once would let the URL silently win over the variables (pg's precedence): refused.
    assert.throws(() => loadConfig({ DATABASE_URL: withTls, DATABASE_TLS: 'verify-full' }), /DATABASE_TLS: set, and DATABASE_URL has sslmode, sslrootcert too/);
  });

  it('a statement longer than DATABASE_STATEMENT_TIMEOUT_MS is cancelled by the server', async () => {
    const pool = createPool(url, poolOptionsOf(settings({ DATABASE_TLS: 'verify-full', DATABASE_TLS_CA_PATH: ca.cert, DATABASE_STATEMENT_TIMEOUT_MS: '200' })));
    pools.push(pool);
    await assert.rejects(pool.query('select pg_sleep(2)'), /canceling statement due to statement timeout/);
    assert.equal((await pool.query('select 1 as one')).rows[0].one, 1, 'the pool is still usable');
  });

  it('a CA file that is missing, or a key that is not the certificate’s, stops start-up naming the variable', () => {
    const problems = (over: Partial<Record<string, string>>) => {
      try {
        poolOptionsOf(settings({ DATABASE_TLS: 'verify-full', ...over }));
        return [];
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems;
      }
    };
    assert.deepEqual(problems({ DATABASE_TLS_CA_PATH: path.join(dir, 'none.crt') }), [`DATABASE_TLS_CA_PATH: cannot read ${path.join(dir, 'none.crt')} (ENOENT)`]);
    const client = issue(dir, ca, 'klaxon-client', 'client');
    assert.deepEqual(problems({ DATABASE_TLS_CERT_PATH: client.cert, DATABASE_TLS_KEY_PATH: ca.key }), [
      `DATABASE_TLS_KEY_PATH: the key in ${ca.key} is not the key of the certificate in DATABASE_TLS_CERT_PATH`,
    ]);
    assert.throws(() => loadConfig({ DATABASE_URL: url, DATABASE_TLS_CA_PATH: ca.cert }), /DATABASE_TLS: unset, but DATABASE_TLS_CA_PATH is set/);
  });
});

it('the API and the worker record an alert over TLS; /readyz fails and the log says so when Postgres goes away', { timeout: 180_000 }, async () => {
  const temporal: TestWorkflowEnvironment = await startTestTemporal();
  try {
    const admin = createPool(url, poolOptionsOf(settings({ DATABASE_TLS: 'verify-full', DATABASE_TLS_CA_PATH: ca.cert })));
    pools.push(admin);
    await admin.query('create database klaxon_tls');
    const env = {
      DATABASE_URL: postgres!.urlFor('klaxon_tls'),
      DATABASE_TLS: 'verify-full',
      DATABASE_TLS_CA_PATH: ca.cert,
      TEMPORAL_ADDRESS: temporal.connection.options.address,
      TEMPORAL_TASK_QUEUE: 'pg-tls',
    };
    const port = await freePort();
    const worker = startKlaxonProcess('worker', env);
    const api = startKlaxonProcess('api', { ...env, HOST: '127.0.0.1', PORT: String(port) });
    await Promise.all([worker.waitFor(/"msg":"worker started"/, 120_000), api.waitFor(/"msg":"api listening"/, 120_000)]);
    const key = /admin API key \(shown once\)\s+(kx_\S+)/.exec(api.output())?.[1];
    assert.ok(key, api.output());
    const created = await fetch(`http://127.0.0.1:${port}/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ summary: 'Over TLS', severity: 'high', service: 'db', source: 'test', dedup_key: 'tls-1' }),
    });
    // 201 only once the worker recorded the alert: both processes wrote over TLS.
    assert.equal(created.status, 201, await created.clone().text());
    const ready = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      return { status: res.status, postgres: ((await res.json()) as { checks: { postgres: string } }).checks.postgres };
    };
    assert.equal((await ready()).postgres, 'ok');

    await postgres!.stop();
    postgres = undefined;
    let last = await ready();
    await waitFor('/readyz names Postgres', async () => (last = await ready()).status === 503 && last.postgres.startsWith('unavailable'), 30_000);
    assert.match(last.postgres, /^unavailable: /);
    await api.waitFor(/postgres: an idle connection failed; the pool opens a new one on next use/, 10_000);
    assert.equal(api.child.exitCode, null, 'the API is still up, and says it cannot page');
  } finally {
    await stopAll();
    await temporal.teardown();
  }
});
