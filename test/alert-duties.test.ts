// The lean alert's one scheduler sleeps until the earliest of its deadlines; these are the rules for
// which one that is. Each case is the state an alert is in and the duty it must act on next.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EscalationPolicy } from '../domain/escalation';
import { nextDuty, type RunFacts } from '../workflows/alert-duties';
import { initialRuntime, type AlertRuntime } from '../workflows/alert-state';
import type { AlertInput } from '../workflows/messages';

const MIN = 60_000;
const T0 = Date.parse('2026-12-01T10:00:00Z');
const policy = (over: Partial<EscalationPolicy> = {}): EscalationPolicy => ({
  id: 'p',
  name: 'p',
  tiers: [
    { delayMinutes: 0, targets: [] },
    { delayMinutes: 10, targets: [] },
  ],
  repeat: 0,
  repeatDelayMinutes: 0,
  ackTimeoutMinutes: null,
  autoResolveMinutes: null,
  ...over,
});
const input = (p: EscalationPolicy | null = policy(), over: Partial<AlertInput> = {}): AlertInput => ({
  alertId: 'a',
  event: {
    eventId: 'e',
    summary: 's',
    severity: 'high',
    service: 'svc',
    source: 't',
    dedupKey: 'd',
    labels: {},
    details: {},
    links: [],
  },
  policy: p,
  // TTA 30 min (at risk at 22.5), TTR 4 h.
  sla: { targets: { ttaMs: 30 * MIN, ttrMs: 240 * MIN }, atRiskFraction: 0.75 },
  ...over,
});
const started = (i: AlertInput, over: Partial<AlertRuntime> = {}): AlertRuntime => ({
  ...initialRuntime(T0),
  recorded: true,
  cursor: i.policy ? { loop: 0, tier: 0, loopStartedAt: T0 } : null,
  ...over,
});
const run = (over: Partial<RunFacts> = {}): RunFacts => ({
  lastTier: null,
  tierInFlight: false,
  runStartedAt: T0,
  ...over,
});

describe('the next duty of an alert', () => {
  it('a new alert fires its first tier at trigger, then the next tier before the TTA at-risk mark', () => {
    const i = input();
    assert.deepEqual(nextDuty(i, started(i), run()), { kind: 'tier', at: T0 });
    const rt = started(i, { cursor: { loop: 0, tier: 1, loopStartedAt: T0 } });
    assert.deepEqual(nextDuty(i, rt, run()), { kind: 'tier', at: T0 + 10 * MIN });
    const exhausted = started(i, { cursor: null });
    assert.deepEqual(nextDuty(i, exhausted, run()), {
      kind: 'sla',
      at: T0 + 22.5 * MIN,
      mark: 'tta_at_risk',
    });
  });

  it('waits for a tier lookup under way, and for an alert still learning its group role', () => {
    const i = input();
    assert.equal(nextDuty(i, started(i), run({ tierInFlight: true }))?.kind, 'sla');
    assert.equal(nextDuty(i, started(i, { regrouping: true }), run())?.kind, 'sla');
  });

  it('a group member pages nobody: its SLA marks still come', () => {
    const i = input(policy(), { group: { key: 'g', windowMs: MIN } });
    const rt = started(i, { group: { groupId: 'g1', role: 'member', epoch: 1 } });
    assert.deepEqual(nextDuty(i, rt, run()), { kind: 'sla', at: T0 + 22.5 * MIN, mark: 'tta_at_risk' });
  });

  it('escalate-now and a tier whose every page failed for good are due at once', () => {
    const i = input();
    const waiting = started(i, { cursor: { loop: 0, tier: 1, loopStartedAt: T0 } });
    assert.deepEqual(nextDuty(i, { ...waiting, escalateRequested: 1 }, run()), { kind: 'tier', at: 0 });
    const failed = {
      cycle: 0,
      cursor: { loop: 0, tier: 0, loopStartedAt: T0 },
      outcomes: ['failed', 'failed'] as const,
    };
    assert.deepEqual(nextDuty(i, waiting, run({ lastTier: { ...failed, outcomes: [...failed.outcomes] } })), {
      kind: 'tier',
      at: 0,
    });
    // One still pending holds nothing up, and neither does a failure of an earlier cycle.
    assert.equal(
      nextDuty(i, waiting, run({ lastTier: { ...failed, outcomes: ['failed', 'pending'] } }))?.at,
      T0 + 10 * MIN,
    );
    assert.equal(
      nextDuty(i, { ...waiting, cycle: 1 }, run({ lastTier: { ...failed, outcomes: ['failed'] } }))?.at,
      T0 + 10 * MIN,
    );
  });

  it('an acknowledged alert waits for its ack timeout from the acknowledge, an SLA mark earlier wins', () => {
    const i = input(policy({ ackTimeoutMinutes: 5 }));
    const acked = started(i, {
      state: 'acknowledged',
      respondedAt: T0 + MIN,
      stateChangedAt: T0 + MIN,
      cursor: null,
    });
    assert.deepEqual(nextDuty(i, acked, run()), { kind: 'ack_timeout', at: T0 + 6 * MIN });
    const late = { ...acked, stateChangedAt: T0 + 200 * MIN };
    assert.deepEqual(nextDuty(i, late, run()), { kind: 'sla', at: T0 + 180 * MIN, mark: 'ttr_at_risk' });
  });

  it('auto-resolve counts from the last (re)open and comes before a tier due at the same instant', () => {
    const i = input(policy({ autoResolveMinutes: 10 }));
    const rt = started(i, { cursor: { loop: 0, tier: 1, loopStartedAt: T0 } });
    assert.deepEqual(nextDuty(i, rt, run()), { kind: 'auto_resolve', at: T0 + 10 * MIN });
    assert.deepEqual(nextDuty(i, { ...rt, openedAt: T0 + 60 * MIN, cursor: null }, run()), {
      kind: 'sla',
      at: T0 + 22.5 * MIN,
      mark: 'tta_at_risk',
    });
  });

  it('a resolved alert closes when its reopen window ends; a closed one has nothing left', () => {
    const i = input(policy(), { reopenWindowMs: 15 * MIN });
    const resolved = started(i, {
      state: 'resolved',
      respondedAt: T0 + MIN,
      resolvedAt: T0 + 2 * MIN,
      cursor: null,
    });
    assert.deepEqual(nextDuty(i, resolved, run()), { kind: 'close', at: T0 + 17 * MIN });
    assert.equal(nextDuty(i, { ...resolved, closed: true }, run()), null);
  });

  it('an alert without a policy only watches its SLA', () => {
    const i = input(null);
    assert.deepEqual(nextDuty(i, started(i), run()), {
      kind: 'sla',
      at: T0 + 22.5 * MIN,
      mark: 'tta_at_risk',
    });
    const fired = started(i, { slaFired: ['tta_at_risk', 'tta_breached', 'ttr_at_risk', 'ttr_breached'] });
    assert.equal(nextDuty(i, fired, run()), null);
  });

  it('a page held back by notification rules is due at its time while the alert is new in its cycle', () => {
    const i = input();
    const held = (at: number, cycle = 0) => ({
      key: `k${at}`,
      recipient: {
        target: { type: 'user' as const, id: 'u' },
        targetKey: 'user:u',
        userId: 'u',
        channel: 'voice' as const,
        address: '+1',
        delayMinutes: 2,
      },
      at,
      cycle,
      loop: 0,
      tier: 0,
      slot: 1,
    });
    const fired = {
      cursor: { loop: 0, tier: 1, loopStartedAt: T0 },
      lastFired: { loop: 0, tier: 0, at: T0 },
    };
    const rt = started(i, { ...fired, scheduledPages: [held(T0 + 5 * MIN), held(T0 + 2 * MIN)] });
    assert.deepEqual(
      nextDuty(i, rt, run()),
      { kind: 'scheduled_page', at: T0 + 2 * MIN },
      'the earliest first',
    );
    // Due with the next tier: the tier goes first.
    const tie = started(i, { ...fired, scheduledPages: [held(T0 + 10 * MIN)] });
    assert.deepEqual(nextDuty(i, tie, run()), { kind: 'tier', at: T0 + 10 * MIN });
    // Answered, or from an earlier cycle, or a group member: nothing held back is due.
    assert.deepEqual(
      nextDuty(i, { ...rt, state: 'acknowledged', respondedAt: T0 + MIN, stateChangedAt: T0 + MIN }, run()),
      {
        kind: 'sla',
        at: T0 + 4 * 60 * MIN * 0.75,
        mark: 'ttr_at_risk',
      },
    );
    const older = started(i, { ...fired, cycle: 1, scheduledPages: [held(T0 + 2 * MIN, 0)] });
    assert.deepEqual(nextDuty(i, older, run()), { kind: 'tier', at: T0 + 10 * MIN });
    const member = { ...rt, group: { groupId: 'g', role: 'member' as const } };
    assert.equal(nextDuty(i, member, run())?.kind, 'sla');
    // One left from an earlier cycle does not hold up the current cycle's.
    const mixed = started(i, {
      ...fired,
      cycle: 1,
      scheduledPages: [held(T0 + MIN, 0), held(T0 + 3 * MIN, 1)],
    });
    assert.deepEqual(nextDuty(i, mixed, run()), { kind: 'scheduled_page', at: T0 + 3 * MIN });
    // A silence holds it, like a tier: due while silenced, it waits (the silence's end moves the cycle on).
    const silence = { id: 's', from: T0 + MIN, until: T0 + 20 * MIN, reason: 'r', started: true };
    assert.deepEqual(nextDuty(i, { ...rt, silence }, run()), { kind: 'silence_end', at: T0 + 20 * MIN });
  });
});

describe('the next duty of a silenced alert', () => {
  const hold = (from: number, until: number, started: boolean) => ({ id: 's', from, until, reason: 'r', started });
  it('a silence holding from trigger begins first: no tier fires before it', () => {
    const i = input();
    assert.deepEqual(nextDuty(i, started(i, { silence: hold(T0, T0 + 30 * MIN, false) }), run()), { kind: 'silence_start', at: T0 });
  });
  it('begun, it holds every tier and SLA page until its end, which is the next duty', () => {
    const i = input();
    const rt = started(i, { silence: hold(T0, T0 + 20 * MIN, true), slaFired: [] });
    assert.deepEqual(nextDuty(i, rt, run()), { kind: 'silence_end', at: T0 + 20 * MIN });
  });
  it('one starting later lets the tiers due before it fire, and holds the one due after its start', () => {
    const i = input();
    const rt = started(i, { silence: hold(T0 + 5 * MIN, T0 + 60 * MIN, false) });
    assert.deepEqual(nextDuty(i, rt, run()), { kind: 'tier', at: T0 });
    const later = started(i, { cursor: { loop: 0, tier: 1, loopStartedAt: T0 }, silence: hold(T0 + 5 * MIN, T0 + 60 * MIN, false) });
    assert.deepEqual(nextDuty(i, later, run()), { kind: 'silence_start', at: T0 + 5 * MIN });
  });
  it('an alert with no silence (every run from before) schedules as ever', () => {
    const i = input();
    assert.deepEqual(nextDuty(i, started(i, { silence: null }), run()), nextDuty(i, started(i), run()));
  });
});
