import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEVERITIES } from './severity';
import { DEFAULT_SLA_TARGETS, pendingMarks, slaDeadlines, slaStatus, slaTargetsFor } from './sla';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MIN = 60_000;

describe('SLA targets and deadlines', () => {
  it('has the spec defaults', () => {
    assert.deepEqual(
      SEVERITIES.map((s) => [DEFAULT_SLA_TARGETS[s].ttaMs / MIN, DEFAULT_SLA_TARGETS[s].ttrMs / MIN]),
      [
        [5, 60],
        [15, 240],
        [60, 1440],
        [240, 4320],
        [1440, 10080],
      ],
    );
  });

  it('prefers a per-service override for the same severity only', () => {
    const overrides = [{ service: 'payments', severity: 'critical' as const, ttaMs: 2 * MIN, ttrMs: 30 * MIN }];
    assert.deepEqual(slaTargetsFor('critical', 'payments', overrides), { ttaMs: 2 * MIN, ttrMs: 30 * MIN });
    assert.deepEqual(slaTargetsFor('high', 'payments', overrides), DEFAULT_SLA_TARGETS.high);
    assert.deepEqual(slaTargetsFor('critical', 'search', overrides), DEFAULT_SLA_TARGETS.critical);
  });

  it('puts at-risk at the fraction and breach at 100% of each target', () => {
    const d = slaDeadlines(T0, DEFAULT_SLA_TARGETS.critical, 0.75);
    assert.equal(d.tta_at_risk - T0, 3.75 * MIN);
    assert.equal(d.tta_breached - T0, 5 * MIN);
    assert.equal(d.ttr_at_risk - T0, 45 * MIN);
    assert.equal(d.ttr_breached - T0, 60 * MIN);
    assert.throws(() => slaDeadlines(T0, DEFAULT_SLA_TARGETS.critical, 1), RangeError);
    assert.throws(() => slaDeadlines(T0, DEFAULT_SLA_TARGETS.critical, 0), RangeError);
  });
});

describe('pending marks', () => {
  const d = slaDeadlines(T0, DEFAULT_SLA_TARGETS.high, 0.75);
  it('lists all four in time order for a fresh alert', () => {
    assert.deepEqual(
      pendingMarks(d, { respondedAt: null, resolved: false, fired: [] }).map((m) => m.mark),
      ['tta_at_risk', 'tta_breached', 'ttr_at_risk', 'ttr_breached'],
    );
  });
  it('drops TTA marks once acknowledged and everything once resolved', () => {
    assert.deepEqual(
      pendingMarks(d, { respondedAt: T0 + MIN, resolved: false, fired: [] }).map((m) => m.mark),
      ['ttr_at_risk', 'ttr_breached'],
    );
    assert.deepEqual(pendingMarks(d, { respondedAt: T0 + MIN, resolved: true, fired: [] }), []);
  });
  it('never lists a mark twice', () => {
    assert.deepEqual(
      pendingMarks(d, { respondedAt: null, resolved: false, fired: ['tta_at_risk', 'tta_breached'] }).map((m) => m.mark),
      ['ttr_at_risk', 'ttr_breached'],
    );
  });
  it('orders equal deadlines at-risk first (a tiny target)', () => {
    const tiny = slaDeadlines(T0, { ttaMs: 1, ttrMs: 1 }, 0.75);
    assert.deepEqual(
      pendingMarks(tiny, { respondedAt: null, resolved: false, fired: [] }).map((m) => m.mark),
      ['tta_at_risk', 'ttr_at_risk', 'tta_breached', 'ttr_breached'],
    );
  });
});

describe('status', () => {
  const d = slaDeadlines(T0, DEFAULT_SLA_TARGETS.critical, 0.75);
  it('is ok, at risk, then breached by the clock while unmeasured', () => {
    assert.equal(slaStatus('tta', d, null, T0 + MIN), 'ok');
    assert.equal(slaStatus('tta', d, null, T0 + 4 * MIN), 'at_risk');
    assert.equal(slaStatus('tta', d, null, T0 + 5 * MIN), 'breached');
  });
  it('is met exactly at the deadline and breached a millisecond after', () => {
    assert.equal(slaStatus('ttr', d, T0 + 60 * MIN, T0 + 999 * MIN), 'met');
    assert.equal(slaStatus('ttr', d, T0 + 60 * MIN + 1, T0 + 999 * MIN), 'breached');
  });
});
