// Every one of the 16 (from, to) state pairs through the real API: the 8 valid transitions succeed and
// are audited; the other 8 answer 409 naming both states and leave no trace in Postgres or in history.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ALERT_STATES, isValidTransition, type AlertState, type TransitionAction } from '../domain/lifecycle';
import { startHarness, type Harness } from './helpers/harness';
import { waitFor } from './helpers/world';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

// How the test puts an alert into each state from `new`.
const pathTo: Record<AlertState, TransitionAction[]> = {
  new: [],
  acknowledged: ['acknowledge'],
  investigating: ['investigate'],
  resolved: ['resolve'],
};

// The action asked for to reach `to`; the two ways back to `new` depend on where the alert is.
function actionFor(from: AlertState, to: AlertState): TransitionAction {
  if (to === 'acknowledged') return 'acknowledge';
  if (to === 'investigating') return 'investigate';
  if (to === 'resolved') return 'resolve';
  return from === 'resolved' ? 'reopen' : 'unacknowledge';
}

async function auditCount(id: string): Promise<number> {
  const { rows } = await h.db.pool.query('select count(*)::int as n from alert_audit where alert_id = $1', [id]);
  return rows[0].n;
}

async function acceptedUpdates(workflowId: string): Promise<number> {
  const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

it('accepts exactly the 8 valid transitions of the 16 pairs and refuses the rest without a trace', async () => {
  const outcomes: string[] = [];
  for (const from of ALERT_STATES) {
    for (const to of ALERT_STATES) {
      const created = await h.request('POST', '/alerts', { summary: `${from} -> ${to}`, severity: 'low', service: 'lifecycle', source: 'test' });
      const { id, workflow_id: workflowId } = created.body;
      for (const step of pathTo[from]) assert.equal((await h.request('POST', `/alerts/${id}/${step}`, {})).status, 200);
      const [auditBefore, updatesBefore] = [await auditCount(id), await acceptedUpdates(workflowId)];

      const action = actionFor(from, to);
      const res = await h.request('POST', `/alerts/${id}/${action}`, { actor: 'tester', reason: `${from} to ${to}` });
      const state = (await h.request('GET', `/alerts/${id}`)).body.state;
      if (isValidTransition(from, to)) {
        assert.equal(res.status, 200, `${from} -> ${to}: ${JSON.stringify(res.body)}`);
        assert.equal(state, to);
        const { rows } = await h.db.pool.query(
          'select action, from_state, to_state, actor from alert_audit where alert_id = $1 order by id desc limit 1',
          [id],
        );
        assert.deepEqual(rows[0], { action, from_state: from, to_state: to, actor: 'tester (key:test-admin)' });
        assert.equal(await auditCount(id), auditBefore + 1);
        outcomes.push(`${from}->${to}`);
      } else {
        assert.equal(res.status, 409, `${from} -> ${to} must be refused`);
        assert.equal(res.body.error.from, from);
        assert.equal(res.body.error.to, to);
        assert.equal(state, from);
        assert.equal(await auditCount(id), auditBefore, 'nothing written');
        assert.equal(await acceptedUpdates(workflowId), updatesBefore, 'nothing in history');
      }
    }
  }
  assert.equal(outcomes.length, 8);
});

it('adds notes in any state and keeps them on the timeline', async () => {
  const { body } = await h.request('POST', '/alerts', { summary: 'notes', severity: 'info', service: 'lifecycle', source: 'test' });
  assert.equal((await h.request('POST', `/alerts/${body.id}/notes`, { text: 'looking at the dashboards' })).status, 201);
  await h.request('POST', `/alerts/${body.id}/resolve`, {});
  assert.equal((await h.request('POST', `/alerts/${body.id}/notes`, { text: 'root cause: disk', actor: 'carol' })).status, 201);
  const bad = await h.request('POST', `/alerts/${body.id}/notes`, { text: '' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.errors[0].field, 'body.text');
  const notes = (await h.request('GET', `/alerts/${body.id}`)).body.timeline.filter((t: { action: string }) => t.action === 'note');
  assert.deepEqual(notes.map((n: { reason: string; actor: string }) => [n.reason, n.actor]), [
    ['looking at the dashboards', 'key:test-admin'],
    ['root cause: disk', 'carol (key:test-admin)'],
  ]);
});

it('reopens on a re-trigger inside the reopen window, and opens a new alert after it', async () => {
  const alert = { summary: 'flapping', severity: 'high', service: 'lifecycle', source: 'test', dedup_key: 'flap-1' };
  const first = await h.request('POST', '/alerts', alert);
  await h.request('POST', `/alerts/${first.body.id}/resolve`, {});
  await h.env.sleep('10 minutes');
  const again = await h.request('POST', '/alerts', alert);
  assert.equal(again.status, 200);
  assert.equal(again.body.id, first.body.id);
  await waitFor('occurrence recorded', async () => (await h.request('GET', `/alerts/${first.body.id}`)).body.occurrences === 2);
  const reopened = await h.request('GET', `/alerts/${first.body.id}`);
  assert.equal(reopened.body.state, 'new');
  const reopen = reopened.body.timeline.find((t: { action: string }) => t.action === 'reopen');
  assert.equal(reopen.actor, 'integration:test');

  await h.request('POST', `/alerts/${first.body.id}/resolve`, {});
  // Past the 30-minute window the workflow completes; the same key then opens a new alert.
  await h.env.client.workflow.getHandle(first.body.workflow_id).result();
  const later = await h.request('POST', '/alerts', alert);
  assert.equal(later.status, 201);
  assert.notEqual(later.body.id, first.body.id);
  const closed = await h.request('POST', `/alerts/${first.body.id}/reopen`, {});
  assert.equal(closed.status, 409);
});
