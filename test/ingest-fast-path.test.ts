// A repeat of an alert this process delivered to lately is a plain signal: no planning, no start
// request. When that alert has closed meanwhile the signal finds nothing and the trigger is planned and
// started like a new one, so correctness never rests on the list of recent alerts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowClient } from '@temporalio/client';
import { storeReads, type PlanReads } from '../api/alert-plan';
import { RecentAlerts } from '../api/recent-alerts';
import { triggerAlert, type TriggerDeps, type TriggerFields } from '../api/trigger';
import { alertWorkflowId } from '../workflows/messages';
import { startHarness, type Harness } from './helpers/harness';
import { waitFor } from './helpers/world';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

/** The harness's Temporal client and the store's planning reads, counting the calls that matter here. */
function counted() {
  const calls = { signalWithStart: 0, signal: 0, plans: 0 };
  const real = h.env.client.workflow;
  const workflows = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'signalWithStart') {
        return (...args: Parameters<WorkflowClient['signalWithStart']>) => {
          calls.signalWithStart++;
          return target.signalWithStart(...args);
        };
      }
      if (prop === 'getHandle') {
        return (...args: Parameters<WorkflowClient['getHandle']>) => {
          const handle = target.getHandle(...args);
          return new Proxy(handle, {
            get(t, p, r) {
              if (p !== 'signal') return Reflect.get(t, p, r);
              return (...a: Parameters<typeof handle.signal>) => {
                calls.signal++;
                return t.signal(...a);
              };
            },
          });
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  const store = storeReads(h.db.pool);
  const plans: PlanReads = {
    matchingInputs: () => (calls.plans++, store.matchingInputs()),
    policy: (id) => store.policy(id),
    slaOverrides: (service) => store.slaOverrides(service),
  };
  const deps: TriggerDeps = {
    pool: h.db.pool,
    workflows,
    taskQueue: h.taskQueue,
    slaAtRiskFraction: 0.75,
    reopenWindowMs: 30 * 60_000,
    plans,
    recent: new RecentAlerts({ max: 100, ttlMs: 60_000 }),
  };
  return { calls, deps };
}

const fields = (dedupKey: string): TriggerFields => ({
  summary: `queue backlog ${dedupKey}`,
  severity: 'medium',
  service: 'fast',
  source: 'test',
  dedupKey,
  labels: {},
  details: {},
  links: [],
});
const alertsOf = async (dedupKey: string) =>
  (
    await h.db.pool.query('select id, occurrences from alerts where dedup_key = $1 order by triggered_at', [
      dedupKey,
    ])
  ).rows;

describe('a repeat of a recently delivered alert', () => {
  it('is a plain signal with no planning while the alert is open', async () => {
    const { calls, deps } = counted();
    const first = await triggerAlert(deps, fields('fast-1'));
    assert.deepEqual(calls, { signalWithStart: 1, signal: 0, plans: 1 });
    assert.ok(deps.recent!.has(first.workflowId));
    await waitFor('recorded', async () => (await alertsOf('fast-1')).length === 1);

    const second = await triggerAlert(deps, fields('fast-1'));
    assert.deepEqual(calls, { signalWithStart: 1, signal: 1, plans: 1 });
    assert.equal(second.workflowId, first.workflowId);
    await waitFor('the repeat counted', async () => (await alertsOf('fast-1'))[0]?.occurrences === 2);
    assert.equal((await alertsOf('fast-1')).length, 1);
  });

  it('is planned and started anew when the alert closed meanwhile', async () => {
    const { calls, deps } = counted();
    const first = await triggerAlert(deps, fields('fast-2'));
    await waitFor('recorded', async () => (await alertsOf('fast-2')).length === 1);
    await h.env.client.workflow.getHandle(first.workflowId).terminate('closed for the test');

    await triggerAlert(deps, fields('fast-2'));
    assert.deepEqual(
      calls,
      { signalWithStart: 2, signal: 1, plans: 2 },
      'tried the signal, then planned and started',
    );
    const run = await h.env.client.workflow.getHandle(first.workflowId).describe();
    assert.equal(run.status.name, 'RUNNING');
    await waitFor('a second alert', async () => (await alertsOf('fast-2')).length === 2);
    assert.ok(deps.recent!.has(first.workflowId), 'remembered again');
  });

  it('in a process that did not deliver it, with planning not in memory, is a signal too: planned only once none is open', async () => {
    const { calls, deps } = counted();
    // Reads with nothing in memory (a cache not serving): planning would query Postgres.
    const cold: TriggerDeps = { ...deps, plans: { ...deps.plans!, inMemory: () => undefined } };
    const first = await triggerAlert(cold, fields('fast-4'));
    assert.deepEqual(
      calls,
      { signalWithStart: 1, signal: 1, plans: 1 },
      'tried the signal, found no alert, planned and started',
    );
    await waitFor('recorded', async () => (await alertsOf('fast-4')).length === 1);

    const elsewhere: TriggerDeps = { ...cold, recent: new RecentAlerts({ max: 100, ttlMs: 60_000 }) };
    const second = await triggerAlert(elsewhere, fields('fast-4'));
    assert.deepEqual(
      calls,
      { signalWithStart: 1, signal: 2, plans: 1 },
      'a signal to the open alert, no planning',
    );
    assert.equal(second.workflowId, first.workflowId);
    assert.ok(elsewhere.recent!.has(first.workflowId));
    await waitFor('the repeat counted', async () => (await alertsOf('fast-4'))[0]?.occurrences === 2);
  });

  it('is what ingest does with the app caches: duplicates reach the open alert', async () => {
    const made = await h.request('POST', '/integrations', { type: 'pagerduty', name: 'pd', service: 'fast' });
    const event = {
      routing_key: made.body.routing_key,
      event_action: 'trigger',
      dedup_key: 'fast-3',
      payload: { summary: 's', source: 'x', severity: 'info' },
    };
    for (let i = 0; i < 3; i++)
      assert.equal((await h.request('POST', '/v2/enqueue', event, { key: null })).status, 202);
    assert.ok(h.caches.recent.has(alertWorkflowId('fast', 'fast-3')));
    await waitFor('three occurrences', async () => (await alertsOf('fast-3'))[0]?.occurrences === 3);
    assert.equal((await alertsOf('fast-3')).length, 1);
  });
});
