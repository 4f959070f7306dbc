import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  advance,
  afterTierFailed,
  afterTierPaged,
  escalateNow,
  fireTime,
  matchPolicy,
  policyProblems,
  startEscalation,
  tierFailedForGood,
  type EscalationCursor,
  type EscalationPolicy,
  type PolicyRule,
} from './escalation';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 1);
const policy: EscalationPolicy = {
  id: 'p',
  name: 'three tiers',
  tiers: [0, 5, 15].map((delayMinutes, i) => ({ delayMinutes, targets: [{ type: 'user' as const, id: `u${i}` }] })),
  repeat: 1,
  repeatDelayMinutes: 10,
  ackTimeoutMinutes: null,
  autoResolveMinutes: null,
};

/** Every fire time of the whole chain, walking the cursor to exhaustion. */
function walk(p: EscalationPolicy, start: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  let c: EscalationCursor | null = startEscalation(start);
  while (c) {
    const at = fireTime(p, c);
    out.push([c.loop, c.tier, (at - start) / MIN]);
    c = advance(p, c, at);
  }
  return out;
}

describe('tier cursor', () => {
  it('fires 0/5/15 minutes into each loop and repeats after the repeat delay', () => {
    assert.deepEqual(walk(policy, T0), [
      [0, 0, 0],
      [0, 1, 5],
      [0, 2, 15],
      [1, 0, 25],
      [1, 1, 30],
      [1, 2, 40],
    ]);
  });
  it('runs once with repeat 0', () => {
    assert.equal(walk({ ...policy, repeat: 0 }, T0).length, 3);
  });
  it('escalate-now fires the pending tier at once and keeps the spacing of later tiers', () => {
    let c: EscalationCursor = { loop: 0, tier: 1, loopStartedAt: T0 };
    c = escalateNow(policy, c, T0 + 2 * MIN);
    assert.equal(fireTime(policy, c), T0 + 2 * MIN);
    const next = advance(policy, c, T0 + 2 * MIN)!;
    assert.equal(fireTime(policy, next), T0 + 12 * MIN);
  });
});

describe('falling through a tier', () => {
  it('a tier falls through only when it paged someone and every page failed for good', () => {
    assert.equal(tierFailedForGood(['failed']), true);
    assert.equal(tierFailedForGood(['failed', 'failed', 'failed']), true);
    // Nobody paged is the other rule (afterTierPaged): here it is not a failure of pages.
    assert.equal(tierFailedForGood([]), false);
    // One page still being retried may yet arrive; one delivered may be answered.
    assert.equal(tierFailedForGood(['failed', 'pending']), false);
    assert.equal(tierFailedForGood(['failed', 'sent']), false);
    assert.equal(tierFailedForGood(['pending']), false);
    // Cancelled means the alert was answered: escalation has stopped anyway, nothing to fall through to.
    assert.equal(tierFailedForGood(['failed', 'cancelled']), false);
  });
  it('fires the next tier at the failure, keeping the spacing of the tiers after it', () => {
    const fired: EscalationCursor = { loop: 0, tier: 0, loopStartedAt: T0 };
    const next = advance(policy, fired, T0)!;
    const { cursor, gap } = afterTierFailed(policy, fired, next, T0 + 1 * MIN);
    assert.equal(fireTime(policy, cursor), T0 + 1 * MIN, 'tier 2 at the failure, not at minute 5');
    assert.equal(fireTime(policy, advance(policy, cursor, T0 + MIN)!), T0 + 11 * MIN, 'tier 3 still 10 minutes after tier 2');
    assert.equal(gap, 'tier 1 failed on every page: falling through to tier 2');
  });
  it('falls from the last tier into the next loop, and names it', () => {
    const fired: EscalationCursor = { loop: 0, tier: 2, loopStartedAt: T0 };
    const next = advance(policy, fired, T0 + 15 * MIN)!;
    const { cursor, gap } = afterTierFailed(policy, fired, next, T0 + 16 * MIN);
    assert.deepEqual([cursor.loop, cursor.tier, fireTime(policy, cursor)], [1, 0, T0 + 16 * MIN]);
    assert.equal(gap, 'tier 3 failed on every page: falling through to tier 1 of loop 2');
  });
  it('a tier that reached nobody still falls through as before, and one that paged does not', () => {
    const fired: EscalationCursor = { loop: 0, tier: 0, loopStartedAt: T0 };
    const next = advance(policy, fired, T0)!;
    assert.equal(afterTierPaged(policy, fired, next, 0, T0).gap, 'tier 1 reached nobody: falling through to tier 2');
    assert.deepEqual(afterTierPaged(policy, fired, next, 2, T0), { cursor: next, gap: null });
    assert.deepEqual(afterTierPaged(policy, fired, null, 0, T0), { cursor: null, gap: null });
  });
});

describe('policy matching', () => {
  const rules: PolicyRule[] = [
    { policyId: 'db-critical', severities: ['critical'], services: ['db'], labels: {} },
    { policyId: 'eu', severities: null, services: null, labels: { region: 'eu' } },
    { policyId: 'db', severities: [], services: ['db'], labels: {} },
  ];
  it('takes the first matching rule', () => {
    assert.equal(matchPolicy(rules, { severity: 'critical', service: 'db', labels: { region: 'eu' } }, 'default'), 'db-critical');
    assert.equal(matchPolicy(rules, { severity: 'high', service: 'db', labels: { region: 'eu' } }, 'default'), 'eu');
    assert.equal(matchPolicy(rules, { severity: 'high', service: 'db', labels: {} }, 'default'), 'db');
  });
  it('falls back to the default policy, or none', () => {
    assert.equal(matchPolicy(rules, { severity: 'low', service: 'web', labels: { region: 'us' } }, 'default'), 'default');
    assert.equal(matchPolicy(rules, { severity: 'low', service: 'web', labels: {} }, null), null);
    assert.equal(matchPolicy([], { severity: 'low', service: 'web', labels: {} }, 'default'), 'default');
  });
  it('requires every label of a rule', () => {
    const r: PolicyRule[] = [{ policyId: 'x', severities: null, services: null, labels: { a: '1', b: '2' } }];
    assert.equal(matchPolicy(r, { severity: 'low', service: 's', labels: { a: '1' } }, null), null);
    assert.equal(matchPolicy(r, { severity: 'low', service: 's', labels: { a: '1', b: '2', c: '3' } }, null), 'x');
  });
});

describe('policy validation', () => {
  it('rejects empty chains, empty tiers and decreasing delays, naming the field', () => {
    assert.deepEqual(policyProblems({ tiers: [] }).map((p) => p.path), ['tiers']);
    const bad = policyProblems({ tiers: [{ delayMinutes: 10, targets: [{ type: 'user', id: 'u' }] }, { delayMinutes: 5, targets: [] }] });
    assert.deepEqual(bad.map((p) => p.path).sort(), ['tiers.1.delay_minutes', 'tiers.1.targets']);
    assert.deepEqual(policyProblems(policy), []);
  });
});
