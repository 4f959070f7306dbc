// A worker started while Temporal is unreachable waits for it: `npm run worker`'s entry point, pointed
// at a port where nothing listens, logs each failed try and retries with backoff; once a Temporal server
// comes up on that port it connects and runs alerts. Stopped while it waits, it exits cleanly.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { startHarness, type Harness } from './helpers/harness';
import { startTestTemporal } from './helpers/temporal';
import { startKlaxonProcess } from './helpers/klaxon-process';
import { waitFor } from './helpers/world';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** Starts the worker process; the file's cleanup kills it if the test has not stopped it. */
function startWorkerMain(env: Record<string, string>) {
  const worker = startKlaxonProcess('worker', env);
  cleanups.push(() => worker.kill());
  return worker;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const failedTries = (out: string) =>
  (out.match(/worker: Temporal at \S+ unreachable \(try \d+\), retrying in \d+ ms/g) ?? []).length;

it(
  'a worker started before Temporal retries with backoff, then connects and runs alerts',
  { timeout: 240_000 },
  async () => {
    const port = await freePort();
    const db: TestDatabase = await createTestDatabase();
    const taskQueue = `klaxon-outage-${Math.random().toString(36).slice(2)}`;
    const worker = startWorkerMain({
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_TASK_QUEUE: taskQueue,
    });
    await waitFor('two failed tries, logged', () => failedTries(worker.output()) >= 2, 60_000);
    assert.equal(worker.child.exitCode, null, 'still running, not exited');
    // Each try says when the next comes: the wait doubles.
    const delays = [...worker.output().matchAll(/retrying in (\d+) ms/g)].map((m) => Number(m[1]));
    assert.ok(delays[1]! > delays[0]!, `backoff grows: ${delays.join(', ')}`);

    const env = await startTestTemporal(port);
    // The harness, once started, owns the server and the database.
    const started: { h?: Harness } = {};
    cleanups.push(async () => (started.h ? started.h.close() : Promise.all([env.teardown(), db.drop()])));
    await waitFor(
      'the worker connected and polls',
      () => /"msg":"worker started"/.test(worker.output()),
      180_000,
    );
    assert.match(worker.output(), /worker: connected to Temporal/);

    const h = (started.h = await startHarness({ inProcessWorker: false, temporal: env, db, taskQueue }));
    const created = await h.request('POST', '/alerts', {
      summary: 'Disk full',
      severity: 'high',
      service: 'outage',
      source: 'test',
    });
    assert.equal(created.status, 201, `recorded by the worker process: ${JSON.stringify(created.body)}`);
    const acked = await h.request('POST', `/alerts/${created.body.id}/acknowledge`, { actor: 'alice' });
    assert.equal(acked.status, 200, JSON.stringify(acked.body));
    assert.equal((await h.request('GET', `/alerts/${created.body.id}`)).body.state, 'acknowledged');

    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.output().slice(-2000));
  },
);

it('a worker waiting for Temporal stops on SIGTERM and exits cleanly', { timeout: 120_000 }, async () => {
  const port = await freePort();
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  const worker = startWorkerMain({
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
    TEMPORAL_TASK_QUEUE: 'klaxon-outage-stop',
  });
  await waitFor('a failed try', () => failedTries(worker.output()) >= 1, 60_000);
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0, worker.output().slice(-2000));
  assert.match(worker.output(), /SIGTERM while waiting for Temporal: stopped/);
});
