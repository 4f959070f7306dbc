// GET /metrics counts what happened, once each, with bounded labels: alerts triggered and deduplicated,
// pages by channel and outcome, tiers fired and escalations exhausted, transitions with TTA/TTR, SLA
// marks, groups, ingest results, HTTP durations by route template; the gauges read Postgres and Temporal.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import express from 'express';
import { metricsRouter } from '../api/metrics';
import { errorHandler } from '../api/errors';
import { listen } from '../api/listen';
import { createLogger } from '../runtime/logger';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
let key: string;
let userId: string;
before(async () => {
  w = await startWorld();
  userId = await w.user('Metrics Person', [
    { type: 'email', address: 'metrics@example.com' },
    { type: 'sms', address: '+15550001111' },
  ]);
  // Tier 1 pages the user by email and SMS plus a webhook; tier 2 a webhook; then escalation is exhausted.
  await w.policy({
    is_default: true,
    tiers: [
      { delay_minutes: 0, targets: [{ type: 'user', id: userId }, { type: 'webhook', url: `${w.hooks.url}/metrics-t1` }] },
      { delay_minutes: 5, targets: [{ type: 'webhook', url: `${w.hooks.url}/metrics-t2` }] },
    ],
  });
  const res = await w.request('POST', '/integrations', { type: 'pagerduty', name: 'metrics', service: 'grouped', group_by: ['component'] });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  key = res.body.routing_key as string;
});
after(async () => {
  await w?.close();
});

/** Parses the text exposition into `name{labels}` → value, labels in the order given. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** Returns the sum of every sample of `name` whose labels include all of `labels`. */
function total(all: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [series, value] of all) {
    const m = /^([^{]+)(?:\{(.*)\})?$/.exec(series);
    if (!m || m[1] !== name) continue;
    const has = Object.entries(labels).every(([k, v]) => (m[2] ?? '').split(',').includes(`${k}="${v}"`));
    if (has) sum += value;
  }
  return sum;
}

async function scrape(headers: Record<string, string> = {}): Promise<{ text: string; all: Map<string, number> }> {
  const res = await fetch(`${w.baseUrl}/metrics`, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, all: samples(text) };
}

const enqueue = (dedup: string, component: string) =>
  w.request(
    'POST',
    '/v2/enqueue',
    { routing_key: key, event_action: 'trigger', dedup_key: dedup, payload: { summary: `errors on ${component}`, source: 'host-1', severity: 'error', component } },
    { key: null },
  );

it('counts a scenario once each, reads open alerts from Postgres, and never labels by alert, user or key', async () => {
  const before = (await scrape()).all;
  const paged = await w.trigger({ summary: 'Checkout down', severity: 'critical', service: 'checkout', source: 'test', dedup_key: 'metrics-paged' });
  const again = await w.request('POST', '/alerts', { summary: 'Checkout down', severity: 'critical', service: 'checkout', source: 'test', dedup_key: 'metrics-paged' });
  assert.ok([200, 201, 202].includes(again.status), JSON.stringify(again.body));
  const ignored = await w.trigger({ summary: 'Disk filling', severity: 'high', service: 'checkout', source: 'test' });
  await waitFor('tier 1 paged by email, SMS and webhook', () => w.smtp.messages.length >= 2 && w.twilio.messages.length >= 2 && w.hits('/metrics-t1') >= 2);
  await w.env.sleep('2 minutes');
  assert.equal((await w.request('POST', `/alerts/${paged.id}/acknowledge`, {})).status, 200);
  // The ignored alert escalates to tier 2, runs out of tiers, and breaches its TTA (high: 15 min).
  await w.env.sleep('20 minutes');
  await waitFor('tier 2 paged', () => w.hits('/metrics-t2') >= 1);
  assert.equal((await w.request('POST', `/alerts/${paged.id}/resolve`, {})).status, 200);
  // Two alerts of one group key: one opens the group, the other joins it.
  assert.equal((await enqueue('metrics-g1', 'db')).status, 202);
  assert.equal((await enqueue('metrics-g2', 'db')).status, 202);
  await waitFor('both grouped', async () => (await w.db.pool.query(`select count(*)::int as n from alerts where group_id is not null and service = 'grouped'`)).rows[0].n === 2);
  // One event the parser refuses, one with a key no integration has.
  assert.equal((await w.request('POST', '/v2/enqueue', { routing_key: key, event_action: 'trigger', payload: {} }, { key: null })).status, 400);
  assert.equal((await w.request('POST', `/integrations/alertmanager/${'x'.repeat(32)}`, { alerts: [] }, { key: null })).status, 404);

  // The SLA marks' pages go out just after tier 2's, and a page is in the log a moment before it is
  // counted: read both until they agree (or time out, failing), so neither is caught half-way.
  const sentByChannel = async () =>
    (await w.db.pool.query<{ channel: string; n: number }>(`select channel, count(*)::int as n from notifications where status = 'sent' group by channel`)).rows;
  let scraped = await scrape();
  let agreed: { channel: string; n: number }[] = [];
  await waitFor('every page the log records as sent is counted once', async () => {
    scraped = await scrape();
    const rows = await sentByChannel();
    agreed = rows;
    return rows.every((r) => total(scraped.all, 'klaxon_pages_total', { channel: r.channel, outcome: 'sent' }) - total(before, 'klaxon_pages_total', { channel: r.channel, outcome: 'sent' }) === r.n);
  });
  const { text, all } = scraped;
  const delta = (name: string, labels: Record<string, string> = {}) => total(all, name, labels) - total(before, name, labels);

  assert.equal(delta('klaxon_alerts_triggered_total', { severity: 'critical', service: 'checkout', source_kind: 'api' }), 1);
  assert.equal(delta('klaxon_alerts_triggered_total', { service: 'grouped', source_kind: 'pagerduty' }), 2);
  assert.equal(delta('klaxon_alerts_deduplicated_total', { service: 'checkout' }), 1);
  // Once per page the notification log records as sent (escalation and SLA pages alike), not per attempt.
  // The log as it was when the scrape agreed with it: a page sent since would be in one and not the other.
  const sent = { rows: agreed };
  assert.equal(sent.rows.length, 3);
  for (const r of sent.rows) assert.equal(delta('klaxon_pages_total', { channel: r.channel, outcome: 'sent' }), r.n, r.channel);
  assert.equal(delta('klaxon_pages_total', { outcome: 'failed_permanent' }), 0);
  assert.ok(delta('klaxon_page_delivery_seconds_count', { channel: 'email' }) >= 2);
  assert.ok(delta('klaxon_escalation_tiers_fired_total', { tier: '1' }) >= 2);
  assert.equal(delta('klaxon_escalation_tiers_fired_total', { tier: '2' }), 1);
  assert.equal(delta('klaxon_escalations_exhausted_total'), 1);
  assert.equal(delta('klaxon_alert_transitions_total', { from: 'new', to: 'acknowledged', actor_kind: 'api_key' }), 1);
  assert.equal(delta('klaxon_alert_transitions_total', { from: 'acknowledged', to: 'resolved', actor_kind: 'api_key' }), 1);
  assert.equal(delta('klaxon_time_to_acknowledge_seconds_count', { severity: 'critical' }), 1);
  // Acknowledged two minutes in: the sample lands in the 300 s bucket, not the 60 s one.
  assert.equal(delta('klaxon_time_to_acknowledge_seconds_bucket', { severity: 'critical', le: '60' }), 0);
  assert.equal(delta('klaxon_time_to_acknowledge_seconds_bucket', { severity: 'critical', le: '300' }), 1);
  assert.equal(delta('klaxon_time_to_resolve_seconds_count', { severity: 'critical' }), 1);
  assert.equal(delta('klaxon_sla_marks_total', { target: 'tta', mark: 'breached', severity: 'high' }), 1);
  assert.equal(delta('klaxon_sla_marks_total', { target: 'tta', mark: 'at_risk', severity: 'high' }), 1);
  assert.equal(delta('klaxon_groups_opened_total'), 1);
  assert.equal(delta('klaxon_group_members_total'), 1);
  assert.equal(delta('klaxon_ingest_events_total', { integration_type: 'pagerduty', result: 'accepted' }), 2);
  assert.equal(delta('klaxon_ingest_events_total', { integration_type: 'pagerduty', result: 'invalid' }), 1);
  assert.equal(delta('klaxon_ingest_events_total', { integration_type: 'alertmanager', result: 'unauthorized' }), 1);
  assert.ok(delta('klaxon_http_request_duration_seconds_count', { method: 'POST', route: '/alerts/:id/acknowledge', status: '200' }) >= 1);
  assert.ok(total(all, 'klaxon_http_request_duration_seconds_count', { route: '/integrations/alertmanager/:key', status: '404' }) >= 1);

  // The gauge is Postgres's count, whatever this process counted.
  const { rows } = await w.db.pool.query(`select state, severity, count(*)::int as n from alerts where state <> 'resolved' group by 1, 2`);
  for (const r of rows) assert.equal(total(all, 'klaxon_open_alerts', { state: r.state, severity: r.severity }), r.n, `${r.state} ${r.severity}`);
  assert.ok(rows.some((r) => r.state === 'new' && r.severity === 'high'));

  // Bounded labels: no alert id, user, address, routing key or raw path in any series.
  for (const secretish of [paged.id, ignored.id, userId, 'Metrics Person', 'metrics@example.com', '+15550001111', key, 'x'.repeat(32), w.hooks.url]) {
    assert.ok(!text.includes(secretish), `exposition mentions ${secretish}`);
  }
});

it('reads the gauges again on each scrape: a resolved alert leaves the open count', async () => {
  const a = await w.trigger({ summary: 'Short-lived', severity: 'low', service: 'gauge', source: 'test' });
  await waitFor('recorded', async () => (await w.db.pool.query('select 1 from alerts where id = $1', [a.id])).rowCount === 1);
  const open = async () => total((await scrape()).all, 'klaxon_open_alerts', { severity: 'low' });
  assert.equal(await open(), 1);
  assert.equal((await w.request('POST', `/alerts/${a.id}/resolve`, {})).status, 200);
  assert.equal(await open(), 0);
});

it('wants METRICS_TOKEN as a bearer token when one is set, and answers 401 in JSON without it', async () => {
  const app = express();
  const pool = { query: async () => ({ rows: [] }) } as never;
  app.use(metricsRouter({ pool, pollers: async () => 'unsupported', token: 'scrape-token-0123456789' }));
  app.use(errorHandler(createLogger('silent')));
  const server = await listen(app, 0);
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
  try {
    const refused = await fetch(url);
    assert.equal(refused.status, 401);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /METRICS_TOKEN/);
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
    const ok = await fetch(url, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /^# HELP /m);
  } finally {
    server.close();
  }
});
