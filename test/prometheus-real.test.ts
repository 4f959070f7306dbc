// A real Prometheus scrapes a Klaxon that has paged (email, SMS, webhook, one page refused for good and
// one failing for now), been acknowledged, breached an SLA, grouped two alerts, folded a duplicate and
// refused an invalid event. Then every Grafana panel query and the signal behind every alert rule must
// return data: a misspelt metric or label, or a series the code never exports, shows up here. The rules
// that fire at once must fire.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import type { Server } from 'node:http';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { parse } from 'yaml';
import { buildInfo, KLAXON_VERSION } from '../runtime/metrics';
import { serveMetrics } from '../runtime/metrics-server';
import { PROMETHEUS_DIR, startPrometheus, type RunningPrometheus } from './helpers/prometheus';
import { dashboardQueries, fillGrafanaVariables, ruleSignals } from './helpers/promql';
import { installSdkRuntimeWithMetrics } from './helpers/temporal';
import { startDevServer } from '../runtime/temporal';
import { temporalTargetOf } from '../runtime/temporal-connection';
import { loadConfig } from '../runtime/config';
import { issue, makeCa } from './helpers/certificates';
import { startHarness, type Harness } from './helpers/harness';
import { freePort } from './helpers/npm-start';
import { startWorld, waitFor, type World } from './helpers/world';

const DASHBOARD = path.resolve(__dirname, '..', 'deploy', 'grafana', 'klaxon-dashboard.json');
const RULES = path.join(PROMETHEUS_DIR, 'klaxon-rules.yml');
/** How long after the scenario a query may take to return data: a few 1 s scrapes, and rate()'s two samples. */
const DATA_WITHIN_MS = 20_000;
/**
 * Metrics this test cannot produce, and why. A query that names one must return nothing here, so an
 * entry goes as soon as its reason does; every other query must return data.
 */
const BLIND: Record<string, string> = {};
/** One deadline for every test here, so that queries that never return data cost those 20 s only once. */
let dataDeadline: number;

let w: World;
/**
 * A second API and worker on the Temporal dev server: the time-skipping server cannot describe task
 * queues, so only an API on a real server sets klaxon_task_queue_pollers (one registry, one process).
 */
let dev: Harness;
let devDir: string;
let prom: RunningPrometheus;
let workerMetrics: Server;

before(async () => {
  const sdkAddress = await installSdkRuntimeWithMetrics();
  w = await startWorld();
  // The test process is the API and the worker at once, as under `npm start`, which sets this at start-up.
  buildInfo.set({ version: KLAXON_VERSION, role: 'all' }, 1);
  // A process with mTLS settings reads its certificates at start, which reports their expiry dates.
  devDir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-prom-dev-'));
  const ca = makeCa(devDir, 'temporal-ca');
  const client = issue(devDir, ca, 'klaxon', 'client');
  temporalTargetOf({ ...loadConfig({}), TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS_CA_PATH: ca.cert, TEMPORAL_TLS_CERT_PATH: client.cert, TEMPORAL_TLS_KEY_PATH: client.key });
  workerMetrics = await serveMetrics(0, '127.0.0.1');
  const cli = process.env.TEMPORAL_CLI_PATH;
  assert.ok(cli, 'npm test provisions the Temporal CLI (TEMPORAL_CLI_PATH)');
  const devServer = await startDevServer({ executable: { type: 'existing-path', path: cli }, port: await freePort(), uiPort: await freePort(), dbFile: path.join(devDir, 'temporal.db'), namespace: 'default' });
  dev = await startHarness({ temporal: devServer });
  const port = (s: Server) => (s.address() as { port: number }).port;
  prom = await startPrometheus({
    jobs: [
      // One registry through both of the endpoints docker compose scrapes in separate processes: the
      // API's GET /metrics (which reads the gauges first) and the worker's metrics server.
      { job: 'klaxon-api', target: [new URL(w.baseUrl).host, new URL(dev.baseUrl).host] },
      { job: 'klaxon-worker', target: `127.0.0.1:${port(workerMetrics)}` },
      { job: 'temporal-sdk', target: sdkAddress },
    ],
    ruleFiles: [RULES],
  });
  await scenario();
  dataDeadline = Date.now() + DATA_WITHIN_MS;
});

after(async () => {
  await prom?.close();
  await new Promise((resolve) => workerMetrics?.close(resolve));
  await w?.close();
  await dev?.close();
  if (devDir) rmSync(devDir, { recursive: true, force: true });
});

async function scenario(): Promise<void> {
  // Before any policy exists, an alert pages nobody.
  await w.trigger({ service: 'unrouted', summary: 'Nobody covers this' });

  const userId = await w.user('prom-responder', [
    { type: 'email', address: 'responder@example.com' },
    { type: 'sms', address: '+15551234002' },
  ]);
  w.hooks.respondWith('/gone', 410);
  w.hooks.respondWith('/flaky', 503);
  const webhook = (p: string) => ({ type: 'webhook', url: `${w.hooks.url}${p}` });
  await w.policy({
    is_default: true,
    tiers: [
      {
        delay_minutes: 0,
        targets: [{ type: 'user', id: userId }, webhook('/ok'), webhook('/gone'), webhook('/flaky')],
      },
    ],
  });

  const paged = await w.trigger({ service: 'checkout' });
  await waitFor(
    'pages by email, sms and webhook, one refused and one failing',
    () =>
      w.smtp.received() >= 1 &&
      w.twilio.messages.length >= 1 &&
      w.hits('/ok') >= 1 &&
      w.hits('/gone') >= 1 &&
      w.hits('/flaky') >= 1,
  );
  w.hooks.respondWith('/flaky', 200);
  const ack = await w.request('POST', `/alerts/${paged.id}/acknowledge`, {});
  assert.equal(ack.status, 200, JSON.stringify(ack.body));
  // A service that alerts again once Prometheus has seen its series: increase() over the count of
  // triggered alerts (the series is born with its first alert) has something to show.
  await waitFor(
    'both Klaxon jobs scraped the first checkout alert',
    // Each job has the series (the API job twice: the second API on the dev server shares the registry).
    async () => {
      const series = (await prom.query('klaxon_alerts_triggered_total{service="checkout"}')) as { metric: { job: string } }[];
      return new Set(series.map((s) => s.metric.job)).size === 2;
    },
  );
  await w.trigger({ service: 'checkout', dedup_key: 'checkout-latency', summary: 'Checkout p99 2.4 s' });

  // Nobody acknowledges this one: its 5-minute TTA breaches on the skipped clock.
  const late = await w.trigger({ service: 'checkout-db', summary: 'Replica lag 40 s' });
  await w.env.sleep('10 minutes');
  await waitFor(
    'the TTA breach recorded',
    async () =>
      (
        await w.db.pool.query("select 1 from sla_events where alert_id = $1 and mark = 'tta_breached'", [
          late.id,
        ])
      ).rowCount === 1,
  );
  const resolved = await w.request('POST', `/alerts/${paged.id}/resolve`, {});
  assert.equal(resolved.status, 200, JSON.stringify(resolved.body));

  const integration = await w.request('POST', '/integrations', {
    type: 'pagerduty',
    name: 'prom storm',
    service: 'storage',
    group_by: ['component'],
  });
  assert.equal(integration.status, 201, JSON.stringify(integration.body));
  const enqueue = (body: Record<string, unknown>) =>
    w.request('POST', '/v2/enqueue', { routing_key: integration.body.routing_key, ...body }, { key: null });
  const event = (dedup: string) => ({
    event_action: 'trigger',
    dedup_key: dedup,
    payload: { summary: `disk errors ${dedup}`, source: 'host-1', severity: 'error', component: 'disk' },
  });
  for (const body of [event('disk-1'), event('disk-2'), event('disk-1')])
    assert.equal((await enqueue(body)).status, 202);
  assert.equal(
    (await enqueue({ event_action: 'trigger' })).status,
    400,
    'an event without a payload is invalid',
  );
  await waitFor(
    'two alerts grouped',
    async () =>
      (
        await w.db.pool.query(
          'select count(*)::int as n from alerts where service = $1 and group_id is not null',
          ['storage'],
        )
      ).rows[0].n === 2,
  );
}

/** Asks each query until it returns a sample or the data deadline passes; returns those that never did, with why. */
async function withoutData(queries: { name: string; expr: string }[]): Promise<string[]> {
  let pending = queries;
  const refused = new Map<string, string>();
  for (;;) {
    const answers = await Promise.all(
      pending.map(async (q) => {
        try {
          return (await prom.query(q.expr)).length > 0;
        } catch (err) {
          refused.set(q.name, (err as Error).message);
          return false;
        }
      }),
    );
    pending = pending.filter((_, i) => !answers[i]);
    if (pending.length === 0 || Date.now() > dataDeadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return pending.map(
    (q) => `${q.name}: ${q.expr}${refused.has(q.name) ? ` (${refused.get(q.name)})` : ' (no data)'}`,
  );
}

/** Returns what is wrong with the queries' answers: one that names no BLIND metric and returns no data, or one that names a BLIND metric and does. */
async function checkData(queries: { name: string; expr: string }[]): Promise<string[]> {
  const blindIn = (expr: string) => Object.keys(BLIND).find((m) => new RegExp(`\\b${m}\\b`).test(expr));
  const problems = await withoutData(queries.filter((q) => !blindIn(q.expr)));
  for (const q of queries) {
    const metric = blindIn(q.expr);
    if (metric && (await prom.query(q.expr)).length > 0)
      problems.push(
        `${q.name}: ${q.expr} returns data now, though ${metric}: ${BLIND[metric]}; take it off BLIND`,
      );
  }
  return problems;
}

it('every panel query of the Grafana dashboard returns data', async () => {
  assert.ok(
    existsSync(DASHBOARD),
    `${path.relative(process.cwd(), DASHBOARD)} is missing: the dashboard's queries cannot be checked`,
  );
  const panels = dashboardQueries(JSON.parse(readFileSync(DASHBOARD, 'utf8')));
  assert.ok(panels.length > 0, 'the dashboard has panel queries');
  const problems = await checkData(
    panels.map((p) => ({ name: p.panel, expr: fillGrafanaVariables(p.expr) })),
  );
  assert.ok(problems.length === 0, `panel queries:\n  ${problems.join('\n  ')}`);
});

it('the signal behind every alert rule returns data (see ruleSignals: the expression without its final comparison)', async () => {
  const rules = (
    parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }
  ).groups.flatMap((g) => g.rules);
  const signals = rules.flatMap((r) =>
    ruleSignals(r.expr).map((expr, i, all) => ({
      name: all.length > 1 ? `${r.alert} #${i + 1}` : r.alert,
      expr,
    })),
  );
  const problems = await checkData(signals);
  assert.ok(problems.length === 0, `rule signals:\n  ${problems.join('\n  ')}`);
});

it('the rules without a hold-off fire for what the scenario did, on series born during it', async () => {
  // Each labelled series below first appears with its first event, which increase() alone never sees.
  const expected: [string, Record<string, string>][] = [
    ['KlaxonPagesFailingPermanently', { channel: 'webhook' }],
    ['KlaxonAlertsWithoutPolicy', { service: 'unrouted', alert_severity: 'critical' }],
    ['KlaxonSlaBreaches', { target: 'tta', alert_severity: 'critical' }],
  ];
  type Firing = { labels: Record<string, string>; state: string };
  const firing = async () =>
    ((await prom.api('alerts')) as { alerts: Firing[] }).alerts.filter((a) => a.state === 'firing');
  const missing = async () => {
    const now = await firing();
    return expected.filter(
      ([name, labels]) =>
        !now.some(
          (a) => a.labels.alertname === name && Object.entries(labels).every(([k, v]) => a.labels[k] === v),
        ),
    );
  };
  while ((await missing()).length > 0 && Date.now() < dataDeadline)
    await new Promise((r) => setTimeout(r, 1000));
  const left = await missing();
  assert.ok(
    left.length === 0,
    `not firing: ${left.map(([n, l]) => `${n}${JSON.stringify(l)}`).join(', ')}; firing: ${JSON.stringify((await firing()).map((a) => a.labels))}`,
  );
});

it('Prometheus loads every rule and evaluates it without error', async () => {
  type Loaded = { name: string; health: string; lastError?: string };
  const loaded = async () =>
    ((await prom.api('rules')) as { groups: { rules: Loaded[] }[] }).groups.flatMap((g) => g.rules);
  await waitFor(
    'every rule evaluated once',
    async () => (await loaded()).every((r) => r.health !== 'unknown'),
    10_000,
  );
  const rules = await loaded();
  assert.equal(
    rules.length,
    (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: unknown[] }[] }).groups.flatMap((g) => g.rules)
      .length,
  );
  assert.deepEqual(
    rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`),
    [],
  );
});
