// Secrets never reach the logs or an error body: API keys (good and bad), routing keys (in the body and in
// the URL), contact-method webhook secrets, and the configured SMTP password, Twilio token, webhook
// signing secret and database password. The app logs at trace level into a buffer while requests carrying
// them go through success and error paths (malformed bodies, unknown keys and routes, a database that is
// down); then the buffer and every response that is not the one-time display of a new key are searched.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { after, before, it } from 'node:test';
import type express from 'express';
import { createApp } from '../api/app';
import { listen } from '../api/listen';
import { createEmailNotifier, createSmsNotifier, createWebhookNotifier } from '../notifiers';
import { ConfigError, loadConfig } from '../runtime/config';
import { createLogger, type Logger } from '../runtime/logger';
import { createPool } from '../store/db';
import { startFakeTwilio, type FakeTwilio } from './helpers/fake-twilio';
import { startHarness, type Harness } from './helpers/harness';
import { closedPort, delivery, LOOPBACK_ALLOWLIST } from './helpers/pages';
import { startSmtpServer, type TestSmtpServer } from './helpers/smtp';

const FRAGMENT = 10;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const secrets = {
  badKey: `kx_${randomBytes(32).toString('base64url')}`,
  unknownRoutingKey: hex(16),
  webhookSecret: `whsec-${hex(12)}`,
  tooLongWebhookSecret: `whsec-${hex(150)}`,
  smtpPassword: `smtp-pass-${hex(8)}`,
  twilioAuthToken: `tw-${hex(16)}`,
  webhookSigningSecret: `sign-${hex(16)}`,
  databasePassword: `db-pass-${hex(8)}`,
};

/** Secrets that exist only once the test has run: keys the app hands out. */
const issued: Record<string, string> = {};

const logLines: string[] = [];
const log: Logger = createLogger('trace', 'klaxon-secrets-test', { write: (line: string) => void logLines.push(line) });
/** Every response body that must be free of secrets, with what produced it. */
const bodies: { what: string; status: number; text: string }[] = [];

let h: Harness;
let broken: { server: Server; url: string; pool: ReturnType<typeof createPool> };
let smtp: TestSmtpServer;
let twilio: FakeTwilio;

async function serve(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = await listen(app, 0);
  const address = server.address();
  return { server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

before(async () => {
  h = await startHarness({ log, inProcessWorker: false });
  // The same app over a database that refuses connections, whose URL carries a password.
  const pool = createPool(`postgres://klaxon:${secrets.databasePassword}@127.0.0.1:${await closedPort()}/klaxon`);
  const app = createApp({ pool, temporal: h.env.client, taskQueue: h.taskQueue, log });
  broken = { ...(await serve(app)), pool };
  smtp = await startSmtpServer();
  twilio = await startFakeTwilio();
});
after(async () => {
  await new Promise<void>((resolve) => broken?.server.close(() => resolve()));
  await broken?.pool.end();
  await smtp?.close();
  await twilio?.close();
  await h?.close();
});

/** Sends a request and keeps its answer for the final search unless it is a key shown once on purpose. */
async function send(
  base: string,
  method: string,
  path: string,
  opts: { key?: string; authorization?: string; raw?: string; json?: unknown; revealsSecret?: boolean } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.authorization) headers.authorization = opts.authorization;
  const body = opts.raw ?? (opts.json === undefined ? undefined : JSON.stringify(opts.json));
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  if (!opts.revealsSecret) bodies.push({ what: `${method} ${path}`, status: res.status, text });
  return { status: res.status, text, json: () => JSON.parse(text) };
}

it('keeps every secret out of the logs and out of error bodies', async () => {
  const api = (method: string, path: string, opts: Parameters<typeof send>[3] = {}) => send(h.baseUrl, method, path, opts);
  issued.adminKey = h.adminKey;

  // API keys: unknown, malformed header, valid, and a valid key inside a malformed body.
  assert.equal((await api('GET', '/alerts', { key: secrets.badKey })).status, 401);
  assert.equal((await api('GET', '/alerts', { authorization: `Bearer ${secrets.badKey} trailing` })).status, 401);
  assert.equal((await api('GET', '/alerts', { authorization: `Basic ${secrets.badKey}` })).status, 401);
  assert.equal((await api('GET', '/alerts', { key: h.adminKey })).status, 200);
  assert.equal((await api('POST', '/alerts', { key: h.adminKey, raw: h.adminKey })).status, 400);
  assert.equal((await api('POST', '/alerts', { key: h.adminKey, raw: `{"summary": "${secrets.badKey}", ` })).status, 400);
  const created = await api('POST', '/api-keys', { key: h.adminKey, json: { name: 'responder', role: 'responder' }, revealsSecret: true });
  const responderKey: string = created.json().key;
  issued.responderKey = responderKey;
  assert.equal((await api('GET', '/api-keys', { key: responderKey })).status, 403);
  assert.equal((await api('GET', '/alerts', { key: responderKey })).status, 200);
  assert.equal((await api('GET', '/api-keys', { key: h.adminKey })).status, 200);

  // Routing keys: in the PagerDuty body, in the receivers' path; valid, unknown, malformed around them.
  const pd = await api('POST', '/integrations', { key: h.adminKey, json: { type: 'pagerduty', name: 'pd', service: 's' }, revealsSecret: true });
  const pdRoutingKey: string = pd.json().routing_key;
  issued.pdRoutingKey = pdRoutingKey;
  const am = await api('POST', '/integrations', { key: h.adminKey, json: { type: 'alertmanager', name: 'am', service: 's' }, revealsSecret: true });
  const amRoutingKey: string = am.json().routing_key;
  issued.amRoutingKey = amRoutingKey;
  assert.equal((await api('GET', '/integrations', { key: h.adminKey })).status, 200);
  const event = (routingKey: string) => ({ routing_key: routingKey, event_action: 'trigger', payload: { summary: 'x', source: 'y', severity: 'error' } });
  assert.equal((await api('POST', '/v2/enqueue', { json: event(pdRoutingKey) })).status, 202);
  assert.equal((await api('POST', '/v2/enqueue', { json: event(secrets.unknownRoutingKey) })).status, 400);
  assert.equal((await api('POST', '/v2/enqueue', { raw: `{"routing_key": "${pdRoutingKey}", ` })).status, 400);
  assert.equal((await api('POST', '/v2/enqueue', { raw: pdRoutingKey })).status, 400);
  assert.equal((await api('POST', `/integrations/alertmanager/${amRoutingKey}`, { json: { alerts: 'no' } })).status, 400);
  assert.equal((await api('POST', `/integrations/alertmanager/${amRoutingKey}`, { raw: amRoutingKey })).status, 400);
  assert.equal((await api('POST', `/integrations/alertmanager/${secrets.unknownRoutingKey}`, { json: {} })).status, 404);
  assert.equal((await api('POST', `/integrations/generic/${amRoutingKey}`, { json: {} })).status, 404);
  assert.equal((await api('POST', `/integrations/alertmanagr/${amRoutingKey}`, { json: {} })).status, 401);
  assert.equal((await api('POST', `/integrations/alertmanagr/${amRoutingKey}`, { key: h.adminKey, json: {} })).status, 404);
  assert.equal((await api('POST', `/integrations/alertmanager/${amRoutingKey}%E0%A4%A`, { json: {} })).status, 400);

  // Contact-method webhook secrets are write-only, accepted or refused.
  const webhook = (secret: string) => ({ name: 'Wes', contact_methods: [{ type: 'webhook', address: 'https://hooks.example/x', secret }] });
  assert.equal((await api('POST', '/users', { key: h.adminKey, json: webhook(secrets.webhookSecret) })).status, 201);
  assert.equal((await api('POST', '/users', { key: h.adminKey, json: webhook(secrets.tooLongWebhookSecret) })).status, 400);
  assert.equal((await api('GET', '/users', { key: h.adminKey })).status, 200);

  // A database that is down: every path that needs it fails with 503, logged, after keys are in hand.
  const down = (method: string, path: string, opts: Parameters<typeof send>[3] = {}) => send(broken.url, method, path, opts);
  assert.equal((await down('GET', '/alerts', { key: h.adminKey })).status, 503);
  assert.equal((await down('POST', '/v2/enqueue', { json: event(pdRoutingKey) })).status, 503);
  assert.equal((await down('POST', `/integrations/alertmanager/${amRoutingKey}`, { json: { alerts: [] } })).status, 503);
  assert.equal((await down('GET', '/readyz')).status, 503);

  // Configuration: the SMTP password (inside SMTP_URL), the Twilio token, the signing secret, the database
  // password; valid and invalid, logged as a whole (as someone debugging might) and used by the notifiers.
  const env = {
    SMTP_URL: `smtp://klaxon:${secrets.smtpPassword}@127.0.0.1:${smtp.port}`,
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: secrets.twilioAuthToken,
    TWILIO_FROM_NUMBER: '+15550000000',
    TWILIO_API_URL: twilio.url,
    WEBHOOK_SIGNING_SECRET: secrets.webhookSigningSecret,
    DATABASE_URL: `postgres://klaxon:${secrets.databasePassword}@db:5432/klaxon`,
  };
  const config = loadConfig(env);
  log.info({ config }, 'configuration');
  assert.throws(
    () => loadConfig({ ...env, SMTP_URL: `smtpx://klaxon:${secrets.smtpPassword}@mail`, DATABASE_URL: `mysql://klaxon:${secrets.databasePassword}@db/k` }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      log.error({ err }, 'invalid configuration');
      bodies.push({ what: 'ConfigError', status: 0, text: err.message });
      return true;
    },
  );
  const failures = await Promise.allSettled([
    // The test SMTP server has no AUTH mechanism configured: the login with the password is refused.
    createEmailNotifier({ smtpUrl: config.SMTP_URL, from: 'klaxon@example.com' }).send(delivery('email', 'a@example.com')),
    createEmailNotifier({ smtpUrl: `smtp://klaxon:${secrets.smtpPassword}@127.0.0.1:${await closedPort()}`, from: 'k@example.com' }).send(delivery('email', 'a@example.com')),
    // The fake Twilio expects another token: 401.
    createSmsNotifier({ accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN, from: config.TWILIO_FROM_NUMBER, apiUrl: config.TWILIO_API_URL }).send(delivery('sms', '+15551234567')),
    createWebhookNotifier({ defaultSecret: config.WEBHOOK_SIGNING_SECRET, timeoutMs: 2_000, allowlist: LOOPBACK_ALLOWLIST }).send(delivery('webhook', `http://127.0.0.1:${await closedPort()}/hook`)),
    createWebhookNotifier({ timeoutMs: 2_000, allowlist: LOOPBACK_ALLOWLIST }).send(delivery('webhook', `http://127.0.0.1:${await closedPort()}/hook`, { secret: secrets.webhookSecret })),
  ]);
  for (const f of failures) {
    assert.equal(f.status, 'rejected');
    const err = (f as PromiseRejectedResult).reason as Error;
    // What a failed page records (and GET /alerts/:id shows) is the error's message.
    bodies.push({ what: `notifier error: ${err.message}`, status: 0, text: err.message });
    log.error({ err }, 'page failed');
  }

  const logs = logLines.join('');
  // The search means something only if the error paths were logged.
  assert.ok(logLines.filter((l) => l.includes('unhandled error') || l.includes('postgres unreachable')).length >= 3, logs);
  for (const [name, secret] of Object.entries({ ...secrets, ...issued })) {
    assert.ok(secret.length >= 16, name);
    // Any 10 characters in a row, not only the whole secret: V8's JSON errors quote the first ten of a bad
    // token. (Key listings show 7-character prefixes on purpose.)
    for (let i = 0; i + FRAGMENT <= secret.length; i++) {
      const part = secret.slice(i, i + FRAGMENT);
      assert.ok(!logs.includes(part), `${name} (${part}) appears in the logs:\n${logs.split('\n').filter((l) => l.includes(part)).join('\n')}`);
      for (const b of bodies) assert.ok(!b.text.includes(part), `${name} (${part}) appears in the answer to ${b.what} (${b.status}): ${b.text}`);
    }
  }
  assert.ok(bodies.length > 30, `${bodies.length} bodies searched`);
  // Errors are logged by route pattern, and URLs with passwords stay readable.
  assert.match(logs, /"route":"POST \/integrations\/alertmanager\/:key"/);
  assert.match(logs, /"route":"POST \/v2\/enqueue"/);
  assert.match(logs, /"SMTP_URL":"smtp:\/\/klaxon:\[redacted\]@127\.0\.0\.1/);
});
