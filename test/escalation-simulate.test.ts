// The escalation dry-run against the real thing: for each policy, POST /escalation-policies/:id/simulate
// predicts the pages, then a real alert with the same policy, severity and service runs under time
// skipping, and every page the workflow logged (escalation and SLA pages: offset, cycle, loop, tier,
// user, channel, address, schedule) must be exactly the predicted one — no more, no fewer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
let alice: string;
let bob: string;
let carol: string;
let dave: string;
before(async () => {
  w = await startWorld();
  alice = await w.user('alice', [
    { type: 'email', address: 'alice@example.com' },
    { type: 'sms', address: '+14155550101' },
  ]);
  bob = await w.user('bob', [
    { type: 'email', address: 'bob@example.com' },
    { type: 'sms', address: '+14155550102' },
  ]);
  carol = await w.user('carol', [{ type: 'email', address: 'carol@example.com' }]);
  dave = await w.user('dave', [{ type: 'email', address: 'dave@example.com' }]);
});
after(async () => {
  await w?.close();
});

const MIN = 60_000;

interface SimEntryJson {
  at: string;
  kind: string;
  cycle: number;
  loop: number | null;
  tier: number | null;
  page_kind?: string;
  user_id?: string | null;
  channel?: string;
  address?: string;
  schedule_id?: string | null;
  mark?: string;
  note?: string;
}

interface Simulation {
  start: string;
  horizon_end: string;
  timeline: SimEntryJson[];
  pages: number;
}

/** One page as a line: offset from the start in ms, then what the notification log records. */
type PageLine = string;
const line = (offsetMs: number, kind: string, cycle: number, loop: number | null, tier: number | null, user: string | null, channel: string, address: string, schedule: string | null) =>
  `+${offsetMs}ms ${kind} c${cycle} l${loop ?? '-'} t${tier ?? '-'} ${nameOf(user)} ${channel} ${address} ${schedule ? 'via schedule' : ''}`.trim();
const names = new Map<string, string>();
const nameOf = (id: string | null) => (id ? (names.get(id) ?? id) : 'nobody');

/** Orders lines by offset (numerically), then text. */
const ordered = (lines: { offset: number; text: PageLine }[]) => lines.sort((a, b) => a.offset - b.offset || a.text.localeCompare(b.text)).map((l) => l.text);

function simulatedPages(sim: Simulation): PageLine[] {
  const t0 = Date.parse(sim.start);
  return ordered(
    sim.timeline
      .filter((e) => e.kind === 'page')
      .map((e) => {
        const offset = Date.parse(e.at) - t0;
        return { offset, text: line(offset, e.page_kind!, e.cycle, e.loop, e.tier, e.user_id ?? null, e.channel!, e.address!, e.schedule_id ?? null) };
      }),
  );
}

interface RealPage {
  offset: number;
  kind: string;
  cycle: number;
  loop: number | null;
  tier: number | null;
  user_id: string | null;
  channel: string;
  address: string;
  schedule_id: string | null;
  status: string;
}

/** Every page the workflow logged for the alert, with its offset from the trigger. */
async function realPages(alertId: string): Promise<RealPage[]> {
  const { rows } = await w.db.pool.query(
    `select n.kind, n.cycle, n.loop, n.tier, n.user_id, n.channel, n.address, n.schedule_id, n.status,
            (extract(epoch from n.scheduled_at - a.triggered_at) * 1000)::bigint as offset
       from notifications n join alerts a on a.id = n.alert_id where n.alert_id = $1`,
    [alertId],
  );
  return rows.map((r) => ({ ...r, offset: Number(r.offset) }));
}

const realLines = (pages: RealPage[], shift: (p: RealPage) => number = () => 0) =>
  ordered(pages.map((p) => ({ offset: p.offset - shift(p), text: line(p.offset - shift(p), p.kind, p.cycle, p.loop, p.tier, p.user_id, p.channel, p.address, p.schedule_id) })));

async function ruleFor(service: string, policyId: string): Promise<void> {
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  const res = await w.request('PUT', '/escalation-rules', { rules: [{ policy_id: policyId, services: [service] }, ...current] });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

async function simulate(policyId: string, body: Record<string, unknown>): Promise<Simulation> {
  const res = await w.request('POST', `/escalation-policies/${policyId}/simulate`, body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/**
 * Predicts with the dry-run starting now (the test server's clock), triggers the real alert, lets
 * `horizonMinutes` pass and waits until the log holds at least as many pages as predicted.
 */
async function predictAndRun(
  policyId: string,
  o: { service: string; severity: string; horizonMinutes: number; acknowledgeAfterMinutes?: number },
): Promise<{ sim: Simulation; alertId: string; triggeredAt: number; ackAt?: number }> {
  const now = await w.env.currentTimeMs();
  const sim = await simulate(policyId, {
    start: new Date(now).toISOString(),
    severity: o.severity,
    service: o.service,
    horizon_hours: o.horizonMinutes / 60,
    ...(o.acknowledgeAfterMinutes === undefined ? {} : { acknowledge_after_minutes: o.acknowledgeAfterMinutes }),
  });
  assert.equal(sim.pages, sim.timeline.filter((e) => e.kind === 'page').length);
  const { id } = await w.trigger({ service: o.service, severity: o.severity });
  const triggeredAt = Date.parse((await w.view(id)).triggeredAt);
  assert.ok(triggeredAt - now >= 0 && triggeredAt - now < 5_000, `triggered ${triggeredAt - now} ms after the simulated start`);
  let ackAt: number | undefined;
  if (o.acknowledgeAfterMinutes !== undefined) {
    await w.env.sleep(o.acknowledgeAfterMinutes * MIN);
    const ack = await w.request('POST', `/alerts/${id}/acknowledge`, { actor: 'alice' });
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    ackAt = Date.parse(ack.body.at);
    await w.env.sleep((o.horizonMinutes - o.acknowledgeAfterMinutes) * MIN);
  } else {
    await w.env.sleep(o.horizonMinutes * MIN);
  }
  await waitFor(`${sim.pages} pages logged`, async () => (await realPages(id)).length >= sim.pages);
  return { sim, alertId: id, triggeredAt, ackAt };
}

const offsetsOf = (sim: Simulation, kind: string) => sim.timeline.filter((e) => e.kind === kind).map((e) => (Date.parse(e.at) - Date.parse(sim.start)) / MIN);

describe('escalation dry-run matches the workflow', () => {
  before(() => {
    for (const [id, name] of [
      [alice, 'alice'],
      [bob, 'bob'],
      [carol, 'carol'],
      [dave, 'dave'],
    ] as const)
      names.set(id, name);
  });

  it('tiers with different delays, users with email and sms, and the SLA pages of a critical alert', async () => {
    const policy = await w.policy({
      tiers: [
        { delay_minutes: 0, targets: [{ type: 'user', id: alice }] },
        { delay_minutes: 4, targets: [{ type: 'user', id: bob }, { type: 'user', id: carol }] },
        { delay_minutes: 10, targets: [{ type: 'webhook', url: `${w.hooks.url}/sim-tiers` }] },
      ],
    });
    await ruleFor('sim-tiers', policy);
    const { sim, alertId } = await predictAndRun(policy, { service: 'sim-tiers', severity: 'critical', horizonMinutes: 90 });
    // critical: TTA 5 min (at risk 3.75), TTR 60 min (at risk 45); each mark pages the tier that fired last.
    assert.deepEqual(offsetsOf(sim, 'sla_mark'), [3.75, 5, 45, 60]);
    assert.deepEqual(offsetsOf(sim, 'exhausted'), [10]);
    const expected = simulatedPages(sim);
    // alice ×2 at 0 and 3.75; bob ×2 + carol at 4 and 5; the webhook at 10, 45 and 60.
    assert.equal(expected.length, 2 + 2 + 3 + 3 + 1 + 1 + 1, expected.join('\n'));
    const real = await realPages(alertId);
    assert.deepEqual(realLines(real), expected);
    assert.ok(real.every((p) => p.status === 'sent'), JSON.stringify(real.map((p) => p.status)));
  });

  it('repeats: the whole chain again after the repeat delay, twice', async () => {
    const policy = await w.policy({
      tiers: [
        { delay_minutes: 0, targets: [{ type: 'user', id: dave }] },
        { delay_minutes: 3, targets: [{ type: 'webhook', url: `${w.hooks.url}/sim-repeat` }] },
      ],
      repeat: 2,
      repeat_delay_minutes: 4,
    });
    await ruleFor('sim-repeat', policy);
    const { sim, alertId } = await predictAndRun(policy, { service: 'sim-repeat', severity: 'medium', horizonMinutes: 90 });
    const escalation = sim.timeline.filter((e) => e.kind === 'page' && e.page_kind === 'page');
    assert.deepEqual(
      escalation.map((e) => [(Date.parse(e.at) - Date.parse(sim.start)) / MIN, e.loop, e.tier]),
      [
        [0, 0, 0],
        [3, 0, 1],
        [7, 1, 0],
        [10, 1, 1],
        [14, 2, 0],
        [17, 2, 1],
      ],
    );
    assert.deepEqual(realLines(await realPages(alertId)), simulatedPages(sim));
  });

  it('a schedule whose on-call person hands off in the middle of the escalation', async () => {
    // Daily rotation alice → bob, handing off 8–9 minutes from now: tiers at 0 and 5 reach alice, 15 reaches bob.
    const now = await w.env.currentTimeMs();
    const handoff = DateTime.fromMillis(Math.ceil(now / MIN) * MIN + 8 * MIN, { zone: 'UTC' });
    const created = await w.request('POST', '/schedules', {
      name: 'sim-primary',
      time_zone: 'UTC',
      layers: [{ name: 'primary', rotation: { type: 'daily', length: 1 }, start: handoff.minus({ days: 1 }).toFormat("yyyy-MM-dd'T'HH:mm"), participants: [alice, bob] }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const schedule = created.body.id;
    const policy = await w.policy({
      tiers: [
        { delay_minutes: 0, targets: [{ type: 'schedule', id: schedule }] },
        { delay_minutes: 5, targets: [{ type: 'schedule', id: schedule }] },
        { delay_minutes: 15, targets: [{ type: 'schedule', id: schedule }, { type: 'user', id: carol }] },
      ],
    });
    await ruleFor('sim-handoff', policy);
    const { sim, alertId } = await predictAndRun(policy, { service: 'sim-handoff', severity: 'low', horizonMinutes: 60 });
    const byTier = sim.timeline.filter((e) => e.kind === 'page').map((e) => [e.tier, nameOf(e.user_id ?? null), e.schedule_id === schedule]);
    assert.deepEqual(byTier, [
      [0, 'alice', true],
      [0, 'alice', true],
      [1, 'alice', true],
      [1, 'alice', true],
      [2, 'bob', true],
      [2, 'bob', true],
      [2, 'carol', false],
    ]);
    assert.deepEqual(realLines(await realPages(alertId)), simulatedPages(sim));
  });

  it('falls through a tier that reaches nobody, with the same gap lines as the alert’s timeline', async () => {
    // A weekly rotation that starts in a week: nobody is on call at any instant of this test.
    const now = await w.env.currentTimeMs();
    const created = await w.request('POST', '/schedules', {
      name: 'sim-empty',
      time_zone: 'UTC',
      layers: [{ name: 'later', rotation: { type: 'weekly', length: 1 }, start: DateTime.fromMillis(now + 7 * 24 * 60 * MIN, { zone: 'UTC' }).toFormat("yyyy-MM-dd'T'HH:mm"), participants: [alice] }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const policy = await w.policy({
      tiers: [
        { delay_minutes: 0, targets: [{ type: 'schedule', id: created.body.id }] },
        { delay_minutes: 30, targets: [{ type: 'user', id: dave }] },
        { delay_minutes: 45, targets: [{ type: 'user', id: dave }] },
      ],
    });
    await ruleFor('sim-gap', policy);
    const { sim, alertId } = await predictAndRun(policy, { service: 'sim-gap', severity: 'low', horizonMinutes: 60 });
    assert.deepEqual(offsetsOf(sim, 'page'), [0, 15]);
    assert.deepEqual(realLines(await realPages(alertId)), simulatedPages(sim));
    // Gap lines name the instant ("nobody on call at <ISO>"): compare it as an offset from each start.
    const relative = (text: string, t0: number) => text.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, (iso) => `+${Date.parse(iso) - t0}ms`);
    const gaps = async () => {
      const detail = (await w.request('GET', `/alerts/${alertId}`)).body;
      const lines = detail.timeline.filter((t: { action: string }) => t.action === 'escalation_gap').map((t: { reason: string }) => t.reason);
      return lines.map((l: string) => relative(l, Date.parse(detail.triggered_at))).sort();
    };
    const predicted = sim.timeline.filter((e) => e.kind === 'escalation_gap').map((e) => relative(e.note!, Date.parse(sim.start))).sort();
    assert.equal(predicted.length, 2);
    await waitFor('gap lines recorded', async () => (await gaps()).length >= predicted.length);
    assert.deepEqual(await gaps(), predicted);
  });

  it('acknowledged after N minutes: escalation stops, the ack timeout restarts it, TTR marks still page', async () => {
    const policy = await w.policy({
      tiers: [
        { delay_minutes: 0, targets: [{ type: 'user', id: alice }] },
        { delay_minutes: 6, targets: [{ type: 'user', id: bob }] },
        { delay_minutes: 10, targets: [{ type: 'webhook', url: `${w.hooks.url}/sim-ack` }] },
      ],
      ack_timeout_minutes: 10,
    });
    await ruleFor('sim-ack', policy);
    const { sim, alertId, triggeredAt, ackAt } = await predictAndRun(policy, { service: 'sim-ack', severity: 'critical', horizonMinutes: 90, acknowledgeAfterMinutes: 4 });
    assert.deepEqual(offsetsOf(sim, 'acknowledged'), [4]);
    assert.deepEqual(offsetsOf(sim, 'ack_timeout'), [14]);
    // Acknowledged after the TTA at-risk mark (3.75 min) and before its breach: TTR marks only after it.
    assert.deepEqual(sim.timeline.filter((e) => e.kind === 'sla_mark').map((e) => e.mark), ['tta_at_risk', 'ttr_at_risk', 'ttr_breached']);
    assert.deepEqual(offsetsOf(sim, 'page'), [0, 0, 3.75, 3.75, 14, 14, 20, 20, 24, 45, 60]);

    // The real acknowledge lands a few ms after the 4 minutes; the second cycle's pages count from it.
    const lateMs = ackAt! - (triggeredAt + 4 * MIN);
    assert.ok(lateMs >= 0 && lateMs < 30_000, `acknowledged ${lateMs} ms late`);
    const real = await realPages(alertId);
    assert.deepEqual(
      realLines(real, (p) => (p.kind === 'page' && p.cycle >= 1 ? lateMs : 0)),
      simulatedPages(sim),
    );
    const timeline = (await w.request('GET', `/alerts/${alertId}`)).body.timeline;
    const unack = timeline.find((t: { action: string }) => t.action === 'unacknowledge');
    assert.equal(unack.actor, 'system:klaxon');
    assert.equal(Date.parse(unack.at) - ackAt!, 10 * MIN);
  });
});

describe('simulate: errors', () => {
  let policy: string;
  before(async () => {
    policy = await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: dave }] }] });
  });

  it('answers 404 for an unknown policy', async () => {
    const res = await w.request('POST', '/escalation-policies/00000000-0000-4000-8000-000000000000/simulate', { severity: 'high', service: 'x' });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not_found');
  });

  it('answers 400 naming the bad field', async () => {
    const cases: [unknown, string][] = [
      [{ severity: 'urgent', service: 'x' }, 'body.severity'],
      [{ severity: 'high' }, 'body.service'],
      [{ severity: 'high', service: 'x', start: 'yesterday' }, 'body.start'],
      [{ severity: 'high', service: 'x', acknowledge_after_minutes: -1 }, 'body.acknowledge_after_minutes'],
      [{ severity: 'high', service: 'x', horizon_hours: 169 }, 'body.horizon_hours'],
      [{ severity: 'high', service: 'x', horizon_hours: 0 }, 'body.horizon_hours'],
    ];
    for (const [body, field] of cases) {
      const res = await w.request('POST', `/escalation-policies/${policy}/simulate`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.errors[0].field, field, JSON.stringify(res.body));
    }
    const unknownField = await w.request('POST', `/escalation-policies/${policy}/simulate`, { severity: 'high', service: 'x', nobody_acks: true });
    assert.equal(unknownField.status, 400);
    assert.match(unknownField.body.error.message, /nobody_acks/);
    const badId = await w.request('POST', '/escalation-policies/not-a-uuid/simulate', { severity: 'high', service: 'x' });
    assert.equal(badId.status, 400);
    assert.equal(badId.body.error.errors[0].field, 'params.id');
  });

  it('defaults to now and 24 hours, and uses the per-service SLA override', async () => {
    assert.equal((await w.request('PUT', '/sla/targets/sim-override/high', { tta_minutes: 2, ttr_minutes: 10 })).status, 200);
    const before = Date.now();
    const res = await w.request('POST', `/escalation-policies/${policy}/simulate`, { severity: 'high', service: 'sim-override' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const start = Date.parse(res.body.start);
    assert.ok(start >= before - 1000 && start <= Date.now() + 1000);
    assert.equal(Date.parse(res.body.horizon_end) - start, 24 * 60 * MIN);
    assert.deepEqual(res.body.sla, { tta_minutes: 2, ttr_minutes: 10, at_risk_fraction: 0.75 });
    assert.deepEqual(
      res.body.timeline.filter((e: SimEntryJson) => e.kind === 'sla_mark').map((e: SimEntryJson) => [e.mark, (Date.parse(e.at) - start) / MIN]),
      [
        ['tta_at_risk', 1.5],
        ['tta_breached', 2],
        ['ttr_at_risk', 7.5],
        ['ttr_breached', 10],
      ],
    );
    assert.equal(res.body.policy.id, policy);
    assert.equal(res.body.pages, 5);
  });
});
