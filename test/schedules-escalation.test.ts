// Schedules as escalation targets, end to end under time skipping: a tier pages whoever is on call when
// it fires — before and after a handoff, and after an override added mid-escalation — and a tier whose
// schedule has nobody on call falls through to the next tier, on the timeline.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
let alice: string;
let bob: string;
let carol: string;
before(async () => {
  w = await startWorld();
  const person = (name: string) => w.user(name, [{ type: 'webhook', address: `${w.hooks.url}/${name}` }]);
  [alice, bob, carol] = [await person('alice'), await person('bob'), await person('carol')];
});
after(async () => {
  await w?.close();
});

/** Local wall-clock 'YYYY-MM-DDTHH:mm' in UTC, `minutes` from the test server's clock, rounded up to a minute. */
async function wallClock(minutes: number): Promise<string> {
  const now = await w.env.currentTimeMs();
  return DateTime.fromMillis(Math.ceil(now / 60_000) * 60_000 + minutes * 60_000, { zone: 'UTC' }).toFormat("yyyy-MM-dd'T'HH:mm");
}

async function schedule(name: string, layers: unknown[]): Promise<string> {
  const res = await w.request('POST', '/schedules', { name, time_zone: 'UTC', layers });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

async function routeTo(service: string, tiers: { delay_minutes: number; targets: unknown[] }[]): Promise<void> {
  const policy = await w.policy({ tiers });
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  await w.request('PUT', '/escalation-rules', { rules: [{ policy_id: policy, services: [service] }, ...current] });
}

describe('schedules in escalation', () => {
  it('pages who is on call at each tier: before the handoff, after it, and after an override', async () => {
    // Daily rotation alice → bob whose handoff is ten minutes from now.
    const id = await schedule('primary', [
      { name: 'primary', rotation: { type: 'daily', length: 1 }, start: await wallClock(10 - 24 * 60), participants: [alice, bob] },
    ]);
    await routeTo('svc-oncall', [
      { delay_minutes: 0, targets: [{ type: 'schedule', id }] },
      { delay_minutes: 15, targets: [{ type: 'schedule', id }] },
    ]);
    const first = await w.trigger({ service: 'svc-oncall', severity: 'low' });
    await waitFor('alice paged', () => w.hits('/alice') === 1);
    await w.env.sleep('16 minutes');
    await waitFor('bob paged after the handoff', () => w.hits('/bob') === 1);
    assert.equal(w.hits('/alice'), 1);
    const log = (await w.request('GET', `/alerts/${first.id}`)).body.notifications.filter((n: { kind: string }) => n.kind === 'page');
    assert.deepEqual(log.map((n: { user_id: string; tier: number }) => [n.tier, n.user_id]), [[0, alice], [1, bob]]);
    const { rows } = await w.db.pool.query(`select distinct schedule_id from notifications where alert_id = $1 and kind = 'page'`, [first.id]);
    assert.deepEqual(rows, [{ schedule_id: id }], 'the log records the schedule each on-call user came from');

    // Bob is on call now; an override hands the pager to carol while the next alert escalates.
    const second = await w.trigger({ service: 'svc-oncall', severity: 'low' });
    await waitFor('bob paged for the second alert', () => w.hits('/bob') === 2);
    const now = await w.env.currentTimeMs();
    const override = await w.request('POST', `/schedules/${id}/overrides`, {
      kind: 'replace',
      start: new Date(now).toISOString(),
      end: new Date(now + 3_600_000).toISOString(),
      user_id: carol,
      replaces: bob,
    });
    assert.equal(override.status, 201, JSON.stringify(override.body));
    await w.env.sleep('16 minutes');
    await waitFor('carol paged through the override', () => w.hits('/carol') === 1);
    assert.equal(w.hits('/bob'), 2);
    const onCall = await w.request('GET', `/schedules/${id}/on-call?at=${new Date(now + 60_000).toISOString()}`);
    assert.deepEqual(onCall.body.on_call.map((e: { user_id: string }) => e.user_id), [carol]);
    assert.ok(second.id);
  });

  it('falls through to the next tier when nobody is on call, and says so on the timeline', async () => {
    // Business hours only, on a day far from now: nobody is on call at any instant of this test.
    const empty = await schedule('weekday-mornings', [
      {
        name: 'mornings',
        rotation: { type: 'weekly', length: 1 },
        start: await wallClock(7 * 24 * 60),
        participants: [alice],
      },
    ]);
    await routeTo('svc-gap', [
      { delay_minutes: 0, targets: [{ type: 'schedule', id: empty }] },
      { delay_minutes: 30, targets: [{ type: 'webhook', url: `${w.hooks.url}/fallback` }] },
    ]);
    const { id } = await w.trigger({ service: 'svc-gap', severity: 'low' });
    await waitFor('fallback paged at once', () => w.hits('/fallback') === 1);
    const view = await w.view(id);
    const pages = view.notifications.filter((n) => n.kind === 'page');
    assert.equal(pages.length, 1);
    assert.equal(Date.parse(pages[0]!.at), Date.parse(view.triggeredAt), 'no 30-minute wait for nobody');
    const timeline = (await w.request('GET', `/alerts/${id}`)).body.timeline;
    const gaps = timeline.filter((t: { action: string }) => t.action === 'escalation_gap').map((t: { reason: string }) => t.reason);
    assert.ok(gaps.some((g: string) => /nobody on call/.test(g)), JSON.stringify(gaps));
    assert.ok(gaps.some((g: string) => /falling through to tier 2/.test(g)), JSON.stringify(gaps));
  });
});
