// SIGTERM, as an orchestrator sends it to PID 1 of a container, to `npm run worker` and `npm run api`:
// - the worker stops polling at once (its /readyz fails), lets the page it is sending finish within
//   SHUTDOWN_TIMEOUT_SECONDS, records it sent, and exits 0;
// - the API fails /readyz at once ('stopping') while it goes on serving for
//   SHUTDOWN_READINESS_DELAY_SECONDS, lets a request in flight finish, and exits 0.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { startKlaxonProcess, stopAll } from './helpers/klaxon-process';
import { freePort } from './helpers/npm-start';
import { LOOPBACK_ALLOWLIST_TEXT } from './helpers/pages';
import { startTestTemporal } from './helpers/temporal';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver';
import { waitFor } from './helpers/world';

let temporal: TestWorkflowEnvironment;
let db: TestDatabase;
let receiver: WebhookReceiver;
let env: Record<string, string>;

before(async () => {
  [temporal, db, receiver] = await Promise.all([startTestTemporal(), createTestDatabase(), startWebhookReceiver()]);
  env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.connection.options.address,
    TEMPORAL_TASK_QUEUE: 'drain-test',
    OUTBOUND_ALLOWLIST: LOOPBACK_ALLOWLIST_TEXT,
    // Long enough that the test's requests during the delay land in it even on a loaded machine.
    SHUTDOWN_READINESS_DELAY_SECONDS: '4',
    SHUTDOWN_TIMEOUT_SECONDS: '8',
  };
});

after(async () => {
  await stopAll();
  await receiver?.close();
  await temporal?.teardown();
  await db?.drop();
});

const status = async (url: string) => (await fetch(url).catch(() => undefined))?.status ?? 'refused';

it('SIGTERM: the worker finishes the page in flight and the API the request in flight, readiness failing first', { timeout: 180_000 }, async () => {
  const apiPort = await freePort();
  const workerPort = await freePort();
  const worker = startKlaxonProcess('worker', { ...env, WORKER_METRICS_PORT: String(workerPort), HOST: '127.0.0.1' });
  const api = startKlaxonProcess('api', { ...env, HOST: '127.0.0.1', PORT: String(apiPort) });
  await Promise.all([worker.waitFor(/"msg":"worker started"/, 120_000), api.waitFor(/"msg":"api listening"/, 120_000)]);
  const base = `http://127.0.0.1:${apiPort}`;
  const key = /admin API key \(shown once\)\s+(kx_\S+)/.exec(api.output())?.[1];
  const call = (method: string, route: string, body: unknown) =>
    fetch(`${base}${route}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const policy = (await (await call('POST', '/escalation-policies', { name: 'Slow hook', tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${receiver.url}/slow` }] }] })).json()) as { id: string };
  assert.equal((await call('PUT', '/escalation-rules', { rules: [{ policy_id: policy.id, services: ['drain'] }] })).status, 200);
  const workerReady = `http://127.0.0.1:${workerPort}/readyz`;
  assert.equal(await status(workerReady), 200);

  // The receiver holds its answer 3 s: the worker is told to stop while the page is being sent.
  receiver.respondWith('/slow', 200, { delayMs: 3_000 });
  const first = await call('POST', '/alerts', { summary: 'Paged while stopping', severity: 'critical', service: 'drain', source: 'test', dedup_key: 'drain-1' });
  assert.equal(first.status, 201);
  await waitFor('the page reaches the receiver', () => receiver.requests.some((r) => r.path === '/slow'), 30_000);
  worker.child.kill('SIGTERM');
  await waitFor('the stopping worker is not ready', async () => (await status(workerReady)) === 503, 3_000);
  assert.equal(await worker.exited, 0, worker.output());
  assert.match(worker.output(), /"msg":"stopped"/);
  const sent = await db.pool.query<{ status: string; attempts: number }>("select status, attempts from notifications where channel = 'webhook'");
  assert.deepEqual(sent.rows, [{ status: 'sent', attempts: 1 }], 'the page in flight finished and was recorded');
  // ...and its activity completed: one cut off by the shutdown would wait, failed, for another worker to retry it.
  const { workflow_id } = (await first.json()) as { workflow_id: string };
  const { raw } = await temporal.client.workflow.getHandle(workflow_id).describe();
  assert.deepEqual(
    (raw.pendingActivities ?? []).filter((a) => a.lastFailure).map((a) => `${a.activityType?.name}: ${a.lastFailure?.message}`),
    [],
    'no activity left failed by the shutdown',
  );

  // A page that does not finish within the bound does not hold the worker: it stops anyway, saying so
  // (the page's claim in Postgres keeps a retry elsewhere from sending it twice).
  const stuck = startKlaxonProcess('worker', { ...env, SHUTDOWN_TIMEOUT_SECONDS: '1' });
  await stuck.waitFor(/"msg":"worker started"/, 120_000);
  receiver.respondWith('/slow', 200, { delayMs: 120_000 });
  const pagesBefore = receiver.requests.length;
  assert.equal((await call('POST', '/alerts', { summary: 'Stuck page', severity: 'critical', service: 'drain', source: 'test', dedup_key: 'drain-stuck' })).status, 201);
  await waitFor('the stuck page reaches the receiver', () => receiver.requests.length > pagesBefore, 30_000);
  const killedAt = Date.now();
  stuck.child.kill('SIGTERM');
  const code = await Promise.race([stuck.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000))]);
  assert.notEqual(code, 'still running', `stopped within its bound (1 s to finish, 5 s more to give up), not when the page answers:\n${stuck.output()}`);
  assert.ok(Date.now() - killedAt < 30_000);

  // A request in flight at the API's SIGTERM: POST /alerts waits for a worker to record the alert, and
  // the only worker is paused until the API has been told to stop.
  const next = startKlaxonProcess('worker', env);
  await next.waitFor(/"msg":"worker started"/, 120_000);
  next.child.kill('SIGSTOP');
  const inFlight = call('POST', '/alerts', { summary: 'In flight at SIGTERM', severity: 'low', service: 'quiet', source: 'test', dedup_key: 'drain-2' });
  await new Promise((r) => setTimeout(r, 300));
  api.child.kill('SIGTERM');
  await api.waitFor(/stopping: readiness fails from now on/, 5_000);
  const readiness = await fetch(`${base}/readyz`);
  assert.equal(readiness.status, 503);
  assert.equal(((await readiness.json()) as { status: string }).status, 'stopping');
  assert.equal(await status(`${base}/healthz`), 200, 'still serving during the readiness delay');
  next.child.kill('SIGCONT');
  const answered = await inFlight;
  assert.equal(answered.status, 201, await answered.clone().text());
  assert.equal(await api.exited, 0, api.output());
  assert.match(api.output(), /"msg":"stopped"/);
  assert.doesNotMatch(api.output(), /answered 503/);
  next.child.kill('SIGTERM');
});
