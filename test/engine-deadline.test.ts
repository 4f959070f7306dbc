// With every worker gone, a person's action still gets an honest answer within its deadline: a lifecycle
// action is queued in Temporal (202) and applies once when a worker is back; escalate-now and notes
// answer 503 with Retry-After; the alert's page answers from Postgres. Through the real HTTP interface.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
before(async () => {
  // No workflow cache: the time-skipping server keeps a task on a stopped worker's sticky queue for ever.
  w = await startWorld({ actionDeadlineMs: 2_000, maxCachedWorkflows: 0 });
});
after(async () => {
  await w?.close();
});

it('queues an acknowledge sent while no worker runs, and applies it once one is back', async () => {
  const url = `${w.hooks.url}/deadline`;
  await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url }] }, { delay_minutes: 30, targets: [{ type: 'webhook', url }] }], is_default: true });
  const { id } = await w.trigger({ service: 'deadline', dedup_key: 'no-worker' });
  await waitFor('the first page', () => w.hits('/deadline') === 1);
  await w.stopWorker();

  const ack = await w.request('POST', `/alerts/${id}/acknowledge`, { reason: 'on it' }, { headers: { 'idempotency-key': 'ack-1' } });
  assert.equal(ack.status, 202, JSON.stringify(ack.body));
  assert.equal(ack.body.queued, true);
  assert.match(ack.body.message, /queued/);

  const escalate = await w.request('POST', `/alerts/${id}/escalate`, {});
  assert.equal(escalate.status, 503, JSON.stringify(escalate.body));
  assert.equal(escalate.body.error.code, 'engine_busy');
  assert.ok(Number(escalate.headers.get('retry-after')) > 0);
  const note = await w.request('POST', `/alerts/${id}/notes`, { text: 'looking' });
  assert.equal(note.status, 503, JSON.stringify(note.body));

  // Reads answer from the record alone.
  const detail = await w.request('GET', `/alerts/${id}`);
  assert.equal(detail.status, 200);
  assert.equal(detail.body.live, null);
  assert.equal(detail.body.state, 'new');

  await w.startWorker();
  await waitFor('the queued acknowledge applied', async () => (await w.request('GET', `/alerts/${id}`)).body.state === 'acknowledged', 30_000);
  // Repeating it (same key) changes nothing: the alert is acknowledged once.
  const again = await w.request('POST', `/alerts/${id}/acknowledge`, { reason: 'on it' }, { headers: { 'idempotency-key': 'ack-1' } });
  assert.ok([200, 409].includes(again.status), JSON.stringify(again.body));
  const timeline = (await w.request('GET', `/alerts/${id}`)).body.timeline as { action: string; reason: string | null }[];
  const acks = timeline.filter((t) => t.action === 'acknowledge');
  assert.equal(acks.length, 1, JSON.stringify(timeline));
  assert.equal(acks[0]!.reason, 'on it');
  // The escalation stopped: the second tier never pages, however long we wait.
  await w.env.sleep('45 minutes');
  assert.equal(w.hits('/deadline'), 1);
});

it('refuses a malformed Idempotency-Key', async () => {
  const { id } = await w.trigger({ service: 'deadline', dedup_key: 'bad-key' });
  const res = await w.request('POST', `/alerts/${id}/acknowledge`, {}, { headers: { 'idempotency-key': 'has spaces in it' } });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.error.errors[0].field, 'header.idempotency-key');
});
