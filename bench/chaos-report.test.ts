import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReceivedRequest } from './page-receiver';
import { DEFAULT_CHAOS, TIER_DELAYS_MINUTES, chaosPlan } from './chaos-plan';
import { analyzeChaos, type ChaosObservation } from './chaos-report';
import { renderChaos } from './chaos-render';
import type { TriggerOutcome } from './chaos-send';

describe('chaos plan', () => {
  it('paces every trigger with its own key, half through each endpoint, and spreads every fault over the run', () => {
    const plan = chaosPlan(DEFAULT_CHAOS);
    assert.equal(plan.triggers.length, 1_000);
    assert.equal(new Set(plan.triggers.map((t) => t.key)).size, 1_000);
    assert.equal(plan.triggers.filter((t) => t.via === 'rest').length, 500);
    assert.ok(plan.triggers.every((t, i) => i === 0 || t.at >= plan.triggers[i - 1]!.at));
    assert.equal(plan.lastPageDueMs, plan.triggers.at(-1)!.at + 120_000);
    const kinds = (k: string) => plan.faults.filter((f) => f.kind === k).length;
    assert.deepEqual(
      [kinds('kill-worker'), kinds('kill-api'), kinds('restart-postgres'), kinds('restart-temporal')],
      [10, 5, 1, 1],
    );
    assert.ok(
      plan.faults.every(
        (f, i) => f.at >= 0 && f.at <= plan.lastPageDueMs && (i === 0 || f.at >= plan.faults[i - 1]!.at),
      ),
    );
    // The stores restart while triggers are still being sent, so events arrive while each is down.
    assert.ok(
      plan.faults
        .filter((f) => f.kind.startsWith('restart'))
        .every((f) => f.at < DEFAULT_CHAOS.seconds * 1000),
    );
    assert.ok(
      plan.faults.some((f) => f.kind === 'kill-worker' && f.at > DEFAULT_CHAOS.seconds * 1000),
      'kills during escalation too',
    );
  });

  it('is the same for the same seed and refuses options that make no run', () => {
    assert.deepEqual(
      chaosPlan({ ...DEFAULT_CHAOS, alerts: 50 }),
      chaosPlan({ ...DEFAULT_CHAOS, alerts: 50 }),
    );
    assert.notDeepEqual(
      chaosPlan({ ...DEFAULT_CHAOS, seed: 1 }).faults,
      chaosPlan({ ...DEFAULT_CHAOS, seed: 2 }).faults,
    );
    assert.throws(() => chaosPlan({ ...DEFAULT_CHAOS, alerts: 0 }), /alerts/);
    assert.throws(() => chaosPlan({ ...DEFAULT_CHAOS, apiKills: -1 }), /fault counts/);
  });
});

const start = 1_000_000;
const accepted = (
  key: string,
  acceptedAt: number | null,
  attempts = 1,
  failures: Record<string, number> = {},
): TriggerOutcome => ({
  key,
  via: 'rest',
  dueAt: 0,
  firstSentAt: 0,
  acceptedAt,
  attempts,
  status: acceptedAt === null ? null : 202,
  failures,
});
/** A page of the alert's tier arriving `late` ms after the tier was due (alerts triggered at `start`). */
const page = (
  alertId: string,
  tier: number,
  late: number,
  idempotencyKey = `${alertId}/${tier}`,
  event = 'page',
): ReceivedRequest => ({
  at: start + TIER_DELAYS_MINUTES[tier]! * 60_000 + late,
  path: `/tier-${tier + 1}`,
  body: { event, alert: { alertId, tier }, idempotency_key: idempotencyKey },
});

function observation(): ChaosObservation {
  return {
    options: { ...DEFAULT_CHAOS, alerts: 4 },
    tierDelaysMinutes: TIER_DELAYS_MINUTES,
    start,
    triggers: [
      accepted('k0', 100),
      accepted('k1', 200, 3, { 503: 1, network: 1 }),
      accepted('k2', 300, 2, { 500: 1 }),
      accepted('k3', null, 9, { network: 9 }),
    ],
    alerts: [
      { id: 'a0', dedupKey: 'k0', triggeredAt: start },
      { id: 'a1', dedupKey: 'k1', triggeredAt: start },
      // A second alert for k1: its page of tier 1 is a page doubled under a distinct key.
      { id: 'a1b', dedupKey: 'k1', triggeredAt: start + 5_000 },
    ],
    pages: [
      page('a0', 0, 1_000),
      page('a0', 0, 9_000), // resent: the same key
      page('a0', 1, 2_000),
      // a0's tier 3 never comes
      page('a1', 0, 3_000),
      page('a1b', 0, 8_000),
      page('a1', 1, 4_000),
      page('a1', 2, 5_000),
      page('a1', 2, 0, 'sla', 'sla_breached'),
      page('nobody', 0, 0),
    ],
    faults: [{ kind: 'kill-worker', plannedAt: 1_000, at: 1_100, recoveredAt: 9_100 }],
    processes: [
      {
        name: 'worker',
        starts: 2,
        kills: 1,
        unexpectedExits: 1,
        exitReasons: ['exit 1: cannot reach | Temporal'],
      },
    ],
    notifications: { sent: 7 },
    load: [
      { at: start, load1: 1.5 },
      { at: start + 1, load1: 4 },
      { at: start + 2, load1: 2 },
    ],
  };
}

describe('chaos report', () => {
  it('counts alerts accepted against recorded, and every kind of miss', () => {
    const r = analyzeChaos(observation());
    assert.deepEqual(r.alerts, {
      sent: 4,
      accepted: 3,
      notAccepted: ['k3'],
      recorded: 2,
      lost: ['k2'],
      recordedTwice: ['k1'],
      unexpected: 0,
    });
    assert.deepEqual(r.triggers.failures, { 503: 1, network: 10, 500: 1 });
    assert.equal(r.triggers.attempts, 15);
    assert.equal(r.triggers.retried, 3);
    assert.equal(r.triggers.acceptLatencyMs?.max, 300);
  });

  it('matches pages by dedup key and tier: lost, resent under one key, doubled under two', () => {
    const r = analyzeChaos(observation());
    assert.equal(r.pages.expected, 9);
    assert.equal(r.pages.received, 7);
    assert.equal(r.pages.delivered, 5);
    assert.deepEqual(r.pages.lost, [
      { dedupKey: 'k0', tier: 2, reason: 'never received' },
      { dedupKey: 'k2', tier: 0, reason: 'alert not recorded' },
      { dedupKey: 'k2', tier: 1, reason: 'alert not recorded' },
      { dedupKey: 'k2', tier: 2, reason: 'alert not recorded' },
    ]);
    assert.deepEqual(r.pages.resent, { pages: 1, extraRequests: 1 });
    assert.deepEqual(r.pages.doubledDistinct, { pages: 1, extraRequests: 1 });
    assert.equal(r.pages.unexpected, 2, 'the SLA page and the unknown alert');
    assert.deepEqual(
      r.targets.map((t) => [t.measured, t.met]),
      [
        [1, false],
        [4, false],
        [1, false],
      ],
    );
  });

  it('dates each page by its first arrival against the tier it belongs to', () => {
    const r = analyzeChaos(observation());
    // Tier 1: a0 first came 1 s late (its resend does not count), k1 3 s late (its first alert's time).
    assert.deepEqual([r.drift.tiers[0]?.min, r.drift.tiers[0]?.max], [1_000, 3_000]);
    assert.deepEqual([r.drift.tiers[1]?.min, r.drift.tiers[1]?.max], [2_000, 4_000]);
    assert.equal(r.drift.tiers[2]?.count, 1);
    assert.equal(r.drift.all?.count, 5);
    assert.deepEqual(r.load, { start: 1.5, max: 4, end: 2 });
  });

  it('meets every target on a clean run', () => {
    const o = observation();
    const clean: ChaosObservation = {
      ...o,
      triggers: o.triggers.slice(0, 1),
      alerts: o.alerts.slice(0, 1),
      pages: [page('a0', 0, 1_000), page('a0', 0, 2_000), page('a0', 1, 0), page('a0', 2, 0)],
    };
    const r = analyzeChaos(clean);
    assert.ok(r.targets.every((t) => t.met));
    assert.deepEqual(
      r.pages.resent,
      { pages: 1, extraRequests: 1 },
      'a resend under the same key misses no target',
    );
  });

  it('renders the targets, the measures and every miss as Markdown', () => {
    const md = renderChaos(analyzeChaos({ ...observation(), gaveUp: 'the wait ran out' }));
    assert.match(
      md,
      /^## Chaos: 4 alerts over 300 s \(seed 11\), tiers at 0\/1\/2 min, 1 worker SIGKILLs, 0 API SIGKILLs, 0 Postgres restarts, 0 Temporal restarts\n/,
    );
    assert.match(md, /\| lost pages \(expected, never received\) \| 4 \| 0 \| \*\*no\*\* \|/);
    assert.match(
      md,
      /\| alerts sent \/ accepted \(2xx\) \/ recorded \/ recorded twice \| 4 \/ 3 \/ 2 \/ 1 \(k1\) \|/,
    );
    assert.match(md, /\| failed attempts by status \| 500: 1, 503: 1, network: 10 \|/);
    assert.match(md, /\| tier 1 \(0 min\) drift p50 \/ p99 \/ max \| 1\.00 s \/ 3\.00 s \/ 3\.00 s \|/);
    assert.match(
      md,
      /\| worker: starts \/ kills \/ exits on its own \| 2 \/ 1 \/ 1 \(last: exit 1: cannot reach \/ Temporal\) \|/,
    );
    assert.match(md, /Lost alerts: k2/);
    assert.match(md, /Lost pages: k0 tier 3 \(never received\), k2 tier 1 \(alert not recorded\)/);
    assert.match(md, /\*\*Gave up waiting:\*\* the wait ran out/);
  });
});
