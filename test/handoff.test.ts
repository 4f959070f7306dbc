// "You are now on call" notices, driven by a per-schedule workflow under time skipping: sent to the
// incoming person at the handoff, once, and recomputed when an override changes who comes on call.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { DateTime } from 'luxon';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

it('notifies whoever comes on call at each handoff, and follows overrides added later', async () => {
  const person = (name: string) => w.user(name, [{ type: 'webhook', address: `${w.hooks.url}/${name}` }]);
  const [alice, bob, carol] = [await person('h-alice'), await person('h-bob'), await person('h-carol')];
  const now = await w.env.currentTimeMs();
  const minute = Math.ceil(now / 60_000) * 60_000;
  // Daily alice → bob with the handoff ten minutes from now.
  const start = DateTime.fromMillis(minute + 10 * 60_000 - 86_400_000, { zone: 'UTC' }).toFormat("yyyy-MM-dd'T'HH:mm");
  const created = await w.request('POST', '/schedules', {
    name: 'handoff-notices',
    time_zone: 'UTC',
    handoff_notifications: true,
    layers: [{ name: 'daily', rotation: { type: 'daily', length: 1 }, start, participants: [alice, bob] }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const handoffs = (path: string) => w.hits(path, 'handoff');

  await w.env.sleep('9 minutes');
  assert.equal(handoffs('/h-bob'), 0, 'not before the handoff');
  await w.env.sleep('2 minutes');
  await waitFor('bob told he is on call', () => handoffs('/h-bob') === 1);
  const notice = w.hooks.requests.find((r) => r.path === '/h-bob')!.json as { handoff: { start: string; until: string; scheduleName: string } };
  assert.equal(Date.parse(notice.handoff.start), minute + 10 * 60_000);
  assert.equal(Date.parse(notice.handoff.until), minute + 10 * 60_000 + 86_400_000, 'until the next handoff, a day later');
  assert.equal(handoffs('/h-alice'), 0, 'the outgoing person is not told');

  // An override added afterwards: carol joins in 5 minutes; the workflow recomputes without a restart.
  const at = (await w.env.currentTimeMs()) + 5 * 60_000;
  const o = await w.request('POST', `/schedules/${created.body.id}/overrides`, {
    kind: 'add',
    start: new Date(at).toISOString(),
    end: new Date(at + 3_600_000).toISOString(),
    user_id: carol,
  });
  assert.equal(o.status, 201);
  await w.env.sleep('6 minutes');
  await waitFor('carol told she is on call', () => handoffs('/h-carol') === 1);
  assert.equal(handoffs('/h-bob'), 1, 'bob, still on call, is not told again');
});
