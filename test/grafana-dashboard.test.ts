// The dashboard Grafana provisions is generated from deploy/grafana/dashboard.ts; these checks keep the
// committed JSON and the code in step, and every query answerable by the Prometheus that scrapes Klaxon.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { Histogram } from 'prom-client';
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE_VARIABLE } from '../deploy/grafana/panels';
import { registry } from '../runtime/metrics';
import { DASHBOARD_JSON, dashboardJson } from '../scripts/dashboard';

const committed = JSON.parse(readFileSync(DASHBOARD_JSON, 'utf8')) as Dashboard;
const all = (committed.panels ?? []) as (Panel | RowPanel)[];
const panels = all.filter((p): p is Panel => p.type !== 'row');
const exprs = panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ title: p.title, expr: (t as { expr?: string }).expr ?? '' })),
);

it('the committed JSON is what deploy/grafana/dashboard.ts builds (else run npm run dashboard)', () => {
  assert.deepEqual(committed, JSON.parse(dashboardJson()));
});

it('has at least 8 panels, each titled, on the data-source variable, with a query', () => {
  assert.ok(panels.length >= 8, `${panels.length} panels`);
  for (const p of panels) {
    assert.ok(p.title?.trim(), `panel ${p.id} has a title`);
    assert.deepEqual(
      p.datasource,
      { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` },
      `${p.title}: datasource`,
    );
    assert.ok((p.targets ?? []).length > 0, `${p.title}: has a target`);
    for (const t of p.targets ?? [])
      assert.ok((t as { expr?: string }).expr?.trim(), `${p.title}: every target has an expr`);
  }
  // Readers of the JSON (the real-Prometheus test, Grafana's own panel links) find panels at the top
  // level only while no row is collapsed: a collapsed row keeps its panels inside it.
  for (const row of all.filter((p): p is RowPanel => p.type === 'row')) {
    assert.equal(row.collapsed, false, `row ${row.title} is open`);
    assert.deepEqual(row.panels, [], `row ${row.title} holds no panels of its own`);
  }
  const ids = all.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
});

it('uses no template variable but the data source, and only Grafana built-ins in queries', () => {
  const variables = committed.templating?.list ?? [];
  assert.deepEqual(
    variables.map((v) => [v.name, v.type]),
    [[DATASOURCE_VARIABLE, 'datasource']],
  );
  const builtins = new Set(['$__rate_interval', '$__range', '$__interval']);
  for (const { title, expr } of exprs) {
    for (const [variable] of expr.matchAll(/\$\{?\w+\}?/g))
      assert.ok(builtins.has(variable), `${title}: ${variable} in ${expr}`);
  }
});

it('names only klaxon_* metrics that runtime/metrics.ts defines', () => {
  const known = new Set<string>();
  for (const metric of registry.getMetricsAsArray()) {
    known.add(metric.name);
    // Prometheus sees a histogram as its _bucket, _sum and _count series.
    if (metric instanceof Histogram)
      for (const suffix of ['_bucket', '_sum', '_count']) known.add(metric.name + suffix);
  }
  const used = new Set(exprs.flatMap(({ expr }) => expr.match(/\bklaxon_[a-z0-9_]+/g) ?? []));
  assert.ok(used.size >= 15, `the dashboard reads Klaxon's metrics (${used.size} names)`);
  for (const name of used) assert.ok(known.has(name), `${name} is in runtime/metrics.ts`);
});
