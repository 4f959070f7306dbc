import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey } from '../store/api-keys';
import { AlertSeverityKey, AlertStateKey, ServiceKey } from '../workflows/messages';
import { startHarness, type Harness } from './helpers/harness';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

const alert = (over: Record<string, unknown> = {}) => ({
  summary: 'Disk full on db-1',
  severity: 'critical',
  service: 'payments',
  source: 'prometheus',
  labels: { host: 'db-1' },
  details: { usage: 0.99 },
  ...over,
});

describe('POST /alerts', () => {
  it('creates an alert: 201, id, Location, record in Postgres, live view from the workflow', async () => {
    const res = await h.request('POST', '/alerts', alert());
    assert.equal(res.status, 201);
    assert.match(res.body.id, /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.get('location'), `/alerts/${res.body.id}`);
    assert.equal(res.body.created, true);

    const got = await h.request('GET', `/alerts/${res.body.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.summary, 'Disk full on db-1');
    assert.equal(got.body.state, 'new');
    assert.deepEqual(got.body.labels, { host: 'db-1' });
    assert.equal(got.body.live.state, 'new');
    assert.equal(got.body.live.alertId, res.body.id);
    // No escalation policy here: the timeline says nobody is paged.
    assert.deepEqual(got.body.timeline.map((t: { action: string }) => t.action), ['trigger', 'pages_nobody']);
  });

  it('upserts the AlertState, AlertSeverity and Service search attributes', async () => {
    const res = await h.request('POST', '/alerts', alert({ severity: 'high', service: 'search' }));
    const desc = await h.env.client.workflow.getHandle(res.body.workflow_id).describe();
    assert.equal(desc.typedSearchAttributes.get(AlertSeverityKey), 'high');
    assert.equal(desc.typedSearchAttributes.get(ServiceKey), 'search');
    assert.equal(desc.typedSearchAttributes.get(AlertStateKey), 'new');
    await h.request('POST', `/alerts/${res.body.id}/acknowledge`, {});
    const after = await h.env.client.workflow.getHandle(res.body.workflow_id).describe();
    assert.equal(after.typedSearchAttributes.get(AlertStateKey), 'acknowledged');
  });

  it('a second trigger with the same dedup key returns the same alert, not a new one', async () => {
    const first = await h.request('POST', '/alerts', alert({ dedup_key: 'disk-db-1' }));
    const second = await h.request('POST', '/alerts', alert({ dedup_key: 'disk-db-1', summary: 'Disk still full' }));
    assert.equal(first.status, 201);
    assert.equal(second.status, 200);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.body.deduplicated, true);
    const { rows } = await h.db.pool.query('select count(*)::int as n from alerts where dedup_key = $1', ['disk-db-1']);
    assert.equal(rows[0].n, 1);
    // The same key on another service is another alert.
    const other = await h.request('POST', '/alerts', alert({ dedup_key: 'disk-db-1', service: 'billing' }));
    assert.equal(other.status, 201);
    assert.notEqual(other.body.id, first.body.id);
  });

  it('names the offending field in a 400', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [alert({ severity: 'urgent' }), 'body.severity'],
      [alert({ summary: '' }), 'body.summary'],
      [alert({ service: undefined }), 'body.service'],
      [alert({ labels: { host: 7 } }), 'body.labels.host'],
      [alert({ colour: 'red' }), 'body'],
      // Links are clicked by people: a script or data URL would run in whatever renders them.
      [alert({ links: [{ href: 'javascript:alert(document.cookie)' }] }), 'body.links.0.href'],
      [alert({ links: [{ href: 'https://runbooks.example.com/db' }, { href: 'data:text/html,<script>x</script>' }] }), 'body.links.1.href'],
      [alert({ links: [{ href: 'file:///etc/passwd' }] }), 'body.links.0.href'],
    ];
    for (const [body, field] of cases) {
      const res = await h.request('POST', '/alerts', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'invalid_request');
      assert.ok(res.body.error.errors.some((e: { field: string }) => e.field === field), `${field} in ${JSON.stringify(res.body)}`);
    }
    const { rows } = await h.db.pool.query(`select count(*)::int as n from alerts where severity = 'urgent' or summary = ''`);
    assert.equal(rows[0].n, 0);
  });

  it('answers malformed JSON with 400 and an oversize body with 413, both as JSON', async () => {
    const bad = await h.request('POST', '/alerts', undefined, { raw: '{"summary": "x",' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_json');
    const big = await h.request('POST', '/alerts', alert({ details: { blob: 'x'.repeat(100_000) } }));
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'payload_too_large');
  });
});

describe('transitions', () => {
  it('acknowledge then resolve go through Updates and are audited with actor and time', async () => {
    const { body } = await h.request('POST', '/alerts', alert());
    const ack = await h.request('POST', `/alerts/${body.id}/acknowledge`, { actor: 'alice', reason: 'looking' });
    assert.equal(ack.status, 200);
    assert.deepEqual([ack.body.from, ack.body.state], ['new', 'acknowledged']);
    const res = await h.request('POST', `/alerts/${body.id}/resolve`, { reason: 'freed space' });
    assert.equal(res.status, 200);
    assert.equal(res.body.state, 'resolved');

    const got = await h.request('GET', `/alerts/${body.id}`);
    assert.equal(got.body.state, 'resolved');
    assert.ok(got.body.acknowledged_at && got.body.resolved_at);
    const steps = got.body.timeline.map((t: { action: string; from: string; to: string; actor: string }) => [t.action, t.from, t.to, t.actor]);
    assert.deepEqual(steps, [
      ['trigger', null, 'new', 'integration:prometheus'],
      ['pages_nobody', null, null, 'system:klaxon'],
      ['acknowledge', 'new', 'acknowledged', 'alice (key:test-admin)'],
      ['resolve', 'acknowledged', 'resolved', 'key:test-admin'],
    ]);
  });

  it('refuses acknowledge after resolve with 409 naming both states, and writes nothing', async () => {
    const { body } = await h.request('POST', '/alerts', alert());
    await h.request('POST', `/alerts/${body.id}/resolve`, {});
    const before = await h.db.pool.query('select count(*)::int as n from alert_audit where alert_id = $1', [body.id]);
    const refused = await h.request('POST', `/alerts/${body.id}/acknowledge`, {});
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.from, 'resolved');
    assert.equal(refused.body.error.to, 'acknowledged');
    assert.match(refused.body.error.message, /resolved/);
    const afterCount = await h.db.pool.query('select count(*)::int as n from alert_audit where alert_id = $1', [body.id]);
    assert.equal(afterCount.rows[0].n, before.rows[0].n);
  });

  it('404s an unknown alert and 400s a malformed id', async () => {
    const unknown = await h.request('POST', '/alerts/00000000-0000-4000-8000-000000000000/acknowledge', {});
    assert.equal(unknown.status, 404);
    assert.equal((await h.request('GET', '/alerts/00000000-0000-4000-8000-000000000000')).status, 404);
    const malformed = await h.request('GET', '/alerts/not-a-uuid');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.errors[0].field, 'params.id');
  });
});

describe('authentication', () => {
  it('401s without a key, with a wrong key, and with a revoked key', async () => {
    assert.equal((await h.request('POST', '/alerts', alert(), { key: null })).status, 401);
    assert.equal((await h.request('GET', '/alerts/00000000-0000-4000-8000-000000000000', undefined, { key: 'kx_wrong' })).status, 401);
    const { key } = await createApiKey(h.db.pool, { name: 'to-revoke', role: 'responder' });
    assert.equal((await h.request('POST', '/alerts', alert(), { key })).status, 201);
    await h.db.pool.query(`update api_keys set revoked_at = now() where name = 'to-revoke'`);
    const revoked = await h.request('POST', '/alerts', alert(), { key });
    assert.equal(revoked.status, 401);
    assert.match(revoked.body.error.message, /invalid or revoked/);
  });

  it('stores only a hash of each key', async () => {
    const { rows } = await h.db.pool.query('select key_hash from api_keys');
    assert.ok(rows.length > 0);
    for (const r of rows) assert.ok(!r.key_hash.startsWith('kx_') && r.key_hash !== h.adminKey);
  });

  it('leaves /healthz and /readyz open and reports every dependency', async () => {
    const health = await h.request('GET', '/healthz', undefined, { key: null });
    assert.equal(health.status, 200);
    const ready = await h.request('GET', '/readyz', undefined, { key: null });
    assert.equal(ready.status, 200);
    // The time-skipping server cannot say who polls; readiness does not fail for that (see readiness-workers.test.ts).
    assert.deepEqual(ready.body.checks, { postgres: 'ok', temporal: 'ok', workers: 'unknown: this Temporal server does not describe task queues' });
  });
});
