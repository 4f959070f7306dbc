// The API's cache of planning reads and routing keys against a real Postgres: it plans exactly as the
// store does, serves repeats from memory while its listener is up, hears changes made directly in SQL
// by another connection (through the triggers of sql/000011 and LISTEN), queries Postgres whenever
// the listener is down, and answers from the last values it read while Postgres cannot be reached.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startAppCaches, type AppCaches } from '../api/app-caches';
import { planAlert, planFromMemory, storeReads } from '../api/alert-plan';
import type { AlertFacts } from '../domain/escalation';
import { createLogger } from '../runtime/logger';
import type { Queryable } from '../store/db';
import { LISTENER_APPLICATION_NAME, listenerClient } from '../store/change-listener';
import { createApiKey } from '../store/api-keys';
import { createIntegration } from '../store/integrations';
import { insertPolicy, replaceRules, type PolicyFields } from '../store/policies';
import { upsertSlaOverride } from '../store/sla';
import { isStoreUnreachable } from '../store/unreachable';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { waitFor } from './helpers/world';

const policy = (name: string, delayMinutes = 0, isDefault = false): PolicyFields => ({
  name,
  tiers: [{ delayMinutes, targets: [{ type: 'webhook', url: `http://hooks.test/${name}` }] }],
  repeat: 0,
  repeatDelayMinutes: 0,
  ackTimeoutMinutes: null,
  autoResolveMinutes: null,
  isDefault,
});

const FACTS: AlertFacts[] = [
  { severity: 'critical', service: 'payments', labels: { team: 'db' } },
  { severity: 'low', service: 'payments', labels: {} },
  { severity: 'high', service: 'web', labels: { team: 'db' } },
  { severity: 'info', service: 'search', labels: {} },
];

// Nothing listens on port 1: a pool pointed there fails as a stopped Postgres does (ECONNREFUSED).
const unreachable = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });

/**
 * A Queryable over the pool that counts the statements run through it (and those still running), and
 * sends them to a Postgres that cannot be reached while `down`.
 */
function counting(pool: pg.Pool): Queryable & { n: number; running: number; down: boolean } {
  const c = {
    n: 0,
    running: 0,
    down: false,
    query: ((...args: Parameters<pg.Pool['query']>) => {
      c.n++;
      c.running++;
      const target = c.down ? unreachable : pool;
      const result = (target.query as (...a: unknown[]) => Promise<unknown>)(...args);
      void result.then(
        () => c.running--,
        () => c.running--,
      );
      return result;
    }) as pg.Pool['query'],
  };
  return c;
}

let db: TestDatabase;
let other: pg.Client; // another process, changing things in SQL behind the API's back
let defaultId: string;
let dbTeamId: string;
let routingKey: string;
let apiKey: string;
const open: AppCaches[] = [];

before(async () => {
  db = await createTestDatabase();
  other = new pg.Client({ connectionString: db.url });
  await other.connect();
  defaultId = (await insertPolicy(db.pool, policy('default', 0, true))).id;
  dbTeamId = (await insertPolicy(db.pool, policy('db-team', 5))).id;
  await replaceRules(db.pool, [
    { policyId: dbTeamId, severities: ['critical', 'high'], services: null, labels: { team: 'db' } },
  ]);
  await upsertSlaOverride(db.pool, {
    service: 'payments',
    severity: 'critical',
    ttaMs: 120_000,
    ttrMs: 1_800_000,
  });
  routingKey = (
    await createIntegration(db.pool, {
      name: 'am',
      type: 'alertmanager',
      service: 'infra',
      settings: {},
      groupBy: [],
      groupWindowMinutes: 5,
    })
  ).key;
  apiKey = (await createApiKey(db.pool, { name: 'grafana', role: 'responder' })).key;
});
after(async () => {
  for (const c of open) await c.close();
  await unreachable.end();
  await other?.end();
  await db?.drop();
});

async function started(opts: Partial<Parameters<typeof startAppCaches>[0]> = {}) {
  const reads = counting(db.pool);
  const caches = startAppCaches({
    pool: reads,
    databaseUrl: db.url,
    log: createLogger('silent'),
    reopenWindowMs: 60_000,
    ...opts,
  });
  open.push(caches);
  await waitFor('the listener to listen', () => caches.plans.serving);
  return { caches, reads };
}

const cachedPlans = (c: AppCaches) => Promise.all(FACTS.map((f) => planAlert(db.pool, f, 0.75, c.plans)));
const storePlans = () => Promise.all(FACTS.map((f) => planAlert(db.pool, f, 0.75)));
const tierDelay = async (c: AppCaches, facts: AlertFacts) =>
  (await planAlert(db.pool, facts, 0.75, c.plans)).policy?.tiers[0]?.delayMinutes;

describe('plan cache', () => {
  it('plans exactly what the store plans, and serves repeats without a query', async () => {
    const { caches, reads } = await started();
    assert.deepEqual(await cachedPlans(caches), await storePlans());
    assert.equal((await cachedPlans(caches))[0]!.policy?.id, dbTeamId, 'the rule matched');
    assert.ok((await caches.plans.integrationByKey(routingKey))?.service === 'infra');
    const warm = reads.n;
    for (let i = 0; i < 20; i++) {
      assert.deepEqual(await cachedPlans(caches), await storePlans());
      assert.equal((await caches.plans.integrationByKey(routingKey))?.name, 'am');
    }
    assert.equal(reads.n, warm, 'nothing queried once warm');
  });

  it('plans from memory only what it serves, the same plan, without a query', async () => {
    const { caches, reads } = await started();
    const before = reads.n;
    assert.equal(await planFromMemory(FACTS[0]!, 0.75, caches.plans), null, 'cold: planning would query');
    assert.equal(reads.n, before, 'finding that out queried nothing');
    assert.deepEqual(await cachedPlans(caches), await storePlans());
    const warm = reads.n;
    assert.deepEqual(await Promise.all(FACTS.map((f) => planFromMemory(f, 0.75, caches.plans))), await storePlans());
    assert.equal(reads.n, warm);
    caches.plans.setLive(false);
    assert.equal(caches.plans.inMemory(), undefined, 'nothing served while the listener is down');
    assert.equal(await planFromMemory(FACTS[0]!, 0.75, storeReads(db.pool)), undefined, 'the store never answers from memory');
  });

  it('never keeps an unknown routing key, and admits only the exact key', async () => {
    const { caches, reads } = await started();
    const before = reads.n;
    for (let i = 0; i < 3; i++) assert.equal(await caches.plans.integrationByKey('f'.repeat(32)), undefined);
    assert.equal(reads.n - before, 3, 'each unknown key is looked up, none remembered');
    assert.equal(await caches.plans.integrationByKey(routingKey.toUpperCase()), undefined);
  });

  it('hears changes made directly in SQL by another connection', async () => {
    const { caches } = await started();
    await cachedPlans(caches);
    assert.ok(await caches.plans.integrationByKey(routingKey));

    await other.query(
      `update escalation_policies set tiers = jsonb_set(tiers, '{0,delayMinutes}', '7') where id = $1`,
      [dbTeamId],
    );
    await waitFor('the policy edit', async () => (await tierDelay(caches, FACTS[0]!)) === 7);
    await other.query(`update escalation_rules set labels = '{"team": "web"}'::jsonb`);
    await waitFor(
      'the rule edit',
      async () => (await planAlert(db.pool, FACTS[0]!, 0.75, caches.plans)).policy?.id === defaultId,
    );
    await other.query(
      `insert into sla_targets (service, severity, tta_seconds, ttr_seconds) values ('search', 'info', 60, 600)`,
    );
    await waitFor(
      'the SLA override',
      async () => (await planAlert(db.pool, FACTS[3]!, 0.75, caches.plans)).sla.targets.ttaMs === 60_000,
    );
    await other.query(`update escalation_policies set is_default = false`);
    await waitFor(
      'no default policy',
      async () => (await planAlert(db.pool, FACTS[1]!, 0.75, caches.plans)).policy === null,
    );
    await other.query(`update integrations set disabled_at = now()`);
    await waitFor(
      'the integration disabled',
      async () => (await caches.plans.integrationByKey(routingKey)) === undefined,
    );

    assert.deepEqual(await cachedPlans(caches), await storePlans());
    await other.query(`update integrations set disabled_at = null`);
    await other.query(`update escalation_policies set is_default = true where id = $1`, [defaultId]);
    await waitFor('restored', async () => (await caches.plans.integrationByKey(routingKey)) !== undefined);
  });

  it('queries Postgres while its listener is down, and caches again once it is back', async () => {
    let refuse = false;
    const { caches, reads } = await started({
      listener: {
        // While refusing, every reconnect attempt fails: the listener stays down as long as the test needs.
        newClient: () =>
          refuse
            ? new pg.Client({ connectionString: 'postgres://nobody@127.0.0.1:1/none' })
            : listenerClient(db.url),
        backoff: { initialMs: 20, maxMs: 100 },
      },
    });
    const facts = FACTS[2]!;
    const delay = await tierDelay(caches, facts);

    refuse = true;
    const { rows } = await db.pool.query(
      'select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1 and datname = current_database()',
      [LISTENER_APPLICATION_NAME],
    );
    assert.ok(rows.length >= 1 && rows.every((r) => r.ok));
    await waitFor('the loss noticed', () => !caches.plans.serving);

    // Nobody listens now: this change notifies no one, and must still be seen at once.
    await other.query(
      `update escalation_policies set tiers = jsonb_set(tiers, '{0,delayMinutes}', to_jsonb($2::int)) where id = $1`,
      [(await planAlert(db.pool, facts, 0.75)).policy!.id, (delay ?? 0) + 1],
    );
    assert.equal(await tierDelay(caches, facts), (delay ?? 0) + 1, 'read from Postgres, not from the cache');
    const before = reads.n;
    await tierDelay(caches, facts);
    await tierDelay(caches, facts);
    assert.ok(reads.n - before >= 4, `every plan queries while down (${reads.n - before} statements)`);

    refuse = false;
    await waitFor('the listener back', () => caches.plans.serving);
    assert.equal(await tierDelay(caches, facts), (delay ?? 0) + 1);
    const warm = reads.n;
    await tierDelay(caches, facts);
    assert.equal(reads.n, warm, 'cached again');
    await other.query(
      `update escalation_policies set tiers = jsonb_set(tiers, '{0,delayMinutes}', to_jsonb($1::int))`,
      [(delay ?? 0) + 2],
    );
    await waitFor(
      'a change heard on the new connection',
      async () => (await tierDelay(caches, facts)) === (delay ?? 0) + 2,
    );
  });

  /** Caches whose listener can be cut and kept down (every reconnect refused) until restored. */
  async function cuttable() {
    let refuse = false;
    const { caches, reads } = await started({
      listener: {
        newClient: () =>
          refuse
            ? new pg.Client({ connectionString: 'postgres://nobody@127.0.0.1:1/none' })
            : listenerClient(db.url),
        backoff: { initialMs: 20, maxMs: 100 },
      },
    });
    return {
      caches,
      reads,
      async cut() {
        refuse = true;
        await db.pool.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and datname = current_database()',
          [LISTENER_APPLICATION_NAME],
        );
        await waitFor('the loss noticed', () => !caches.plans.serving);
      },
      async restore() {
        refuse = false;
        await waitFor('the listener back', () => caches.plans.serving);
      },
    };
  }

  /** Resolves once every statement the cache started has finished. */
  const settled = (reads: { running: number }) => waitFor('the cache idle', () => reads.running === 0);

  it('answers from what it last read while Postgres cannot be reached, and fails what it never saw', async () => {
    const { caches, reads, cut } = await cuttable();
    const expected = await storePlans();
    assert.deepEqual(await cachedPlans(caches), expected);
    assert.equal((await caches.plans.integrationByKey(routingKey))?.name, 'am');
    assert.equal((await caches.plans.apiKey(apiKey))?.name, 'grafana');

    await cut();
    reads.down = true;
    for (let i = 0; i < 2; i++) {
      const before = reads.n;
      assert.deepEqual(await cachedPlans(caches), expected, 'the plans as last read');
      assert.ok(reads.n > before, 'each read still tries Postgres first');
      assert.equal((await caches.plans.integrationByKey(routingKey))?.name, 'am');
      assert.equal((await caches.plans.apiKey(apiKey))?.role, 'responder');
    }
    await assert.rejects(caches.plans.integrationByKey('f'.repeat(32)), isStoreUnreachable, 'a routing key never seen');
    await assert.rejects(caches.plans.apiKey('kx_never-seen'), isStoreUnreachable, 'an API key never seen');
    // Still the exact key only, from memory as from Postgres.
    assert.equal(await caches.plans.integrationByKey(routingKey.toUpperCase()).catch(() => 'unreachable'), 'unreachable');
    reads.down = false;
  });

  it('reloads what it knows when its listener is back: a change nobody heard is what it falls back on', async () => {
    const { caches, reads, cut, restore } = await cuttable();
    const facts = FACTS[2]!;
    const delay = (await tierDelay(caches, facts)) ?? 0;
    assert.ok(await caches.plans.integrationByKey(routingKey));
    await cut();
    // Changed while nobody listened, and not read since: only the reload on reconnect can learn it.
    await other.query(
      `update escalation_policies set tiers = jsonb_set(tiers, '{0,delayMinutes}', to_jsonb($2::int)) where id = $1`,
      [(await planAlert(db.pool, facts, 0.75)).policy!.id, delay + 3],
    );
    await other.query(`update integrations set disabled_at = now()`);
    const before = reads.n;
    await restore();
    await waitFor('the reload started', () => reads.n > before);
    await settled(reads);
    await cut();
    reads.down = true;
    try {
      assert.equal(await tierDelay(caches, facts), delay + 3, 'the policy as reloaded on reconnect');
      await assert.rejects(caches.plans.integrationByKey(routingKey), isStoreUnreachable, 'a disabled integration is not kept');
    } finally {
      reads.down = false;
      await other.query(`update integrations set disabled_at = null`);
      await other.query(`update escalation_policies set tiers = jsonb_set(tiers, '{0,delayMinutes}', to_jsonb($1::int))`, [delay]);
    }
  });

  it('drops a revoked API key from what it falls back on as soon as the revocation is heard', async () => {
    const { caches, reads, cut } = await cuttable();
    const { key } = await createApiKey(db.pool, { name: 'to-revoke', role: 'admin' });
    assert.equal((await caches.plans.apiKey(key))?.name, 'to-revoke');
    assert.equal((await caches.plans.apiKey(apiKey))?.name, 'grafana');
    const before = reads.n;
    // Another process revokes it: only the notification tells this one (it does not read the key again).
    await other.query(`update api_keys set revoked_at = now() where name = 'to-revoke'`);
    await waitFor('the reload the notification started', () => reads.n > before);
    await settled(reads);
    await cut();
    reads.down = true;
    try {
      await assert.rejects(caches.plans.apiKey(key), isStoreUnreachable);
      assert.equal((await caches.plans.apiKey(apiKey))?.name, 'grafana', 'the other key is still known');
    } finally {
      reads.down = false;
    }
  });

  it('folds a burst of changes into one more reload, not one reload each', async () => {
    const { caches, reads } = await started();
    await cachedPlans(caches);
    await settled(reads);
    const before = reads.n;
    // What a script committing a hundred SLA edits one by one sends, as fast as it can.
    for (let i = 0; i < 100; i++) caches.plans.changed('sla_targets');
    await settled(reads);
    assert.equal(reads.n - before, 2, 'the round under way, then one round for all the rest');
    assert.deepEqual(await cachedPlans(caches), await storePlans());
  });

  it('notifies a key revocation, but not a key being used', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (m) => heard.push(m.payload ?? ''));
    await listener.query('listen klaxon_config_changed');
    try {
      await other.query(`update api_keys set last_used_at = now() where name = 'grafana'`);
      await createApiKey(db.pool, { name: 'revoked-next', role: 'viewer' });
      await other.query(`update api_keys set revoked_at = now() where name = 'revoked-next'`);
      // Notifications arrive in commit order: once the revocation's is here, the touch's would have been.
      await waitFor('the revocation heard', () => heard.length > 0);
      assert.deepEqual(heard, ['api_keys']);
    } finally {
      await listener.end();
    }
  });

  it('closes its listening connection on close()', async () => {
    // Alone: the other tests' caches may be reconnecting listeners that were cut under them.
    for (const c of open.splice(0)) await c.close();
    const { caches } = await started();
    const listeners = async () =>
      (
        await db.pool.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where application_name = $1 and datname = current_database()',
          [LISTENER_APPLICATION_NAME],
        )
      ).rows[0]!.n;
    const withIt = await listeners();
    await caches.close();
    open.splice(open.indexOf(caches), 1);
    await waitFor('its connection gone', async () => (await listeners()) === withIt - 1);
    assert.equal(caches.plans.serving, false);
  });
});
