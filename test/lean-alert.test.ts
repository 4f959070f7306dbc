// What one alert costs the engine, read from its history: a paging alert reaches its first page within
// two workflow tasks and fourteen history events, and a quiet one records in a single task. Each extra
// activity, marker or timer shows here; the history is the engine's own account, nothing is estimated.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { AlertStateKey, ServiceKey as AlertServiceKey } from '../workflows/messages';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
let routingKey: string;
before(async () => {
  w = await startWorld({ ingestRatePerMinute: 10_000 });
  const policy = await w.policy({
    tiers: [
      { delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/lean` }] },
      { delay_minutes: 30, targets: [{ type: 'webhook', url: `${w.hooks.url}/lean-2` }] },
    ],
  });
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  assert.equal(
    (
      await w.request('PUT', '/escalation-rules', {
        rules: [{ policy_id: policy, services: ['lean'] }, ...current],
      })
    ).status,
    200,
  );
  const res = await w.request('POST', '/integrations', { type: 'pagerduty', name: 'lean', service: 'lean' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  routingKey = res.body.routing_key;
});
after(async () => {
  await w?.close();
});

type Event = temporal.api.history.v1.IHistoryEvent;
const typeOf = (e: Event) => temporal.api.enums.v1.EventType[e.eventType ?? 0]!.replace(/^EVENT_TYPE_/, '');

async function history(workflowId: string): Promise<Event[]> {
  return (await w.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

/** The events up to the workflow task that took the first page's result, and how many tasks completed by then. */
function toFirstPage(events: Event[]): { events: string[]; tasks: number } {
  const pageDone = events.findIndex((e) => e.activityTaskCompletedEventAttributes);
  assert.ok(pageDone >= 0, `no activity completed: ${events.map(typeOf).join(', ')}`);
  const taskDone = events.findIndex((e, i) => i > pageDone && e.workflowTaskCompletedEventAttributes);
  assert.ok(taskDone >= 0, 'the page result was never taken by a workflow task');
  const upTo = events.slice(0, taskDone + 1);
  return {
    events: upTo.map(typeOf),
    tasks: upTo.filter((e) => e.workflowTaskCompletedEventAttributes).length,
  };
}

const enqueue = (key: string, dedup: string, summary: string) =>
  w.request(
    'POST',
    '/v2/enqueue',
    {
      routing_key: key,
      event_action: 'trigger',
      dedup_key: dedup,
      payload: { summary, source: 'db-1', severity: 'critical' },
    },
    { key: null },
  );
const workflowOf = async (dedup: string) =>
  (
    await w.db.pool.query<{ workflow_id: string }>('select workflow_id from alerts where dedup_key = $1', [
      dedup,
    ])
  ).rows[0]?.workflow_id;
const pageTaken = (events: Event[]) =>
  events.some(
    (e, i) =>
      e.activityTaskCompletedEventAttributes &&
      events.slice(i).some((x) => x.workflowTaskCompletedEventAttributes),
  );

/** Checks the cost of an alert's way to its first page. */
function assertLean(spent: { events: string[]; tasks: number }): void {
  const shown = spent.events.join(', ');
  assert.ok(spent.tasks <= 2, `${spent.tasks} workflow tasks to the first page: ${shown}`);
  assert.ok(spent.events.length <= 14, `${spent.events.length} events to the first page: ${shown}`);
  // One activity resolves and sends; the record is a local activity (a marker); nothing upserts the
  // search attributes signal-with-start already set; the next deadline's timer starts in the first task.
  assert.equal(spent.events.filter((e) => e === 'ACTIVITY_TASK_SCHEDULED').length, 1, shown);
  assert.ok(!spent.events.includes('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'), shown);
  const firstTask = spent.events.indexOf('WORKFLOW_TASK_COMPLETED');
  assert.ok(
    spent.events.indexOf('TIMER_STARTED') > firstTask &&
      spent.events.indexOf('TIMER_STARTED') < spent.events.indexOf('ACTIVITY_TASK_COMPLETED'),
    `the first timer starts in the first task: ${shown}`,
  );
}

describe('a lean alert', () => {
  it('pages from the PagerDuty endpoint within 2 workflow tasks and 14 history events', async () => {
    assert.equal((await enqueue(routingKey, 'lean-enqueue', 'disk full')).status, 202);
    await waitFor('the first page', () => w.hits('/lean') === 1);
    const workflowId = (await workflowOf('lean-enqueue'))!;
    await waitFor('the page result taken', async () => pageTaken(await history(workflowId)));
    assertLean(toFirstPage(await history(workflowId)));
  });

  it('pages from POST /alerts within the same budget (its wait for the record comes after)', async () => {
    const res = await w.request('POST', '/alerts', {
      summary: 'queue stuck',
      severity: 'high',
      service: 'lean',
      source: 'test',
      dedup_key: 'lean-post',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await waitFor('the first page', () => w.hits('/lean') === 2);
    await waitFor('the page result taken', async () => pageTaken(await history(res.body.workflow_id)));
    const events = await history(res.body.workflow_id);
    assertLean(toFirstPage(events));
    // The 201 came from the record's notification (api/record-waits.ts), not from an Update to the workflow.
    assert.ok(
      !events.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes),
      events.map(typeOf).join(', '),
    );
  });

  it('records a quiet alert in one workflow task, and its search attributes are set', async () => {
    const res = await w.request('POST', '/integrations', {
      type: 'pagerduty',
      name: 'quiet',
      service: 'quiet-lean',
    });
    assert.equal((await enqueue(res.body.routing_key, 'lean-quiet', 'nothing pages this')).status, 202);
    await waitFor('the record', async () => (await workflowOf('lean-quiet')) !== undefined);
    const workflowId = (await workflowOf('lean-quiet'))!;
    await waitFor('its first task done', async () =>
      (await history(workflowId)).some((e) => e.workflowTaskCompletedEventAttributes),
    );
    // Anything more it had to do (an activity, an Update) would have come back within this.
    await new Promise((r) => setTimeout(r, 500));
    const events = (await history(workflowId)).map(typeOf);
    assert.equal(events.filter((e) => e === 'WORKFLOW_TASK_COMPLETED').length, 1, events.join(', '));
    assert.ok(events.includes('TIMER_STARTED'), `its SLA timer starts in that task: ${events.join(', ')}`);
    const described = await w.env.client.workflow.getHandle(workflowId).describe();
    assert.deepEqual(described.typedSearchAttributes.get(AlertServiceKey), 'quiet-lean');
    assert.equal(described.typedSearchAttributes.get(AlertStateKey), 'new');
  });
});
