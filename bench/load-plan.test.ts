import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEFAULT_LOAD, describePlan, planLoad, type LoadOptions } from './load-plan';

const options: LoadOptions = { ...DEFAULT_LOAD, alerts: 2_000 };
const plan = planLoad(options, 'Ltest');
const counts = describePlan(plan);

it('creates the alerts held open plus the ones resolved, and leaves exactly `alerts` open', () => {
  assert.equal(counts.byFate.resolve, 100);
  assert.equal(counts.alerts, 2_100);
  assert.equal(counts.openAtEnd, 2_000);
  assert.equal(new Set(plan.alerts.map((a) => a.key)).size, plan.alerts.length, 'every dedup key once');
  assert.ok(plan.alerts.every((a) => /^Ltest-\d{4}$/.test(a.key)));
});

it('paces new alerts at the rate and sends every repeat after its alert, never of one resolved', () => {
  const news = plan.events.filter((e) => e.kind === 'new');
  assert.equal(news.length, plan.alerts.length);
  assert.equal(news.at(-1)!.at, Math.round(((plan.alerts.length - 1) * 1000) / options.rate));
  const repeats = plan.events.filter((e) => e.kind === 'duplicate');
  assert.equal(repeats.length, 400);
  for (const r of repeats) {
    const a = plan.alerts[r.alert]!;
    assert.notEqual(a.fate, 'resolve');
    assert.ok(r.at >= a.at + 2_000 && r.at <= a.at + 120_000);
  }
  for (let i = 1; i < plan.events.length; i++) assert.ok(plan.events[i - 1]!.at <= plan.events[i]!.at);
});

it('groups only Alertmanager alerts, in consecutive groups of at most groupSize, all critical or none', () => {
  for (const a of plan.alerts) assert.equal(a.group !== undefined, a.route === 'alertmanager');
  assert.ok(plan.groups.length > 0);
  for (const g of plan.groups) {
    assert.ok(g.alerts.length >= 1 && g.alerts.length <= options.groupSize);
    const severities = new Set(g.alerts.map((i) => plan.alerts[i]!.severity));
    assert.deepEqual([...severities], [g.critical ? 'critical' : 'high']);
    // An incident's alerts arrive together: in order, and no other group's alert between them.
    for (let k = 1; k < g.alerts.length; k++) assert.ok(g.alerts[k]! > g.alerts[k - 1]!);
  }
  const spans = plan.groups.map((g) => [g.alerts[0]!, g.alerts.at(-1)!] as const);
  for (let k = 1; k < spans.length; k++) assert.ok(spans[k]![0] > spans[k - 1]![1]);
  assert.equal(counts.groupedAlerts, counts.byRoute.alertmanager);
});

it('pages every critical alert and group and nothing else, and acts only on ungrouped quiet alerts otherwise', () => {
  for (const a of plan.alerts) {
    assert.equal(a.fate === 'paged', a.severity === 'critical');
    if (a.fate === 'ack' || a.fate === 'resolve') {
      assert.equal(a.group, undefined);
      assert.ok(a.actionDelayMs > 0);
    }
  }
  const ungroupedCritical = plan.alerts.filter(
    (a) => a.severity === 'critical' && a.group === undefined,
  ).length;
  assert.equal(counts.pagedIncidents, ungroupedCritical + plan.groups.filter((g) => g.critical).length);
  assert.ok(counts.pagedIncidents > 0);
  const quietOpen = plan.alerts.filter(
    (a) => a.group === undefined && a.fate !== 'paged' && a.fate !== 'resolve',
  );
  assert.equal(counts.byFate.ack, Math.round(quietOpen.length * options.ackShare));
  assert.equal(plan.alerts.filter((a) => a.route === 'pagerduty' && a.severity === 'low').length, 0);
});

it('is the same plan for the same seed and another for another seed', () => {
  assert.deepEqual(planLoad(options, 'Ltest'), plan);
  assert.notDeepEqual(planLoad({ ...options, seed: options.seed + 1 }, 'Ltest').alerts, plan.alerts);
});

it('refuses options that make no load', () => {
  assert.throws(() => planLoad({ ...options, alerts: 0 }, 'L1'), /alerts/);
  assert.throws(() => planLoad({ ...options, rate: 0 }, 'L1'), /rate/);
  assert.throws(() => planLoad({ ...options, ackShare: 1.5 }, 'L1'), /ackShare/);
  assert.throws(() => planLoad(options, 'L-1'), /runId/);
});
