// The Alertmanager webhook receiver (payload version 4, as Alertmanager sends it), the generic JSON
// webhook with a field mapping, and anomaly events: alerts per fingerprint, repeats deduplicated,
// resolves honoured, errors named.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './helpers/harness';
import { waitFor } from './helpers/world';

let h: Harness;
const keys: Record<string, string> = {};
before(async () => {
  h = await startHarness();
  const make = async (body: Record<string, unknown>) => {
    const res = await h.request('POST', '/integrations', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.routing_key as string;
  };
  keys.am = await make({ type: 'alertmanager', name: 'am', service: 'infra' });
  keys.generic = await make({
    type: 'generic',
    name: 'grafana-ish',
    service: 'web',
    mapping: { summary: '$.alert.title', severity: '$.alert.level', dedupKey: '$.alert.id', status: '$.state', severityMap: { P1: 'critical', P3: 'medium' } },
  });
  keys.anomaly = await make({ type: 'anomaly', name: 'detector', service: 'ml' });
});
after(async () => {
  await h?.close();
});

const post = (kind: string, body: unknown) => h.request('POST', `/integrations/${kind}/${keys[kind === 'alertmanager' ? 'am' : kind]}`, body, { key: null });
const byKey = async (dedupKey: string) =>
  (await h.db.pool.query('select id, state, occurrences, severity, summary, service from alerts where dedup_key = $1', [dedupKey])).rows;

function amPayload(status: 'firing' | 'resolved', alerts: { fingerprint: string; status: 'firing' | 'resolved'; severity?: string; name: string }[]) {
  return {
    receiver: 'klaxon',
    status,
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: { alertname: a.name, instance: 'db-1:9100', job: 'node', ...(a.severity ? { severity: a.severity } : {}) },
      annotations: { summary: `${a.name} on db-1`, description: 'long text' },
      startsAt: '2026-11-27T10:00:00.000Z',
      endsAt: a.status === 'resolved' ? '2026-11-27T10:05:00.000Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
      fingerprint: a.fingerprint,
    })),
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: { job: 'node' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: '{}:{alertname="DiskFull"}',
    truncatedAlerts: 0,
  };
}

describe('Alertmanager webhook receiver', () => {
  it('opens one alert per fingerprint, dedups repeats, and resolves each by its own status', async () => {
    const firing = amPayload('firing', [
      { fingerprint: 'a1b2c3d4e5f60001', status: 'firing', severity: 'critical', name: 'DiskFull' },
      { fingerprint: 'a1b2c3d4e5f60002', status: 'firing', severity: 'warning', name: 'DiskAlmostFull' },
    ]);
    const res = await post('alertmanager', firing);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.deepEqual(res.body.dedup_keys, ['a1b2c3d4e5f60001', 'a1b2c3d4e5f60002']);
    await waitFor('two alerts', async () => (await byKey('a1b2c3d4e5f60001')).length === 1 && (await byKey('a1b2c3d4e5f60002')).length === 1);
    const [disk] = await byKey('a1b2c3d4e5f60001');
    assert.deepEqual([disk.severity, disk.summary, disk.service], ['critical', 'DiskFull on db-1', 'infra']);
    assert.equal((await byKey('a1b2c3d4e5f60002'))[0].severity, 'medium');

    // Alertmanager resends every repeat_interval and retries on errors: the same alert, counted, not reopened.
    assert.equal((await post('alertmanager', firing)).status, 202);
    await waitFor('repeat counted', async () => (await byKey('a1b2c3d4e5f60001'))[0].occurrences === 2);
    assert.equal((await byKey('a1b2c3d4e5f60001')).length, 1);

    const mixed = amPayload('firing', [
      { fingerprint: 'a1b2c3d4e5f60001', status: 'resolved', severity: 'critical', name: 'DiskFull' },
      { fingerprint: 'a1b2c3d4e5f60002', status: 'firing', severity: 'warning', name: 'DiskAlmostFull' },
    ]);
    assert.equal((await post('alertmanager', mixed)).status, 202);
    await waitFor('first resolved', async () => (await byKey('a1b2c3d4e5f60001'))[0].state === 'resolved');
    assert.equal((await byKey('a1b2c3d4e5f60002'))[0].state, 'new');
    await h.caches.counts.flush(); // counted in memory, written on an interval
    const { rows } = await h.db.pool.query(`select raw_events, triggers from ingest_stats`);
    assert.ok(rows.some((r) => r.raw_events >= 6 && r.triggers >= 5), JSON.stringify(rows));
  });

  it('names what is wrong with a bad payload, and 404s an unknown key', async () => {
    const bad = await post('alertmanager', { ...amPayload('firing', []), version: '3' });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /version/);
    const noFingerprint = amPayload('firing', [{ fingerprint: '', status: 'firing', name: 'X' }]);
    assert.equal((await post('alertmanager', noFingerprint)).status, 400);
    assert.equal((await h.request('POST', '/integrations/alertmanager/0123456789abcdef0123456789abcdef', amPayload('firing', []), { key: null })).status, 404);
  });
});

describe('generic JSON webhook and anomaly events', () => {
  it('maps fields by JSON path, including status to resolve', async () => {
    const body = { alert: { id: 'g-1', title: 'Checkout latency p99 2.3s', level: 'P1' }, state: 'alerting' };
    assert.equal((await post('generic', body)).status, 202);
    await waitFor('generic alert', async () => (await byKey('g-1')).length === 1);
    assert.deepEqual([(await byKey('g-1'))[0].severity, (await byKey('g-1'))[0].summary], ['critical', 'Checkout latency p99 2.3s']);
    assert.equal((await post('generic', { ...body, state: 'resolved' })).status, 202);
    await waitFor('generic resolved', async () => (await byKey('g-1'))[0].state === 'resolved');
    const missing = await post('generic', { alert: { id: 'g-2' } });
    assert.equal(missing.status, 400);
    assert.match(JSON.stringify(missing.body), /\$\.alert\.title/);
  });

  it('maps an anomaly score to a severity and keeps the detector details', async () => {
    const res = await post('anomaly', { metric: 'orders_per_minute', score: 0.97, threshold: 0.8, model: 'prophet-v2', value: 12, expected: 140 });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const key = res.body.dedup_keys[0];
    await waitFor('anomaly alert', async () => (await byKey(key)).length === 1);
    const [alert] = await byKey(key);
    assert.equal(alert.severity, 'critical');
    const detail = await h.request('GET', `/alerts/${alert.id}`);
    assert.equal(detail.body.details.score, 0.97);
    assert.equal(detail.body.details.model, 'prophet-v2');
    assert.equal((await post('anomaly', { metric: 'x', model: 'm' })).status, 400);
  });
});
