// A group is one incident, under time skipping: it escalates while any of its alerts is new, whoever
// leads it; acknowledging it (API or SMS reply) stops it for good; a group that no longer takes alerts
// never swallows one; escalate-now on a member answers at once; and alerts are dated by acceptance.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Activities } from '../activities';
import { createGroupActivities } from '../activities/groups';
import { postInboundSms } from './helpers/sms-reply';
import { startWorld, waitFor, type World } from './helpers/world';

const MIN = 60_000;
let w: World;
// Flipped by a test: the group workflow's quiet close keeps failing, as it would while Postgres is down.
let closeStalls = false;

before(async () => {
  w = await startWorld({
    activityOverrides: {
      closeGroupIfQuiet: async (input) => {
        if (closeStalls) throw new Error('Postgres is slow today');
        return createGroupActivities({ pool: w.db.pool }).closeGroupIfQuiet(input);
      },
    } satisfies Partial<Activities>,
  });
});
after(async () => {
  await w?.close();
});

let seq = 0;
/** An integration of a fresh service grouping by `cluster`, with its own policy; returns its routing key. */
async function incident(tiers: { delay_minutes: number; targets: unknown[] }[], extra: Record<string, unknown> = {}) {
  const service = `storage-${++seq}`;
  const policy = await w.policy({ tiers, ...extra });
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  assert.equal((await w.request('PUT', '/escalation-rules', { rules: [{ policy_id: policy, services: [service] }, ...current] })).status, 200);
  const res = await w.request('POST', '/integrations', { type: 'pagerduty', name: service, service, group_by: ['cluster'] });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const key: string = res.body.routing_key;
  const send = async (event_action: 'trigger' | 'resolve', dedup_key: string, severity = 'critical') => {
    const r = await w.request(
      'POST',
      '/v2/enqueue',
      { routing_key: key, event_action, dedup_key, payload: { summary: `disk full on ${dedup_key}`, source: dedup_key, severity, cluster: 'east' } },
      { key: null },
    );
    assert.equal(r.status, 202, JSON.stringify(r.body));
  };
  return { service, send };
}

const alertsOf = async (service: string) =>
  (
    await w.db.pool.query<{ id: string; dedup_key: string; state: string; group_id: string | null; triggered_at: Date }>(
      'select id, dedup_key, state, group_id, triggered_at from alerts where service = $1 order by triggered_at, id',
      [service],
    )
  ).rows;
const groupOf = async (id: string) =>
  (await w.db.pool.query<{ leader_id: string; closed_at: Date | null; close_reason: string | null; acknowledged_by: string | null }>('select * from alert_groups where id = $1', [id])).rows[0]!;
const hooked = (path: string, event = 'page') => w.hooks.requests.filter((r) => r.path === path && (r.json as { event?: string }).event === event);

describe('a group escalates as one incident', () => {
  it('pages tier 1 at minute 5 and tier 2 at minute 15 after its leader resolves at minute 3, SLA marks too; acknowledging the group stops it', async () => {
    const hook = (t: number) => ({ type: 'webhook', url: `${w.hooks.url}/inc-t${t}` });
    const { service, send } = await incident(
      [
        { delay_minutes: 0, targets: [hook(0)] },
        { delay_minutes: 5, targets: [hook(1)] },
        { delay_minutes: 15, targets: [hook(2)] },
      ],
      { repeat: 2, repeat_delay_minutes: 10 },
    );
    for (let i = 0; i < 20; i++) await send('trigger', `host-${i}`);
    await waitFor('20 alerts in one group', async () => {
      const rows = await alertsOf(service);
      return rows.length === 20 && rows.every((r) => r.group_id !== null && r.group_id === rows[0]!.group_id);
    });
    await waitFor('tier 0 paged once', () => hooked('/inc-t0').length === 1);
    const all = await alertsOf(service);
    const groupId = all[0]!.group_id!;
    // The first alert recorded leads; the escalation counts from its trigger.
    const leaderId = (await groupOf(groupId)).leader_id;
    const first = all.find((r) => r.id === leaderId)!;
    const rows = [first, ...all.filter((r) => r.id !== leaderId)];
    const t0 = first.triggered_at.getTime();

    await w.env.sleep(3 * MIN);
    await send('resolve', first.dedup_key);
    // The earliest alert still new takes over.
    await waitFor('the escalation handed to the next alert', async () => (await groupOf(groupId)).leader_id === rows[1]!.id);

    await w.env.sleep(3 * MIN);
    await waitFor('tier 1 pages at minute 5', () => hooked('/inc-t1').length === 1);
    await w.env.sleep(10 * MIN);
    await waitFor('tier 2 pages at minute 15', () => hooked('/inc-t2').length === 1);
    const view = await w.view(rows[1]!.id);
    const pages = view.notifications.filter((n) => n.kind === 'page').map((n) => [n.tier, (Date.parse(n.at) - t0) / MIN]);
    assert.deepEqual(pages, [
      [1, 5],
      [2, 15],
    ]);
    // The TTA marks of the alert now leading still page, once each (to the tier that fired last), and
    // those of the other 18 page nobody.
    const sla = (event: string) => [0, 1, 2].reduce((n, t) => n + hooked(`/inc-t${t}`, event).length, 0);
    assert.equal(sla('sla_at_risk'), 1, 'TTA at risk paged once');
    assert.equal(sla('sla_breached'), 1, 'TTA breach paged once');
    const timeline = (await w.request('GET', `/alerts/${rows[1]!.id}`)).body.timeline as { action: string }[];
    assert.ok(timeline.some((t) => t.action === 'group_lead'), 'the hand-over is on the new leader’s timeline');

    const ack = await w.request('POST', `/groups/${groupId}/acknowledge`, {});
    assert.equal(ack.status, 202, JSON.stringify(ack.body));
    assert.equal(ack.body.alerts, 19);
    await waitFor('every open alert acknowledged', async () => (await alertsOf(service)).filter((r) => r.state === 'new').length === 0, 30_000);
    const paged = w.hooks.requests.filter((r) => r.path.startsWith('/inc-t') && (r.json as { event: string }).event === 'page').length;
    // Without the acknowledge the chain would repeat twice more in this hour.
    await w.env.sleep(60 * MIN);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(w.hooks.requests.filter((r) => r.path.startsWith('/inc-t') && (r.json as { event: string }).event === 'page').length, paged);
    assert.match((await groupOf(groupId)).acknowledged_by ?? '', /^key:/);
  });

  it('escalate-now on a member answers at once, refused naming its group', async () => {
    const esc = { type: 'webhook', url: `${w.hooks.url}/esc` };
    const { service, send } = await incident([
      { delay_minutes: 0, targets: [esc] },
      { delay_minutes: 30, targets: [esc] },
    ]);
    await send('trigger', 'a');
    await send('trigger', 'b');
    await waitFor('both grouped', async () => (await alertsOf(service)).filter((r) => r.group_id).length === 2);
    const grouped = await alertsOf(service);
    const leaderOfGroup = (await groupOf(grouped[0]!.group_id!)).leader_id;
    const member = grouped.find((r) => r.id !== leaderOfGroup);
    await waitFor('the member knows its role', async () => (await w.view(member!.id)).group?.role === 'member');
    const res = await w.request('POST', `/alerts/${member!.id}/escalate`, { actor: 'alice' });
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.equal(res.body.error.group_id, member!.group_id);
    assert.match(res.body.error.message, new RegExp(`group ${member!.group_id}`));
  });

  it('an SMS reply to the group’s page acknowledges the group, and an alert joining it later stays quiet', async () => {
    const phone = '+15557770101';
    const user = await w.user('group-responder', [{ type: 'sms', address: phone }]);
    const { service, send } = await incident([
      { delay_minutes: 0, targets: [{ type: 'user', id: user }] },
      { delay_minutes: 5, targets: [{ type: 'webhook', url: `${w.hooks.url}/sms-t1` }] },
    ]);
    for (const host of ['x', 'y', 'z']) await send('trigger', host);
    await waitFor('one SMS page', () => w.twilio.messages.filter((m) => m.to === phone).length === 1);
    await waitFor('three grouped', async () => (await alertsOf(service)).filter((r) => r.group_id).length === 3);
    const code = /Reply ACK (\d{4})/.exec(w.twilio.messages.find((m) => m.to === phone)!.body)?.[1];
    assert.ok(code);
    const answer = await postInboundSms(w, phone, `ACK ${code}`);
    assert.equal(answer.status, 200);
    assert.match(answer.message, /^Klaxon: acknowledged/);
    await waitFor('the whole group acknowledged', async () => (await alertsOf(service)).every((r) => r.state === 'acknowledged'), 30_000);
    await send('trigger', 'late');
    await waitFor('the late alert joined', async () => (await alertsOf(service)).length === 4 && (await alertsOf(service)).every((r) => r.group_id));
    await w.env.sleep(10 * MIN);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(w.twilio.messages.filter((m) => m.to === phone).length, 1);
    assert.equal(hooked('/sms-t1').length, 0, 'nobody is paged for an acknowledged group');
    const late = (await alertsOf(service)).find((r) => r.dedup_key === 'late')!;
    assert.equal(late.state, 'new');
    assert.match((await groupOf(late.group_id!)).acknowledged_by ?? '', /via sms$/);
  });

  it('an alert arriving while its group is closing (window over, the close stuck) leads a new group and pages', async () => {
    const { service, send } = await incident([{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/closing` }] }]);
    closeStalls = true;
    try {
      await send('trigger', 'first');
      await waitFor('the first pages', () => hooked('/closing').length === 1);
      await w.env.sleep(6 * MIN);
      const [first] = await alertsOf(service);
      assert.equal((await groupOf(first!.group_id!)).closed_at, null, 'its workflow could not close it');
      await send('trigger', 'second');
      await waitFor('the second pages as the leader of a new group', () => hooked('/closing').length === 2);
      const [, second] = await alertsOf(service);
      assert.notEqual(second!.group_id, first!.group_id);
      assert.equal((await groupOf(second!.group_id!)).leader_id, second!.id);
      assert.equal((await groupOf(first!.group_id!)).close_reason, 'quiet');
    } finally {
      closeStalls = false;
    }
  });

  it('dates an alert and its tiers by when the API accepted it, not when a worker first ran it', async () => {
    const { service, send } = await incident([
      { delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/backlog` }] },
      { delay_minutes: 5, targets: [{ type: 'webhook', url: `${w.hooks.url}/backlog` }] },
    ]);
    await w.stopWorker();
    const accepted = await w.env.currentTimeMs();
    await send('trigger', 'while-no-worker-runs');
    // A backlog: nothing runs the workflow for a while.
    await new Promise((r) => setTimeout(r, 6_000));
    await w.startWorker();
    await waitFor('recorded', async () => (await alertsOf(service)).length === 1);
    const [row] = await alertsOf(service);
    assert.ok(Math.abs(row!.triggered_at.getTime() - accepted) < 2_000, `triggered ${row!.triggered_at.getTime() - accepted} ms after acceptance`);
    await waitFor('tier 0', () => hooked('/backlog').length === 1);
    const view = await w.view(row!.id);
    assert.equal(Date.parse(view.notifications[0]!.at), row!.triggered_at.getTime());
    assert.equal(Date.parse(view.escalation.next!.at), row!.triggered_at.getTime() + 5 * MIN);
  });
});

describe('a group workflow polled late', () => {
  let late: World;
  before(async () => {
    // Group workflows go to a queue no worker polls: roles must not depend on them at all.
    late = await startWorld({ groupTaskQueue: (q) => `${q}-groups-polled-late` });
  });
  after(async () => {
    await late?.close();
  });

  it('200 alerts on 3 keys still page 3 times', async () => {
    await late.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${late.hooks.url}/late` }] }], is_default: true });
    const res = await late.request('POST', '/integrations', { type: 'pagerduty', name: 'late', service: 'late', group_by: ['component'] });
    const key = res.body.routing_key;
    for (let batch = 0; batch < 10; batch++) {
      const sent = await Promise.all(
        Array.from({ length: 20 }, (_, j) => batch * 20 + j).map((i) =>
          late.request(
            'POST',
            '/v2/enqueue',
            { routing_key: key, event_action: 'trigger', dedup_key: `late-${i}`, payload: { summary: `errors #${i}`, source: `h${i}`, severity: 'error', component: `c${i % 3}` } },
            { key: null },
          ),
        ),
      );
      assert.ok(sent.every((r) => r.status === 202));
    }
    await waitFor('200 grouped', async () => (await late.db.pool.query('select count(*)::int as n from alerts where group_id is not null')).rows[0].n === 200, 60_000);
    await waitFor('three pages', () => late.hits('/late') === 3, 30_000);
    // Alerts used to wait a minute for their group's answer and page without it. The group workflows'
    // tasks are pending on a queue nobody polls, so the test server cannot skip: this minute is real.
    await late.env.sleep(65_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(late.hits('/late'), 3);
  });
});
