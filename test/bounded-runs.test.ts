// An open alert stays inside Temporal's per-run limits however much it takes in: thousands of duplicate
// POST /alerts and ingest repeats (2,000 Updates and 10,000 signals per run; history 50 MB) leave it
// answering acknowledge and resolve, paging once, with every repeat counted. Through the real API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { startWorld, waitFor, type World } from './helpers/world';

const EventType = temporal.api.enums.v1.EventType;

let w: World;
before(async () => {
  w = await startWorld({ ingestRatePerMinute: 1_000_000 });
});
after(async () => {
  await w?.close();
});

/** Sends each request through `concurrency` lanes; fails on any answer but the expected one. */
async function flood(count: number, concurrency: number, send: (i: number) => Promise<{ status: number; body: unknown }>, expect: number[]): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const res = await send(i);
      if (!expect.includes(res.status)) throw new Error(`request ${i}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** Every run of the alert's chain, newest first: the count of each event type that a limit counts, and its size. */
async function runsOf(workflowId: string, firstRunId: string) {
  const runs: { updates: number; signals: number; events: number; bytes: number }[] = [];
  let runId: string | undefined = (await w.env.client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await w.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    runs.push({
      updates: events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).length,
      signals: events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED).length,
      events: events.length,
      bytes: events.reduce((n, e) => n + temporal.api.history.v1.HistoryEvent.encode(e).finish().length, 0),
    });
    if (runId === firstRunId) break;
    const started: temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes | null | undefined = events[0]?.workflowExecutionStartedEventAttributes;
    runId = started?.continuedExecutionRunId ?? undefined;
  }
  return runs;
}

describe('bounded runs', () => {
  it('takes 3,000 duplicate POST /alerts and 12,000 ingest repeats, then acknowledges and resolves', async () => {
    const url = `${w.hooks.url}/bounded`;
    await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url }] }], is_default: true });
    const body = { summary: 'queue depth above 10k', severity: 'high', service: 'bounded', source: 'checks', dedup_key: 'depth' };
    const first = await w.request('POST', '/alerts', body);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const id: string = first.body.id;
    await waitFor('the first page', () => w.hits('/bounded') === 1);

    // A check that re-posts its alert: each repeat is a signal, never an Update.
    await flood(3_000, 4, () => w.request('POST', '/alerts', body), [200, 202]);

    // Alertmanager re-sending the same firing alert, 100 to a request.
    const integration = await w.request('POST', '/integrations', { type: 'alertmanager', name: 'am', service: 'bounded' });
    assert.equal(integration.status, 201, JSON.stringify(integration.body));
    const { rows } = await w.db.pool.query<{ dedup_key: string }>('select dedup_key from alerts where id = $1', [id]);
    const firing = {
      status: 'firing',
      fingerprint: rows[0]!.dedup_key,
      labels: { alertname: 'QueueDepth', severity: 'warning' },
      annotations: { summary: 'queue depth above 10k' },
    };
    const webhook = { version: '4', status: 'firing', alerts: Array.from({ length: 100 }, () => firing) };
    await flood(120, 2, () => w.request('POST', `/integrations/alertmanager/${integration.body.routing_key}`, webhook, { key: null }), [202]);

    await waitFor(
      'every repeat counted',
      async () => (await w.db.pool.query<{ occurrences: number }>('select occurrences from alerts where id = $1', [id])).rows[0]!.occurrences === 15_001,
      120_000,
    );
    const ack = await w.request('POST', `/alerts/${id}/acknowledge`, {});
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    const resolve = await w.request('POST', `/alerts/${id}/resolve`, {});
    assert.equal(resolve.status, 200, JSON.stringify(resolve.body));

    const runs = await runsOf(first.body.workflow_id, (await w.db.pool.query('select first_run_id from alerts where id = $1', [id])).rows[0].first_run_id);
    assert.ok(runs.length > 1, `continued as new while open (${runs.length} run)`);
    for (const run of runs) {
      assert.ok(run.updates < 2_000, `${run.updates} Updates in one run`);
      assert.ok(run.signals < 10_000, `${run.signals} signals in one run`);
      assert.ok(run.events < 20_000, `${run.events} events in one run`);
    }
    // Two Updates, for acknowledge and resolve: none per duplicate, and none for the first POST's wait
    // for the record (the API hears of the record from Postgres, api/record-waits.ts).
    assert.equal(runs.reduce((n, r) => n + r.updates, 0), 2);
    assert.equal(w.hits('/bounded'), 1, 'paged once, not again by a continued run');
    const detail = await w.request('GET', `/alerts/${id}`);
    assert.equal(detail.body.state, 'resolved');
    assert.equal(detail.body.live.occurrences, 15_001);
  });

  it('keeps history small when repeats carry large details: 2 MB of them', async () => {
    const integration = await w.request('POST', '/integrations', { type: 'pagerduty', name: 'pd', service: 'bulky' });
    assert.equal(integration.status, 201, JSON.stringify(integration.body));
    const details = { dump: 'x'.repeat(400_000) };
    const event = { routing_key: integration.body.routing_key, event_action: 'trigger', dedup_key: 'bulky-1', payload: { summary: 'heap dump attached', source: 'jvm-1', severity: 'error', custom_details: details } };
    for (let i = 0; i < 5; i++) {
      const res = await w.request('POST', '/v2/enqueue', event, { key: null });
      assert.equal(res.status, 202, JSON.stringify(res.body));
    }
    const alert = async () => (await w.db.pool.query('select id, workflow_id, first_run_id, occurrences from alerts where dedup_key = $1', ['bulky-1'])).rows[0];
    await waitFor('five occurrences', async () => (await alert())?.occurrences === 5, 30_000);
    const { workflow_id, first_run_id } = await alert();
    const [run] = await runsOf(workflow_id, first_run_id);
    // The start carries the details once; four repeats of 400 KB each would add 1.6 MB.
    assert.ok(run!.bytes < 600_000, `history is ${run!.bytes} bytes`);
  });
});
