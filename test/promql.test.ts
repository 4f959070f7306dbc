// The queries test/prometheus-real.test.ts derives: rule signals and filled-in dashboard queries.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { dashboardQueries, fillGrafanaVariables, ruleSignals } from './helpers/promql';

it('a rule signal is its expression without the final comparison with a number', () => {
  assert.deepEqual(ruleSignals('sum(increase(x_total[15m])) > 0'), ['sum(increase(x_total[15m]))']);
  assert.deepEqual(ruleSignals('max(g) >= bool 2.5'), ['max(g)']);
  assert.deepEqual(
    ruleSignals('(\n  sum by (c) (rate(a{o=~"failed_.*"}[10m]))\n  / sum by (c) (rate(a[10m]))\n) > 0.2'),
    ['sum by (c) (rate(a{o=~"failed_.*"}[10m])) / sum by (c) (rate(a[10m]))'],
  );
  assert.deepEqual(ruleSignals('histogram_quantile(0.99, rate(h[5m])) > 1e1'), [
    'histogram_quantile(0.99, rate(h[5m]))',
  ]);
  // Only the last top-level comparison goes; one inside a function argument stays.
  assert.deepEqual(ruleSignals('count(up == 1) < 2'), ['count(up == 1)']);
  assert.deepEqual(ruleSignals('rate(x[5m])'), ['rate(x[5m])']);
});

it('splits at top-level set operators and reads through absent()', () => {
  assert.deepEqual(
    ruleSignals('max by (queue) (p) == 0 or absent(p{queue="alerts"}) or on(queue) absent(p{queue="pages"})'),
    ['max by (queue) (p)', 'p{queue="alerts"}', 'p{queue="pages"}'],
  );
  assert.deepEqual(ruleSignals('absent(up{job=~"klaxon.*"} == 1) or absent(klaxon_build_info)'), [
    'up{job=~"klaxon.*"}',
    'klaxon_build_info',
  ]);
  assert.deepEqual(ruleSignals('a > 1 and b < 2 unless c'), ['a', 'b', 'c']);
  // Words that merely contain an operator, and operators inside strings or brackets, do not split.
  assert.deepEqual(ruleSignals('sum by (vendor) (orders{k="a or b"}) > 0'), [
    'sum by (vendor) (orders{k="a or b"})',
  ]);
  assert.deepEqual(ruleSignals('label_replace(a, "x", "or", "", "") > 0'), [
    'label_replace(a, "x", "or", "", "")',
  ]);
});

it('refuses a comparison with a vector, whose signal is for a person to choose', () => {
  assert.throws(
    () => ruleSignals('rate(a[5m]) > rate(b[5m])'),
    /compared with "rate\(b\[5m\]\)", not a number/,
  );
});

it('fills Grafana variables: builtins by their values, the rest by .*', () => {
  assert.equal(
    fillGrafanaVariables(
      'sum(rate(x{job=~"$job", svc=~"${service}", ch=~"${channel:regex}", q=~"[[queue]]"}[$__rate_interval]))',
    ),
    'sum(rate(x{job=~".*", svc=~".*", ch=~".*", q=~".*"}[1m]))',
  );
  assert.equal(
    fillGrafanaVariables('increase(x[$__range]) / $__range_s + ${__interval}'),
    'increase(x[10m]) / 600 + 15s',
  );
  assert.equal(fillGrafanaVariables('up'), 'up');
});

it('collects every target expr, in rows too, named by panel and refId', () => {
  const dashboard = {
    title: 'Klaxon',
    panels: [
      {
        title: 'Pages',
        targets: [
          { refId: 'A', expr: 'a' },
          { refId: 'B', expr: 'b' },
        ],
      },
      {
        title: 'Row',
        type: 'row',
        collapsed: true,
        panels: [{ title: 'Inner', targets: [{ refId: 'A', expr: 'c' }] }],
      },
      { title: 'Text', type: 'text' },
      { title: 'Empty', targets: [{ refId: 'A', expr: ' ' }] },
    ],
    templating: { list: [{ name: 'service', query: 'label_values(x, service)' }] },
  };
  assert.deepEqual(dashboardQueries(dashboard), [
    { panel: 'Pages (A)', expr: 'a' },
    { panel: 'Pages (B)', expr: 'b' },
    { panel: 'Inner (A)', expr: 'c' },
  ]);
});
