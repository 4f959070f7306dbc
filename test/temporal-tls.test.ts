// Klaxon on a Temporal frontend that requires mutual TLS: the Temporal CLI dev server behind a local
// TLS proxy that demands a client certificate from its own CA (certificates made here with openssl).
// The worker and the API, as `npm run worker` and `npm run api` run them, connect with
// TEMPORAL_TLS_CA_PATH, TEMPORAL_TLS_CERT_PATH, TEMPORAL_TLS_KEY_PATH and TEMPORAL_TLS_SERVER_NAME, and
// an alert pages. Settings the server refuses (a wrong CA, no client certificate, a client certificate it
// does not trust, the wrong server name, TLS to a plaintext port) stop start-up at once with a message
// naming the variable, instead of being retried forever like an outage.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer } from '../runtime/temporal';
import { temporalTargetOf } from '../runtime/temporal-connection';
import { ConfigError } from '../runtime/config';
import { issue, makeCa, type Issued } from './helpers/certificates';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { startKlaxonProcess, stopAll, type KlaxonProcess } from './helpers/klaxon-process';
import { freePort, start, stop } from './helpers/npm-start';
import { createApiKey } from '../store/api-keys';
import { LOOPBACK_ALLOWLIST_TEXT } from './helpers/pages';
import { startTlsProxy, type TlsProxy } from './helpers/tls-proxy';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver';
import { waitFor } from './helpers/world';

const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-tls-'));
let devServer: TestWorkflowEnvironment;
let devPort: number;
let proxy: TlsProxy;
let db: TestDatabase;
let receiver: WebhookReceiver;
let serverCa: Issued;
let clientCa: Issued;
let otherCa: Issued;
let client: Issued;
let strangerClient: Issued;
const SERVER_NAME = 'temporal.internal';

before(async () => {
  const cli = process.env.TEMPORAL_CLI_PATH;
  assert.ok(cli, 'npm test provisions the Temporal CLI (TEMPORAL_CLI_PATH)');
  serverCa = makeCa(dir, 'server-ca');
  clientCa = makeCa(dir, 'client-ca');
  otherCa = makeCa(dir, 'other-ca');
  const server = issue(dir, serverCa, 'frontend', { server: [`DNS:${SERVER_NAME}`] });
  client = issue(dir, clientCa, 'klaxon', 'client');
  strangerClient = issue(dir, otherCa, 'stranger', 'client');
  devPort = await freePort();
  [devServer, db, receiver] = await Promise.all([
    startDevServer({ executable: { type: 'existing-path', path: cli }, port: devPort, uiPort: await freePort(), dbFile: path.join(dir, 'temporal.db'), namespace: 'default' }),
    createTestDatabase(),
    startWebhookReceiver(),
  ]);
  proxy = await startTlsProxy({ server, clientCa, target: { host: '127.0.0.1', port: devPort } });
});

after(async () => {
  await stopAll();
  await proxy?.close();
  await receiver?.close();
  await devServer?.teardown();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** The environment of a process on the mTLS frontend, with `over` changing or (undefined) removing settings. */
function tlsEnv(over: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: `127.0.0.1:${proxy.port}`,
    TEMPORAL_TASK_QUEUE: 'tls-test',
    TEMPORAL_TLS_CA_PATH: serverCa.cert,
    TEMPORAL_TLS_CERT_PATH: client.cert,
    TEMPORAL_TLS_KEY_PATH: client.key,
    TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
    OUTBOUND_ALLOWLIST: LOOPBACK_ALLOWLIST_TEXT,
    ...over,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

it('the proxy itself refuses a client without a certificate (so the test below could fail)', async () => {
  const refused = await new Promise<string>((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port: proxy.port, rejectUnauthorized: false, ALPNProtocols: ['h2'] });
    socket.once('secureConnect', () => socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
    socket.once('data', () => resolve('answered'));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  assert.match(refused, /CERTIFICATE_REQUIRED/);
});

it('the worker and the API connect over mTLS and an alert pages', { timeout: 180_000 }, async () => {
  const port = await freePort();
  const worker = startKlaxonProcess('worker', tlsEnv());
  const api = startKlaxonProcess('api', tlsEnv({ HOST: '127.0.0.1', PORT: String(port) }));
  await Promise.all([worker.waitFor(/"msg":"worker started"/, 120_000), api.waitFor(/"msg":"api listening"/, 120_000)]);
  const key = /admin API key \(shown once\)\s+(kx_\S+)/.exec(api.output())?.[1];
  assert.ok(key, api.output());
  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const policy = await call('POST', '/escalation-policies', { name: 'TLS', tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${receiver.url}/tls` }] }] });
  assert.equal(policy.status, 201, JSON.stringify(policy.body));
  assert.equal((await call('PUT', '/escalation-rules', { rules: [{ policy_id: policy.body.id, services: ['tls'] }] })).status, 200);

  const alert = await call('POST', '/alerts', { summary: 'Over mTLS', severity: 'critical', service: 'tls', source: 'test', dedup_key: 'mtls-1' });
  assert.equal(alert.status, 201, JSON.stringify(alert.body));
  await waitFor('the page over mTLS', () => receiver.requests.some((r) => r.path === '/tls'), 60_000);
  assert.equal(receiver.requests.filter((r) => r.path === '/tls').length, 1, 'paged once');
  // Every connection went through the proxy's client-certificate check: the API's, and the worker's.
  assert.ok(proxy.forwarded() >= 2, `connections forwarded: ${proxy.forwarded()}`);
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  assert.equal(ready.status, 200, await ready.text());
  await stopAll();
});

it('`npm start` with TEMPORAL_ADDRESS connects to the mTLS frontend the same way, and an alert pages', { timeout: 180_000 }, async () => {
  const port = await freePort();
  const started = await start({ ...tlsEnv({ TEMPORAL_TASK_QUEUE: 'tls-start' }), PORT: String(port), KLAXON_DATA_DIR: path.join(dir, 'start-data'), WORKER_METRICS_PORT: '0' });
  try {
    assert.match(started.output(), new RegExp(`temporal: 127\\.0\\.0\\.1:${proxy.port} \\(namespace default, task queue tls-start\\)`));
    // The database already has its admin from the test above: a key of its own for this one.
    const { key } = await createApiKey(db.pool, { name: 'tls-start', role: 'admin' });
    const call = (route: string, body: unknown, method = 'POST') =>
      fetch(`http://127.0.0.1:${port}${route}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const policy = (await (await call('/escalation-policies', { name: 'TLS start', tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${receiver.url}/tls-start` }] }] })).json()) as { id: string };
    assert.equal((await call('/escalation-rules', { rules: [{ policy_id: policy.id, services: ['tls-start'] }] }, 'PUT')).status, 200);
    assert.equal((await call('/alerts', { summary: 'npm start over mTLS', severity: 'critical', service: 'tls-start', source: 'test', dedup_key: 'mtls-start' })).status, 201);
    await waitFor('the page from npm start', () => receiver.requests.some((r) => r.path === '/tls-start'), 60_000);
  } finally {
    assert.ok(await stop(started), started.output());
  }
});

describe('settings the server refuses stop start-up, naming the variable', () => {
  /** Starts `entry` with the settings and returns its output once it has exited, asserting it did so with 1. */
  async function refused(entry: 'worker' | 'api', over: Record<string, string | undefined>): Promise<string> {
    const proc: KlaxonProcess = startKlaxonProcess(entry, tlsEnv({ PORT: String(await freePort()), ...over }));
    const code = await Promise.race([proc.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 60_000))]);
    assert.equal(code, 1, `${entry} exited with 1 rather than retrying:\n${proc.output()}`);
    assert.doesNotMatch(proc.output(), /retrying in/, 'refused at once, not retried as an outage');
    return proc.output();
  }

  it('a CA that did not issue the server certificate: TEMPORAL_TLS_CA_PATH', { timeout: 90_000 }, async () => {
    assert.match(await refused('api', { TEMPORAL_TLS_CA_PATH: otherCa.cert }), /TEMPORAL_TLS_CA_PATH: the certificate of the Temporal server at 127\.0\.0\.1:\d+ is not signed by the CA/);
  });

  it('no client certificate for a server that requires one: TEMPORAL_TLS_CERT_PATH', { timeout: 90_000 }, async () => {
    const out = await refused('worker', { TEMPORAL_TLS_CERT_PATH: undefined, TEMPORAL_TLS_KEY_PATH: undefined });
    assert.match(out, /TEMPORAL_TLS_CERT_PATH: the Temporal server at 127\.0\.0\.1:\d+ requires a client certificate \(mTLS\)/);
  });

  it('a client certificate from a CA the server does not trust: TEMPORAL_TLS_CERT_PATH', { timeout: 90_000 }, async () => {
    const out = await refused('worker', { TEMPORAL_TLS_CERT_PATH: strangerClient.cert, TEMPORAL_TLS_KEY_PATH: strangerClient.key });
    assert.match(out, /TEMPORAL_TLS_CERT_PATH: the Temporal server at 127\.0\.0\.1:\d+ closed every connection right after the TLS handshake: it refused the client certificate in TEMPORAL_TLS_CERT_PATH/);
  });

  it('a server name the certificate does not hold: TEMPORAL_TLS_SERVER_NAME', { timeout: 90_000 }, async () => {
    assert.match(await refused('api', { TEMPORAL_TLS_SERVER_NAME: undefined }), /TEMPORAL_TLS_SERVER_NAME: the certificate of the Temporal server at 127\.0\.0\.1:\d+ is not for "127\.0\.0\.1"/);
  });

  it('TLS to a plaintext frontend: TEMPORAL_TLS', { timeout: 90_000 }, async () => {
    assert.match(await refused('api', { TEMPORAL_ADDRESS: `127.0.0.1:${devPort}` }), /TEMPORAL_TLS: the server at 127\.0\.0\.1:\d+ does not answer TLS/);
  });

  it('a key that is not the certificate’s, or a file that is missing: before connecting', () => {
    const settings = {
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS: undefined,
      TEMPORAL_TLS_CA_PATH: path.join(dir, 'missing.crt'),
      TEMPORAL_TLS_CERT_PATH: client.cert,
      TEMPORAL_TLS_KEY_PATH: strangerClient.key,
      TEMPORAL_TLS_SERVER_NAME: undefined,
      TEMPORAL_API_KEY: undefined,
    };
    assert.throws(
      () => temporalTargetOf(settings),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.problems, [
          `TEMPORAL_TLS_CA_PATH: cannot read ${settings.TEMPORAL_TLS_CA_PATH} (ENOENT)`,
          `TEMPORAL_TLS_KEY_PATH: the key in ${strangerClient.key} is not the key of the certificate in TEMPORAL_TLS_CERT_PATH`,
        ]);
        return true;
      },
    );
    assert.throws(() => temporalTargetOf({ ...settings, TEMPORAL_TLS_CA_PATH: client.key, TEMPORAL_TLS_KEY_PATH: client.key }), /TEMPORAL_TLS_CA_PATH: .* holds no PEM certificate/);
    assert.throws(() => temporalTargetOf({ ...settings, TEMPORAL_TLS_CA_PATH: undefined, TEMPORAL_TLS_KEY_PATH: client.cert }), /TEMPORAL_TLS_KEY_PATH: .* holds no unencrypted PEM private key/);
    // Two days from now, the certificates made above have expired.
    const later = new Date(Date.now() + 3 * 24 * 3600_000);
    assert.throws(() => temporalTargetOf({ ...settings, TEMPORAL_TLS_CA_PATH: undefined, TEMPORAL_TLS_KEY_PATH: client.key }, undefined, later), /TEMPORAL_TLS_CERT_PATH: the certificate in .* expired on/);
    const good = temporalTargetOf({ ...settings, TEMPORAL_TLS_CA_PATH: serverCa.cert, TEMPORAL_TLS_KEY_PATH: client.key, TEMPORAL_API_KEY: 'k' });
    assert.deepEqual(Object.keys(good.tls!).sort(), ['clientCertPair', 'serverRootCACertificate']);
    assert.equal(good.apiKey, 'k');
  });
});
