// Postgres stopped, for real, under the API and the worker: ingest and POST /alerts still take events
// (routing keys, API keys and plans from the API's cache; the event itself only needs Temporal), what the
// cache never saw is a 503 with Retry-After, never a 500; once Postgres is back the worker records every
// event, each alert pages once, and the buffered raw-event counts reach ingest_stats.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { freePort } from '../bench/service';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../runtime/embedded-postgres';
import { startWorld, waitFor, type World } from './helpers/world';

// This file stops Postgres, so it runs its own instead of the one every test file shares.
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-pgdown-'));
chmodSync(dataDir, 0o755); // the embedded Postgres, dropped to its own user when run as root, must enter it
let port: number;
let postgres: EmbeddedPostgresHandle | undefined;
let w: World;
let routingKey: string;
let coldKey: string;
let integrationId: string;

const SERVICE = 'pgdown';

before(async () => {
  port = await freePort();
  postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port });
  process.env.KLAXON_TEST_ADMIN_DATABASE_URL = postgres.urlFor('postgres');
  w = await startWorld({ recordWaitMs: 1_000 });
  const policy = await w.policy({
    tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/pgdown` }] }],
  });
  assert.equal(
    (await w.request('PUT', '/escalation-rules', { rules: [{ policy_id: policy, services: [SERVICE] }] }))
      .status,
    200,
  );
  const made = await w.request('POST', '/integrations', { type: 'pagerduty', name: 'pd', service: SERVICE });
  [routingKey, integrationId] = [made.body.routing_key, made.body.id];
  coldKey = (
    await w.request('POST', '/integrations', { type: 'alertmanager', name: 'never-used', service: SERVICE })
  ).body.routing_key;
});
after(async () => {
  // A failed assertion may leave Postgres stopped, and closing the world needs it.
  if (w && !postgres) postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port });
  await w?.close();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const enqueue = (key: string, dedupKey: string) =>
  w.request(
    'POST',
    '/v2/enqueue',
    {
      routing_key: key,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: { summary: `disk full ${dedupKey}`, source: 'db-1', severity: 'warning' },
    },
    { key: null },
  );

const recorded = async () =>
  (
    await w.db.pool.query<{ dedup_key: string }>(
      'select dedup_key from alerts where service = $1 order by dedup_key',
      [SERVICE],
    )
  ).rows.map((r) => r.dedup_key);

/** Every page received: its alert and its Idempotency-Key (a resend repeats the key). */
const pages = () =>
  w.hooks.requests
    .filter((r) => r.path === '/pgdown')
    .map((r) => r.json as { alert: { alertId: string }; idempotency_key: string })
    .map((j) => ({ alertId: j.alert.alertId, key: j.idempotency_key }));
const paged = () => [...new Set(pages().map((p) => p.alertId))].sort();

it(
  'with Postgres stopped, 10 ingest events and a POST /alerts answer 2xx; all are recorded and paged once it is back',
  { timeout: 240_000 },
  async () => {
    // Warm: the routing key, the plan and the API key have each been read once.
    assert.equal((await enqueue(routingKey, 'warm')).status, 202);
    await waitFor(
      'the warm alert recorded and paged',
      async () => (await recorded()).length === 1 && paged().length === 1,
      30_000,
    );
    // Its page's outcome is in Postgres too: stopping Postgres before that would make the page's retry
    // send it again (at least once), which is not what this test is about.
    await waitFor('the warm page recorded as sent', async () => {
      const { rows } = await w.db.pool.query(
        `select 1 from notifications where status = 'sent' and alert_id = (select id from alerts where dedup_key = 'warm')`,
      );
      return rows.length === 1;
    });

    await postgres!.stop();
    postgres = undefined;
    const keys = Array.from({ length: 10 }, (_, i) => `down-${String(i).padStart(2, '0')}`);
    for (const k of keys) {
      const res = await enqueue(routingKey, k);
      assert.equal(res.status, 202, `${k}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(res.body, { status: 'success', message: 'Event processed', dedup_key: k });
    }
    // Nobody can record it yet: the API says so after its short wait, and still answers with the id.
    const created = await w.request('POST', '/alerts', {
      summary: 'checkout 5xx',
      severity: 'high',
      service: SERVICE,
      source: 'prometheus',
      dedup_key: 'down-api',
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    assert.equal(created.body.recorded, false);

    // What the cache never saw cannot be answered: 503, Retry-After, JSON, in each endpoint's own shape.
    const cold = await w.request(
      'POST',
      `/integrations/alertmanager/${coldKey}`,
      { version: '4', alerts: [{ status: 'firing', fingerprint: 'cold-1', labels: { alertname: 'Cold' } }] },
      { key: null },
    );
    assert.equal(cold.status, 503, JSON.stringify(cold.body));
    assert.equal(cold.headers.get('retry-after'), '5');
    assert.equal(cold.body.error.code, 'unavailable');
    const coldPd = await enqueue('c'.repeat(32), 'cold-2');
    assert.equal(coldPd.status, 503);
    assert.equal(coldPd.headers.get('retry-after'), '5');
    assert.equal(coldPd.body.status, 'unavailable');
    // Reads need Postgres itself: 503 too, not 500.
    const list = await w.request('GET', '/alerts');
    assert.equal(list.status, 503);
    assert.equal(list.body.error.code, 'unavailable');

    postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port });
    const expected = ['down-api', ...keys, 'warm'].sort();
    await waitFor('every event recorded', async () => (await recorded()).length === expected.length, 180_000);
    assert.deepEqual(await recorded(), expected);
    await waitFor('every alert paged', () => paged().length >= expected.length, 60_000);
    const { rows } = await w.db.pool.query<{ id: string }>('select id from alerts where service = $1', [
      SERVICE,
    ]);
    assert.deepEqual(paged(), rows.map((r) => r.id).sort(), 'every alert paged');
    // Once each: a repeat under the same Idempotency-Key would be a resend, under another a second page.
    assert.equal(pages().length, rows.length, JSON.stringify(pages()));
    // Counted in memory while Postgres was away, written once it answered again.
    await waitFor('the raw-event counts written', async () => {
      await w.caches.counts.flush().catch(() => {});
      const c = await w.db.pool.query<{ raw: number }>(
        'select coalesce(sum(raw_events), 0)::int as raw from ingest_stats where integration_id = $1',
        [integrationId],
      );
      return c.rows[0]!.raw === 11;
    });
    assert.equal((await w.request('GET', '/alerts?service=pgdown')).status, 200, 'reads answer again');
  },
);
