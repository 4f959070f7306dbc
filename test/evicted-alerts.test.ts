// More alerts open than the worker caches: each one evicted from the cache is replayed from its history
// when its next timer fires. Every alert still pages its second tier once, dated at its exact offset,
// and the replays never fail a workflow task (a non-deterministic replay would show up here).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { pageOffsets, startWorld, waitFor, type World } from './helpers/world';

const OPEN = 12;
const CACHED = 2;
let w: World;
before(async () => {
  w = await startWorld({ maxCachedWorkflows: CACHED });
});
after(async () => {
  await w?.close();
});

it(`pages tier 2 of ${OPEN} open alerts on time with a workflow cache of ${CACHED}`, async () => {
  const tiers = [0, 10].map((delay, i) => ({ delay_minutes: delay, targets: [{ type: 'webhook', url: `${w.hooks.url}/evicted-t${i}` }] }));
  await w.policy({ tiers, is_default: true });
  const alerts = [];
  for (let i = 0; i < OPEN; i++) alerts.push(await w.trigger({ service: 'evicted', dedup_key: `disk-${i}`, summary: `disk ${i} full` }));
  await waitFor('every first page', () => w.hits('/evicted-t0') === OPEN, 30_000);
  await w.env.sleep('11 minutes');
  await waitFor('every second page', () => w.hits('/evicted-t1') === OPEN, 30_000);
  for (const { id } of alerts) {
    // The receiver has a page a moment before the alert's live view lists it.
    await waitFor(`alert ${id}'s second page in its view`, async () => pageOffsets(await w.view(id)).length === 2);
    assert.deepEqual(pageOffsets(await w.view(id)), [0, 10]);
  }
  await w.env.sleep('1 hour');
  assert.equal(w.hits('/evicted-t0') + w.hits('/evicted-t1'), 2 * OPEN, 'no page twice');
  for (const { workflowId } of alerts) {
    const events = (await w.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const failed = events.filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    assert.equal(failed.length, 0, `${workflowId}: a workflow task failed on replay`);
  }
});
