// The PagerDuty Events API v2 endpoint as a PagerDuty client sees it: 202 and a dedup key for good
// events, PagerDuty's error shape for bad ones (nothing written), dedup semantics, concurrency, 429.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './helpers/harness';
import { waitFor } from './helpers/world';

let h: Harness;
let key: string;
before(async () => {
  h = await startHarness({ ingestRatePerMinute: 1000 });
  const res = await h.request('POST', '/integrations', { type: 'pagerduty', name: 'pd', service: 'checkout' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  key = res.body.routing_key;
});
after(async () => {
  await h?.close();
});

const enqueue = (body: unknown, opts: { raw?: string; headers?: Record<string, string> } = {}) =>
  h.request('POST', '/v2/enqueue', body, { key: null, ...opts });
const trigger = (over: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) => ({
  routing_key: key,
  event_action: 'trigger',
  payload: { summary: 'CPU above 90% on web-1', source: 'web-1', severity: 'critical', ...payload },
  ...over,
});
const alertsOn = async (dedupKey: string) =>
  (await h.db.pool.query('select id, state, occurrences, severity from alerts where dedup_key = $1', [dedupKey])).rows;
const counts = async () => {
  // Raw events are counted in memory and written on an interval: write this app's own first.
  await h.caches.counts.flush();
  const { rows } = await h.db.pool.query('select (select count(*)::int from alerts) as alerts, (select coalesce(sum(raw_events), 0)::int from ingest_stats) as raw');
  return rows[0];
};

describe('PagerDuty Events API v2', () => {
  it('accepts a trigger: 202, PagerDuty body, an alert on the integration service', async () => {
    const res = await enqueue(trigger({ dedup_key: 'cpu-web-1' }, { component: 'nginx', custom_details: { load: 9.1 } }));
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, {
      status: 'success',
      message: 'Event processed',
      dedup_key: 'cpu-web-1',
      // Klaxon's own field: no escalation policy exists in this file.
      pages_nobody: 'no escalation policy matches service "checkout" severity critical and there is no default policy',
    });
    await waitFor('alert recorded', async () => (await alertsOn('cpu-web-1')).length === 1);
    const [alert] = await alertsOn('cpu-web-1');
    assert.equal(alert.severity, 'critical');
    const detail = await h.request('GET', `/alerts/${alert.id}`);
    assert.equal(detail.body.service, 'checkout');
    assert.equal(detail.body.labels.component, 'nginx');
  });

  it('generates a dedup key for a trigger without one, and maps PagerDuty severities', async () => {
    const res = await enqueue(trigger({}, { severity: 'warning' }));
    assert.equal(res.status, 202);
    assert.match(res.body.dedup_key, /^[0-9a-f-]{36}$/);
    await waitFor('alert recorded', async () => (await alertsOn(res.body.dedup_key)).length === 1);
    assert.equal((await alertsOn(res.body.dedup_key))[0].severity, 'medium');
  });

  it('acknowledges and resolves by dedup key; unknown keys are accepted and dropped', async () => {
    await enqueue(trigger({ dedup_key: 'disk-db-2' }));
    await waitFor('alert recorded', async () => (await alertsOn('disk-db-2')).length === 1);
    assert.equal((await enqueue({ routing_key: key, event_action: 'acknowledge', dedup_key: 'disk-db-2' })).status, 202);
    await waitFor('acknowledged', async () => (await alertsOn('disk-db-2'))[0].state === 'acknowledged');
    assert.equal((await enqueue({ routing_key: key, event_action: 'resolve', dedup_key: 'disk-db-2' })).status, 202);
    await waitFor('resolved', async () => (await alertsOn('disk-db-2'))[0].state === 'resolved');
    const timeline = (await h.request('GET', `/alerts/${(await alertsOn('disk-db-2'))[0].id}`)).body.timeline;
    // After the trigger and its pages_nobody mark (no escalation policy exists in this file).
    assert.deepEqual(timeline.map((t: { action: string; actor: string }) => [t.action, t.actor]).slice(2), [
      ['acknowledge', 'integration:pd'],
      ['resolve', 'integration:pd'],
    ]);
    const dropped = await enqueue({ routing_key: key, event_action: 'resolve', dedup_key: 'never-seen' });
    assert.equal(dropped.status, 202);
    assert.equal(dropped.body.status, 'success');
  });

  it('turns 50 simultaneous triggers with one dedup key into one alert with count 50', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => enqueue(trigger({ dedup_key: 'storm-1' }))));
    assert.ok(results.every((r) => r.status === 202), JSON.stringify(results.filter((r) => r.status !== 202).map((r) => [r.status, r.body])));
    await waitFor('50 occurrences', async () => (await alertsOn('storm-1'))[0]?.occurrences === 50, 30_000);
    assert.equal((await alertsOn('storm-1')).length, 1);
  });
});

describe('PagerDuty contract: invalid events', () => {
  const cases: [string, unknown][] = [
    ['routing_key missing', { event_action: 'trigger', payload: { summary: 's', source: 'x', severity: 'info' } }],
    ['event_action missing', { routing_key: 'k', payload: { summary: 's', source: 'x', severity: 'info' } }],
    ['payload missing', { routing_key: 'k', event_action: 'trigger' }],
    ['summary missing', trigger({}, { summary: undefined })],
    ['source missing', trigger({}, { source: undefined })],
    ['severity missing', trigger({}, { severity: undefined })],
    ['summary a number', trigger({}, { summary: 42 })],
    ['payload an array', trigger({ payload: [] })],
    ['routing_key an object', trigger({ routing_key: {} })],
    ['severity unknown', trigger({}, { severity: 'fatal' })],
    ['summary over 1024', trigger({}, { summary: 'x'.repeat(1025) })],
    ['dedup_key over 255', trigger({ dedup_key: 'k'.repeat(256) })],
    ['resolve without dedup_key', { routing_key: 'k', event_action: 'resolve' }],
  ];
  for (const [name, body] of cases) {
    it(`${name}: 400 in PagerDuty's shape, nothing written`, async () => {
      const before = await counts();
      const res = await enqueue(body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.status, 'invalid event');
      assert.equal(res.body.message, 'Event object is invalid');
      assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0);
      assert.deepEqual(await counts(), before);
    });
  }

  it('unknown routing key, bad JSON, wrong content type, oversize body: PagerDuty shape', async () => {
    const unknown = await enqueue(trigger({ routing_key: 'f'.repeat(32) }));
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.errors[0], /routing_key/);
    const badJson = await enqueue(undefined, { raw: '{"routing_key": ' });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.body.status, 'invalid event');
    const text = await enqueue(undefined, { raw: JSON.stringify(trigger()), headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 400);
    assert.equal(text.body.status, 'invalid event');
    const big = await enqueue(trigger({}, { custom_details: { blob: 'x'.repeat(600 * 1024) } }));
    assert.equal(big.status, 413);
    assert.equal(big.body.status, 'invalid event');
  });
});

describe('rate limit', () => {
  it('answers 429 in PagerDuty shape with Retry-After past the limit for one routing key', async () => {
    const limited = await startHarness({ ingestRatePerMinute: 5 });
    try {
      const k = (await limited.request('POST', '/integrations', { type: 'pagerduty', name: 'pd-limited', service: 'x' })).body.routing_key;
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 7; i++) {
        last = await limited.request('POST', '/v2/enqueue', { ...trigger({ routing_key: k, dedup_key: 'same' }) }, { key: null });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429, 429]);
      assert.equal(last!.body.status, 'throttle event');
      assert.ok(Number(last!.headers.get('retry-after')) > 0);
    } finally {
      await limited.close();
    }
  });
});
