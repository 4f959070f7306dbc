import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startTestTemporal } from './helpers/temporal';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await startTestTemporal();
});
after(async () => {
  await env?.teardown();
});

it('a one-hour durable timer completes in seconds of wall time on the time-skipping server', async () => {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'time-skipping',
    workflowsPath: require.resolve('./fixtures/sleeper-workflow'),
  });
  const wallStart = Date.now();
  const sleptMs = await worker.runUntil(
    env.client.workflow.execute('sleeper', { taskQueue: 'time-skipping', workflowId: `sleeper-${Date.now()}`, args: [1] }),
  );
  const wallMs = Date.now() - wallStart;
  assert.ok(sleptMs >= 3600_000, `workflow clock advanced ${sleptMs} ms`);
  assert.ok(wallMs < 30_000, `took ${wallMs} ms of wall time`);
});
