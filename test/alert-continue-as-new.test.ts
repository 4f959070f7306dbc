// A long-lived alert that keeps reopening continues as new at a resolved moment: the new run carries its
// state (occurrences, cycle, timeline), the API keeps reaching it through the first run's id, and it
// still pages on the next reopen and completes after the reopen window.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { ALERT_WORKFLOW_TYPE, alertWorkflowId, resolveUpdate, triggerSignal, type AlertEvent, type AlertInput } from '../workflows/messages';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

it('continues as new when its history grows, and goes on paging, reopening and closing as before', async () => {
  const url = `${w.hooks.url}/long-lived`;
  const policyId = await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url }] }] });
  const event: AlertEvent = {
    eventId: randomUUID(),
    summary: 'queue depth above 10k',
    severity: 'high',
    service: 'queues',
    source: 'checks',
    dedupKey: 'depth',
    labels: {},
    details: {},
    links: [],
  };
  const input: AlertInput = {
    alertId: randomUUID(),
    event,
    policy: { id: policyId, name: 'long-lived', tiers: [{ delayMinutes: 0, targets: [{ type: 'webhook', url }] }], repeat: 0, repeatDelayMinutes: 0, ackTimeoutMinutes: null, autoResolveMinutes: null },
    sla: { targets: { ttaMs: 24 * 3_600_000, ttrMs: 48 * 3_600_000 }, atRiskFraction: 0.75 },
    reopenWindowMs: 2 * 3_600_000,
    // Low enough that a few reopen cycles cross it.
    historyLimit: 60,
  };
  const workflowId = alertWorkflowId(event.service, event.dedupKey);
  const first = await w.env.client.workflow.start(ALERT_WORKFLOW_TYPE, { workflowId, taskQueue: w.taskQueue, args: [input] });
  await waitFor('first page', () => w.hits('/long-lived') === 1);

  // Resolve and re-trigger an hour apart (too slow to count as flapping) until the run changes.
  let cycles = 0;
  for (; cycles < 12; cycles++) {
    await w.env.client.workflow.getHandle(workflowId).executeUpdate(resolveUpdate, { args: [{ actor: 'test' }] });
    await w.env.sleep('61 minutes');
    await w.env.client.workflow.getHandle(workflowId).signal(triggerSignal, { ...event, eventId: randomUUID() });
    await waitFor(`page ${cycles + 2}`, () => w.hits('/long-lived') === cycles + 2);
    const { runId } = await w.env.client.workflow.getHandle(workflowId).describe();
    if (runId !== first.firstExecutionRunId) break;
  }
  const described = await w.env.client.workflow.getHandle(workflowId).describe();
  assert.notEqual(described.runId, first.firstExecutionRunId, `continued as new within ${cycles + 1} cycles`);
  assert.equal((described.memo as { alertId?: string } | undefined)?.alertId, undefined, 'memo is carried as it was (none here)');

  // The API reaches the continued run through the first run's id, with the state carried over.
  const detail = await w.request('GET', `/alerts/${input.alertId}`);
  assert.equal(detail.status, 200, JSON.stringify(detail.body));
  assert.equal(detail.body.live.state, 'new');
  assert.equal(detail.body.live.occurrences, cycles + 2);
  assert.equal(detail.body.live.escalation.cycle, cycles + 1);
  assert.equal(detail.body.timeline.filter((t: { action: string }) => t.action === 'reopen').length, cycles + 1);

  // It still acts and closes: resolve through the API, then the window passes and the workflow completes.
  assert.equal((await w.request('POST', `/alerts/${input.alertId}/resolve`, {})).status, 200);
  const view = await w.env.client.workflow.getHandle(workflowId).result();
  assert.equal(view.state, 'resolved');
  assert.equal(w.hits('/long-lived'), cycles + 2, 'one page per cycle, none repeated by the new run');
});
