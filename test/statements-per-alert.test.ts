// What one alert costs Postgres, statement by statement, counted in the API's and the worker's pools:
// a new alert paging a user by email, from POST /alerts until its first page is recorded sent, runs at
// most PER_ALERT statements in all; a repeat of an open alert, by POST /alerts or by ingest, runs no
// planning query (policy match, policy load, SLA targets), also in an API process that did not see the
// first event. A failure lists every statement, so a regression names what it added.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../api/app';
import { startAppCaches, type AppCaches } from '../api/app-caches';
import { listen } from '../api/listen';
import { createLogger } from '../runtime/logger';
import { alertWorkflowId } from '../workflows/messages';
import { createTestDatabase } from './helpers/database';
import { listed, StatementLog, type Statement } from './helpers/statements';
import { startWorld, waitFor, type World } from './helpers/world';

const PER_ALERT = 8;
// Of which the API's (authenticate, count the rate, read the record's answer) and the worker's (record,
// read the targets and the alert's state, claim, finish).
const PER_PROCESS = { api: 3, worker: 5 };
const SERVICE = 'checkout-stmts';
const USER_EMAIL = 'ada-stmts@example.com';

// Statements that come with the passing of time, not with an alert: a rate limiter deleting its ended
// windows (once a minute per limiter) and an API key's last-used time (once a minute per key).
const PERIODIC = [
  /^delete from rate_limit_hits where reset_at <= now\(\)$/,
  /^update api_keys set last_used_at /,
];
// What planning an alert reads: the rules and default policy, the matched policy, the SLA targets.
const PLANNING = /\b(escalation_rules|escalation_policies|sla_targets)\b/;

const log = new StatementLog();
let w: World;

const perAlert = (s: readonly Statement[]) => s.filter((x) => !PERIODIC.some((p) => p.test(x.sql)));
const planning = (s: readonly Statement[]) => s.filter((x) => PLANNING.test(x.sql));

const alertOf = async (dedupKey: string) =>
  (
    await w.db.pool.query(
      'select id, occurrences from alerts where service = $1 and dedup_key = $2 order by triggered_at desc',
      [SERVICE, dedupKey],
    )
  ).rows[0];
const sentPages = async (alertId: string) =>
  (
    await w.db.pool.query<{ n: number }>(
      `select count(*)::int as n from notifications where alert_id = $1 and status = 'sent'`,
      [alertId],
    )
  ).rows[0]!.n;

/** Triggers an alert through POST /alerts and waits until its first page is recorded sent; returns its id. */
async function pagedAlert(dedupKey: string): Promise<string> {
  const mails = w.smtp.messages.length;
  const { id } = await w.trigger({ service: SERVICE, dedup_key: dedupKey });
  await waitFor(
    'the first page recorded sent',
    async () => (await sentPages(id)) === 1 && w.smtp.messages.length > mails,
  );
  assert.deepEqual(
    w.smtp.messages.slice(mails).map((m) => m.envelope.rcptTo),
    [[USER_EMAIL]],
  );
  return id;
}

before(async () => {
  const db = await createTestDatabase();
  w = await startWorld({
    db,
    pools: { api: log.record(db.pool, 'api'), worker: log.record(db.pool, 'worker') },
  });
  const user = await w.user('Ada', [{ type: 'email', address: USER_EMAIL }]);
  await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: user }] }], is_default: true });
  await waitFor('the plan cache serving', () => w.caches.plans.serving);
  // Once per process, not per alert: the plan cache's first loads, the admin key's first check, the
  // worker's reply-link key. A first alert pays them.
  await pagedAlert('warm-up');
});
after(async () => {
  await w?.close();
});

describe('statements per alert', () => {
  it(`a new paging alert: at most ${PER_ALERT} statements from POST /alerts to its first page sent`, async () => {
    const mark = log.mark();
    const id = await pagedAlert('first-page');
    const all = log.since(mark);
    const counted = perAlert(all);
    const api = counted.filter((s) => s.by === 'api').length;
    const worker = counted.filter((s) => s.by === 'worker').length;
    console.log(
      `# one paging alert: ${counted.length} statements (api ${api}, worker ${worker})\n${listed(all)}`,
    );
    const wanted = `at most ${PER_ALERT} wanted (api ${PER_PROCESS.api}, worker ${PER_PROCESS.worker})`;
    assert.ok(
      counted.length <= PER_ALERT && api <= PER_PROCESS.api && worker <= PER_PROCESS.worker,
      `${counted.length} statements (api ${api}, worker ${worker}) for alert ${id}, ${wanted}:\n${listed(all)}`,
    );
    assert.deepEqual(planning(counted), [], `the plan cache answers planning:\n${listed(all)}`);
  });

  it('a repeat through POST /alerts runs no planning query, whether or not this API delivered the first event', async () => {
    await pagedAlert('repeat-api');
    const workflowId = alertWorkflowId(SERVICE, 'repeat-api');

    // This process delivered the first event: the repeat is a plain signal.
    let mark = log.mark();
    assert.equal((await w.request('POST', '/alerts', repeatBody('repeat-api'))).status, 200);
    await waitFor('two occurrences', async () => (await alertOf('repeat-api')).occurrences === 2);
    console.log(
      `# a repeat (recent alert): ${perAlert(log.since(mark)).length} statements\n${listed(log.since(mark))}`,
    );
    assert.deepEqual(planning(log.since(mark)), [], listed(log.since(mark)));

    // It forgot (a restart, or pushed out by newer ones), with its plan cache cold and not serving.
    w.caches.recent.delete(workflowId);
    w.caches.plans.setLive(false);
    try {
      mark = log.mark();
      assert.equal((await w.request('POST', '/alerts', repeatBody('repeat-api'))).status, 200);
      await waitFor('three occurrences', async () => (await alertOf('repeat-api')).occurrences === 3);
      console.log(
        `# a repeat (not recent, cache not serving): ${perAlert(log.since(mark)).length} statements\n${listed(log.since(mark))}`,
      );
      assert.deepEqual(planning(log.since(mark)), [], listed(log.since(mark)));
    } finally {
      w.caches.plans.setLive(true);
    }

    // Another API process, started after the first event: it never saw the alert, its caches are cold.
    const other = await startOtherApi();
    try {
      mark = log.mark();
      const res = await other.post('/alerts', repeatBody('repeat-api'), {
        authorization: `Bearer ${w.adminKey}`,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      await waitFor('four occurrences', async () => (await alertOf('repeat-api')).occurrences === 4);
      console.log(
        `# a repeat (another API): ${perAlert(log.since(mark)).length} statements\n${listed(log.since(mark))}`,
      );
      assert.deepEqual(planning(log.since(mark)), [], listed(log.since(mark)));
    } finally {
      await other.close();
    }
    assert.equal(
      (await w.db.pool.query('select count(*)::int as n from alerts where dedup_key = $1', ['repeat-api']))
        .rows[0].n,
      1,
    );
  });

  it('a repeat through ingest (Alertmanager, PagerDuty events) runs no planning query, in this API or another', async () => {
    const am = (
      await w.request('POST', '/integrations', { type: 'alertmanager', name: 'am-stmts', service: SERVICE })
    ).body.routing_key as string;
    const pd = (
      await w.request('POST', '/integrations', { type: 'pagerduty', name: 'pd-stmts', service: SERVICE })
    ).body.routing_key as string;
    const amPath = `/integrations/alertmanager/${am}`;
    const pdEvent = {
      routing_key: pd,
      event_action: 'trigger',
      dedup_key: 'repeat-pd',
      payload: { summary: 'checkout slow', source: 'pd-test', severity: 'critical' },
    };
    assert.equal((await w.request('POST', amPath, amFiring('repeat-am-0001'), { key: null })).status, 202);
    assert.equal((await w.request('POST', '/v2/enqueue', pdEvent, { key: null })).status, 202);
    // Their first pages are theirs, not the repeats'.
    await waitFor('both alerts paged', async () => {
      const alerts = [await alertOf('repeat-am-0001'), await alertOf('repeat-pd')];
      return (
        alerts.every((a) => a !== undefined) &&
        (await sentPages(alerts[0].id)) === 1 &&
        (await sentPages(alerts[1].id)) === 1
      );
    });

    const other = await startOtherApi();
    try {
      for (const [where, send] of [
        ['this API', (path: string, body: unknown) => w.request('POST', path, body, { key: null })],
        ['another API', (path: string, body: unknown) => other.post(path, body)],
      ] as const) {
        const before = [
          (await alertOf('repeat-am-0001')).occurrences,
          (await alertOf('repeat-pd')).occurrences,
        ];
        const mark = log.mark();
        assert.equal((await send(amPath, amFiring('repeat-am-0001'))).status, 202);
        assert.equal((await send('/v2/enqueue', pdEvent)).status, 202);
        await waitFor(
          `repeats counted (${where})`,
          async () =>
            (await alertOf('repeat-am-0001')).occurrences === before[0]! + 1 &&
            (await alertOf('repeat-pd')).occurrences === before[1]! + 1,
        );
        console.log(
          `# two ingest repeats (${where}): ${perAlert(log.since(mark)).length} statements\n${listed(log.since(mark))}`,
        );
        assert.deepEqual(planning(log.since(mark)), [], `${where}:\n${listed(log.since(mark))}`);
      }
    } finally {
      await other.close();
    }
  });
});

function repeatBody(dedupKey: string) {
  return {
    summary: 'Checkout error rate 12%',
    severity: 'critical',
    service: SERVICE,
    source: 'prometheus',
    dedup_key: dedupKey,
  };
}

function amFiring(fingerprint: string) {
  return {
    receiver: 'klaxon',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'CheckoutSlow', instance: 'web-1:9100', severity: 'critical' },
        annotations: { summary: 'checkout slow on web-1' },
        startsAt: '2026-11-27T10:00:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
        fingerprint,
      },
    ],
    groupLabels: { alertname: 'CheckoutSlow' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: '{}:{alertname="CheckoutSlow"}',
    truncatedAlerts: 0,
  };
}

/** A second API process on the same database and Temporal, with caches of its own (cold), counted as 'api2'. */
async function startOtherApi() {
  const silent = createLogger('silent');
  const pool = log.record(w.db.pool, 'api2');
  const caches: AppCaches = startAppCaches({
    pool,
    databaseUrl: w.db.url,
    log: silent,
    reopenWindowMs: 30 * 60_000,
  });
  const app = createApp({
    pool,
    temporal: w.env.client,
    taskQueue: w.taskQueue,
    log: silent,
    apiRatePerMinute: 100_000,
    authFailuresPerMinute: 100_000,
    now: () => w.env.currentTimeMs(),
    caches,
  });
  const server: Server = await listen(app, 0);
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    async post(path: string, body: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await caches.close();
    },
  };
}
