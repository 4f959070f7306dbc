// /readyz means "can page": with the Temporal dev server (which describes task queues, unlike the
// time-skipping server), it answers 503 naming the task queue while no worker polls, 200 once one does,
// 503 again within READY_WORKER_POLL_SECONDS of the worker stopping, and 200 when a worker is back.
// klaxon_task_queue_pollers says the same to Prometheus.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { startDevServer } from '../runtime/temporal';
import { startHarness, type Harness } from './helpers/harness';
import { freePort } from './helpers/npm-start';

// The smallest threshold the configuration accepts: an idle worker's long poll lasts 60 s.
const MAX_AGE_MS = 65_000;
let h: Harness;
let dir: string;

before(async () => {
  const cli = process.env.TEMPORAL_CLI_PATH;
  assert.ok(cli, 'npm test provisions the Temporal CLI (TEMPORAL_CLI_PATH)');
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-ready-'));
  const temporal = await startDevServer({ executable: { type: 'existing-path', path: cli }, port: await freePort(), uiPort: await freePort(), dbFile: path.join(dir, 'temporal.db'), namespace: 'default' });
  h = await startHarness({ temporal, inProcessWorker: false, workerPollMaxAgeMs: MAX_AGE_MS });
});
after(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function readiness(): Promise<{ status: number; workers: string }> {
  const res = await h.request('GET', '/readyz', undefined, { key: null });
  return { status: res.status, workers: res.body.checks.workers };
}

async function pollers(): Promise<string> {
  const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('klaxon_task_queue_pollers{')).join('; ');
}

/** Returns the readiness once `want` holds, polling every 500 ms for up to `ms`; throws with the last one. */
async function readinessWhen(want: (r: { status: number; workers: string }) => boolean, ms: number): Promise<{ status: number; workers: string; afterMs: number }> {
  const start = Date.now();
  let last = await readiness();
  while (!want(last)) {
    if (Date.now() - start > ms) assert.fail(`readiness still ${JSON.stringify(last)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 500));
    last = await readiness();
  }
  return { ...last, afterMs: Date.now() - start };
}

it('fails while no worker polls, passes once one does, fails again soon after it stops', { timeout: 240_000 }, async () => {
  const none = await readiness();
  assert.equal(none.status, 503);
  assert.match(none.workers, new RegExp(`^unavailable: no worker polled task queue ${h.taskQueue} \\(alert workflows\\) or task queue ${h.taskQueue}-pages \\(pages\\) in the last 65 s`));
  assert.match(await pollers(), /queue="alerts"\} 0.*queue="pages"\} 0/);

  await h.startWorker();
  const up = await readinessWhen((r) => r.status === 200, 15_000);
  assert.match(up.workers, /^ok: [1-9]\d* alert and [1-9]\d* page pollers$/);
  assert.match(await pollers(), /queue="alerts"\} [1-9].*queue="pages"\} [1-9]/);

  await h.stopWorker();
  const down = await readinessWhen((r) => r.status === 503, MAX_AGE_MS + 20_000);
  assert.match(down.workers, /^unavailable: no worker polled/);
  assert.ok(down.afterMs <= MAX_AGE_MS + 20_000, `503 ${down.afterMs} ms after the worker stopped`);

  await h.startWorker();
  await readinessWhen((r) => r.status === 200, 15_000);
});
