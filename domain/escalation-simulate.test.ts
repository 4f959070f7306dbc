import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EscalationPolicy, Tier } from './escalation';
import { simulateEscalation, type SimEntry, type SimulationInput } from './escalation-simulate';
import type { Schedule } from './oncall';
import { resolveTargetsIn, type Directory } from './resolve-targets';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 1, 0, 30);
// Hourly rotation a → b starting at midnight UTC: a until 01:00, b until 02:00, …
const rota: Schedule = {
  id: 'rota',
  timeZone: 'UTC',
  layers: [{ id: 'l', name: 'l', rotation: { type: 'hourly', length: 1 }, start: '2026-03-01T00:00', participants: ['a', 'b'], restrictions: [] }],
  overrides: [],
};
const nobody: Schedule = { ...rota, id: 'nobody', layers: [{ ...rota.layers[0]!, restrictions: [{ weekday: 3, start: '09:00', end: '10:00' }] }] };
const dir: Directory = {
  schedules: new Map([
    ['rota', rota],
    ['nobody', nobody],
  ]),
  users: new Set(['a', 'b', 'c', 'silent']),
  methods: [
    { user_id: 'a', type: 'email', address: 'a@x', secret_id: null },
    { user_id: 'a', type: 'sms', address: '+1', secret_id: null },
    { user_id: 'b', type: 'email', address: 'b@x', secret_id: null },
    { user_id: 'c', type: 'email', address: 'c@x', secret_id: null },
  ],
};

const policyOf = (tiers: Tier[], extra: Partial<EscalationPolicy> = {}): EscalationPolicy => ({
  id: 'p',
  name: 'p',
  tiers,
  repeat: 0,
  repeatDelayMinutes: 5,
  ackTimeoutMinutes: null,
  autoResolveMinutes: null,
  ...extra,
});

// Low severity: TTA at risk after 3 h, so SLA marks stay out of short horizons.
const run = (policy: EscalationPolicy, over: Partial<SimulationInput> = {}) =>
  simulateEscalation({
    policy,
    start: T0,
    sla: { targets: { ttaMs: 240 * MIN, ttrMs: 72 * 60 * MIN }, atRiskFraction: 0.75 },
    acknowledgeAfterMs: null,
    horizonMs: 60 * MIN,
    resolve: (targets, at) => resolveTargetsIn(dir, targets, at),
    ...over,
  }).entries;

/** [minutes, kind, cycle, loop, tier, address or note] */
const brief = (e: SimEntry) => [(e.at - T0) / MIN, e.kind, e.cycle, e.loop, e.tier, e.recipient?.address ?? e.mark ?? null];

const user = (id: string) => ({ type: 'user' as const, id });
const schedule = (id: string) => ({ type: 'schedule' as const, id });

describe('escalation dry-run', () => {
  it('pages each tier at its delay, one page per contact method, then says the chain is exhausted', () => {
    const entries = run(policyOf([{ delayMinutes: 0, targets: [user('a')] }, { delayMinutes: 5, targets: [user('b'), { type: 'webhook', url: 'https://h/x' }] }]));
    assert.deepEqual(entries.map(brief), [
      [0, 'page', 0, 0, 0, 'a@x'],
      [0, 'page', 0, 0, 0, '+1'],
      [5, 'page', 0, 0, 1, 'https://h/x'], // webhooks first, as the workflow sends them
      [5, 'page', 0, 0, 1, 'b@x'],
      [5, 'exhausted', 0, 0, 1, null],
    ]);
  });

  it('repeats the chain after the repeat delay, within the horizon only', () => {
    const entries = run(policyOf([{ delayMinutes: 0, targets: [user('c')] }, { delayMinutes: 3, targets: [user('c')] }], { repeat: 100, repeatDelayMinutes: 4 }), { horizonMs: 20 * MIN });
    assert.deepEqual(
      entries.map((e) => [(e.at - T0) / MIN, e.loop, e.tier]),
      [
        [0, 0, 0],
        [3, 0, 1],
        [7, 1, 0],
        [10, 1, 1],
        [14, 2, 0],
        [17, 2, 1],
      ],
    );
  });

  it('resolves a schedule at each tier’s fire time: before and after a handoff', () => {
    const entries = run(policyOf([{ delayMinutes: 0, targets: [schedule('rota')] }, { delayMinutes: 40, targets: [schedule('rota')] }]));
    const pages = entries.filter((e) => e.kind === 'page');
    assert.deepEqual(pages.map((e) => [(e.at - T0) / MIN, e.recipient!.userId, e.recipient!.scheduleId]), [
      [0, 'a', 'rota'],
      [0, 'a', 'rota'],
      [40, 'b', 'rota'],
    ]);
  });

  it('falls through at once when a tier reaches nobody, with the gaps on the timeline', () => {
    const entries = run(policyOf([{ delayMinutes: 0, targets: [schedule('nobody'), user('silent')] }, { delayMinutes: 30, targets: [user('c')] }, { delayMinutes: 40, targets: [user('c')] }]));
    assert.deepEqual(entries.map(brief), [
      [0, 'escalation_gap', 0, 0, 0, null],
      [0, 'escalation_gap', 0, 0, 0, null],
      [0, 'escalation_gap', 0, 0, 0, null],
      [0, 'page', 0, 0, 1, 'c@x'],
      [10, 'page', 0, 0, 2, 'c@x'], // spacing to later tiers kept
      [10, 'exhausted', 0, 0, 2, null],
    ]);
    assert.match(entries[0]!.note!, /nobody on call/);
    assert.match(entries[1]!.note!, /user silent has no contact methods/);
    assert.equal(entries[2]!.note, 'tier 1 reached nobody: falling through to tier 2');
  });

  it('stops at the acknowledge and restarts from tier 1 after the ack timeout, in a new cycle', () => {
    const policy = policyOf([{ delayMinutes: 0, targets: [user('b')] }, { delayMinutes: 5, targets: [user('c')] }], { ackTimeoutMinutes: 10 });
    const entries = run(policy, { acknowledgeAfterMs: 5 * MIN });
    assert.deepEqual(entries.map(brief), [
      [0, 'page', 0, 0, 0, 'b@x'],
      [5, 'page', 0, 0, 1, 'c@x'], // due at the instant of the acknowledge: still sent
      [5, 'exhausted', 0, 0, 1, null],
      [5, 'acknowledged', 0, null, null, null],
      [15, 'ack_timeout', 1, null, null, null],
      [15, 'page', 1, 0, 0, 'b@x'],
      [20, 'page', 1, 0, 1, 'c@x'],
      [20, 'exhausted', 1, 0, 1, null],
    ]);
  });

  it('fires SLA marks at their deadlines, paging the tier that fired last; acknowledge ends TTA marks only', () => {
    const policy = policyOf([{ delayMinutes: 0, targets: [user('b')] }, { delayMinutes: 4, targets: [user('c')] }]);
    const sla = { targets: { ttaMs: 4 * MIN, ttrMs: 20 * MIN }, atRiskFraction: 0.5 };
    const entries = run(policy, { sla, acknowledgeAfterMs: 6 * MIN });
    assert.deepEqual(entries.map(brief), [
      [0, 'page', 0, 0, 0, 'b@x'],
      [2, 'sla_mark', 0, null, null, 'tta_at_risk'],
      [2, 'page', 0, null, null, 'b@x'],
      [4, 'page', 0, 0, 1, 'c@x'],
      [4, 'exhausted', 0, 0, 1, null],
      [4, 'sla_mark', 0, null, null, 'tta_breached'], // same instant as tier 2: pages tier 2
      [4, 'page', 0, null, null, 'c@x'],
      [6, 'acknowledged', 0, null, null, null],
      [10, 'sla_mark', 0, null, null, 'ttr_at_risk'],
      [10, 'page', 0, null, null, 'c@x'],
      [20, 'sla_mark', 0, null, null, 'ttr_breached'],
      [20, 'page', 0, null, null, 'c@x'],
    ]);
    assert.deepEqual(entries.filter((e) => e.kind === 'page' && e.mark).map((e) => e.pageKind), ['sla_at_risk', 'sla_breached', 'sla_at_risk', 'sla_breached']);
  });

  it('stops everything at the auto-resolve', () => {
    const policy = policyOf([{ delayMinutes: 0, targets: [user('c')] }, { delayMinutes: 30, targets: [user('c')] }], { autoResolveMinutes: 20 });
    const entries = run(policy, { acknowledgeAfterMs: 25 * MIN });
    assert.deepEqual(entries.map((e) => [(e.at - T0) / MIN, e.kind]), [
      [0, 'page'],
      [20, 'auto_resolved'],
      [25, 'acknowledged'],
    ]);
    assert.match(entries[2]!.note!, /not acknowledged/);
  });

  it('reports a truncated timeline rather than running without bound', () => {
    const result = simulateEscalation({
      policy: policyOf([{ delayMinutes: 0, targets: [user('c')] }], { repeat: 100, repeatDelayMinutes: 0 }),
      start: T0,
      sla: { targets: { ttaMs: 240 * MIN, ttrMs: 72 * 60 * MIN }, atRiskFraction: 0.75 },
      acknowledgeAfterMs: null,
      horizonMs: 60 * MIN,
      resolve: (targets, at) => resolveTargetsIn(dir, targets, at),
      maxEntries: 50,
    });
    assert.equal(result.truncated, true);
    assert.equal(result.entries.length, 50);
  });
});

describe('escalation dry-run with notification rules', () => {
  // d: SMS at once, a call at +2 minutes, email at +5.
  const ruled: Directory = {
    ...dir,
    users: new Set([...dir.users, 'd']),
    methods: [
      ...dir.methods,
      { id: 'd-email', user_id: 'd', type: 'email', address: 'd@x', secret_id: null },
      { id: 'd-sms', user_id: 'd', type: 'sms', address: '+4', secret_id: null },
      { id: 'd-voice', user_id: 'd', type: 'voice', address: '+5', secret_id: null },
    ],
    rules: [
      { user_id: 'd', contact_method_id: 'd-sms', delay_minutes: 0 },
      { user_id: 'd', contact_method_id: 'd-voice', delay_minutes: 2 },
      { user_id: 'd', contact_method_id: 'd-email', delay_minutes: 5 },
    ],
  };
  const resolve: SimulationInput['resolve'] = (targets, at) => resolveTargetsIn(ruled, targets, at);

  it("shows a user's rules as pages at their delays after the tier fires", () => {
    const entries = run(policyOf([{ delayMinutes: 0, targets: [user('d')] }, { delayMinutes: 3, targets: [user('c')] }]), { resolve });
    assert.deepEqual(entries.map(brief), [
      [0, 'page', 0, 0, 0, '+4'],
      [2, 'page', 0, 0, 0, '+5'],
      [3, 'page', 0, 0, 1, 'c@x'],
      [3, 'exhausted', 0, 0, 1, null],
      [5, 'page', 0, 0, 0, 'd@x'], // tier 1's user's rules go on after tier 2 fires
    ]);
    assert.equal(entries[1]!.recipient?.delayMinutes, 2);
    assert.match(entries[1]!.note ?? '', /2 min after tier 1 fired/);
  });

  it('an acknowledge drops the pages still held back; a delayed-only user is no gap', () => {
    const onlyLater: Directory = { ...ruled, rules: [{ user_id: 'd', contact_method_id: 'd-voice', delay_minutes: 2 }] };
    const entries = run(policyOf([{ delayMinutes: 0, targets: [user('d')] }]), {
      resolve: (targets, at) => resolveTargetsIn(onlyLater, targets, at),
      acknowledgeAfterMs: 3 * MIN,
    });
    assert.deepEqual(entries.map(brief), [
      [0, 'exhausted', 0, 0, 0, null],
      [2, 'page', 0, 0, 0, '+5'],
      [3, 'acknowledged', 0, null, null, null],
    ]);
    const acked = run(policyOf([{ delayMinutes: 0, targets: [user('d')] }]), { resolve, acknowledgeAfterMs: 1 * MIN });
    assert.deepEqual(acked.map(brief), [
      [0, 'page', 0, 0, 0, '+4'],
      [0, 'exhausted', 0, 0, 0, null],
      [1, 'acknowledged', 0, null, null, null],
    ]);
  });
});
