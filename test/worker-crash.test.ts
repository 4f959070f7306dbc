import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, it } from 'node:test';
import { startHarness, type Harness } from './helpers/harness';
import { LOOPBACK_ALLOWLIST_TEXT } from './helpers/pages';

let h: Harness;
before(async () => {
  h = await startHarness({ inProcessWorker: false });
});
after(async () => {
  await h?.close();
});

/** Starts a worker process and resolves with it once it polls. */
function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', require.resolve('./fixtures/worker-process')], {
    env: { ...process.env, DATABASE_URL: h.db.url, TEMPORAL_ADDRESS: h.env.address, TEMPORAL_TASK_QUEUE: h.taskQueue, OUTBOUND_ALLOWLIST: LOOPBACK_ALLOWLIST_TEXT },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker-ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

it('a worker killed while an alert sleeps on a timer loses nothing: a new worker finishes it', { timeout: 120_000 }, async () => {
  const first = await startWorkerProcess();
  const created = await h.request('POST', '/alerts', {
    summary: 'API latency high',
    severity: 'high',
    service: 'checkout',
    source: 'prometheus',
  });
  assert.equal(created.status, 201);
  const resolved = await h.request('POST', `/alerts/${created.body.id}/resolve`, { actor: 'bob' });
  assert.equal(resolved.status, 200);
  // The workflow now waits on its 30-minute reopen-window timer. Crash the worker the hard way.
  const exited = new Promise((r) => first.once('exit', r));
  first.kill('SIGKILL');
  await exited;

  const second = await startWorkerProcess();
  try {
    const handle = h.env.client.workflow.getHandle(created.body.workflow_id);
    // result() on the time-skipping client skips the 30 minutes.
    const final = await handle.result();
    assert.equal(final.state, 'resolved');
    assert.equal(final.alertId, created.body.id);
    const history = await handle.fetchHistory();
    const identities = history.events!.filter((e) => e.workflowTaskStartedEventAttributes).map((e) => e.workflowTaskStartedEventAttributes!.identity);
    assert.ok(identities.at(-1)?.startsWith(`${second.pid}@`), `last workflow task ran on the new worker: ${identities.join(', ')}`);
    assert.ok(identities.some((id) => id?.startsWith(`${first.pid}@`)), 'earlier tasks ran on the killed worker');
    const { rows } = await h.db.pool.query('select state from alerts where id = $1', [created.body.id]);
    assert.equal(rows[0].state, 'resolved');
  } finally {
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }
});
