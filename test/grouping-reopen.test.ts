// A group member that fires again after being resolved asks its group again: while the group is open it
// stays a quiet member; once the group has closed (all its alerts resolved), it leads a new group and pages.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
let key: string;
before(async () => {
  w = await startWorld();
  await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/regroup` }] }], is_default: true });
  const res = await w.request('POST', '/integrations', { type: 'pagerduty', name: 'db checks', service: 'db', group_by: ['component'] });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  key = res.body.routing_key;
});
after(async () => {
  await w?.close();
});

const send = async (event_action: 'trigger' | 'resolve', dedup_key: string) => {
  const res = await w.request(
    'POST',
    '/v2/enqueue',
    { routing_key: key, event_action, dedup_key, payload: { summary: `${dedup_key} failing`, source: 'checks', severity: 'error', component: 'primary' } },
    { key: null },
  );
  assert.equal(res.status, 202, JSON.stringify(res.body));
};
const alertOf = async (dedupKey: string) =>
  (await w.db.pool.query<{ id: string; state: string; group_id: string | null }>('select id, state, group_id from alerts where dedup_key = $1', [dedupKey])).rows[0];
const groupedEntries = async (id: string) =>
  ((await w.request('GET', `/alerts/${id}`)).body.timeline as { action: string }[]).filter((t) => t.action === 'grouped').length;

it('a reopened member stays quiet in its open group, and leads (and pages) once that group has closed', async () => {
  await send('trigger', 'leader');
  await waitFor('the leader pages', () => w.hits('/regroup') === 1);
  await send('trigger', 'member');
  await waitFor('the member joined', async () => (await alertOf('member'))?.group_id != null);
  const member = (await alertOf('member'))!;
  const firstGroup = member.group_id;
  await waitFor('its timeline says grouped', async () => (await groupedEntries(member.id)) === 1);

  // Resolved and firing again while its group is open: it asks again and is told it is still a member.
  await send('resolve', 'member');
  await waitFor('member resolved', async () => (await alertOf('member'))!.state === 'resolved');
  await send('trigger', 'member');
  await waitFor('asked its group again', async () => (await groupedEntries(member.id)) === 2);
  assert.equal((await alertOf('member'))!.state, 'new');
  assert.equal((await alertOf('member'))!.group_id, firstGroup);
  assert.equal(w.hits('/regroup'), 1, 'a member of an open group stays quiet');

  // Every alert of the group resolved: it closes. The member then fires again and leads a new group.
  await send('resolve', 'member');
  await send('resolve', 'leader');
  await waitFor('the group closed', async () => (await w.request('GET', `/groups/${firstGroup}`)).body.close_reason === 'resolved');
  await send('trigger', 'member');
  await waitFor('the reopened alert pages as the leader of a new group', () => w.hits('/regroup') === 2);
  const regrouped = (await alertOf('member'))!;
  assert.notEqual(regrouped.group_id, firstGroup);
  assert.equal((await w.request('GET', `/groups/${regrouped.group_id}`)).body.leader_id, member.id);
});
