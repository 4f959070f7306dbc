// Failed authentications are limited per client address (api/auth-throttle.ts), before any lookup: bad
// API keys, unknown routing keys on every ingest endpoint, bad Twilio and link signatures. Counters live
// in Postgres, so two API processes on one database hold one limit; with Postgres away the limiters
// count in memory and nothing answers 500.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import type pg from 'pg';
import { createApp, type AppDeps } from '../api/app';
import { startAppCaches, type AppCaches } from '../api/app-caches';
import { listen } from '../api/listen';
import { SharedRateLimitStore } from '../api/rate-limit-store';
import { createLogger } from '../runtime/logger';
import { createApiKey } from '../store/api-keys';
import { createPool, type Queryable } from '../store/db';
import { startHarness, type Harness } from './helpers/harness';
import { waitFor } from './helpers/world';

let h: Harness;
const log = createLogger('silent');
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  h = await startHarness({ inProcessWorker: false });
});
// Every app here shares the database, so its counters: each test starts from none (most come from 127.0.0.1).
beforeEach(async () => {
  await h.db.pool.query('delete from rate_limit_hits');
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  await h?.close();
});

/** A pool that counts the statements matching `pattern`, so a test can tell which lookups were made. */
function countingPool(pool: pg.Pool, pattern: RegExp): { db: Queryable; count: () => number } {
  let n = 0;
  const db = {
    query: (...args: Parameters<pg.Pool['query']>) => {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
      if (pattern.test(text)) n++;
      return (pool.query as (...a: unknown[]) => unknown)(...args);
    },
  } as unknown as Queryable;
  return { db, count: () => n };
}

/** Starts an app on its own port (with caches over `cacheDb` when given); returns its base URL. */
async function startApp(opts: Partial<AppDeps> & { cacheDb?: Queryable; pool?: pg.Pool } = {}): Promise<{ url: string; caches?: AppCaches }> {
  const { cacheDb, ...deps } = opts;
  const pool = opts.pool ?? h.db.pool;
  let caches: AppCaches | undefined;
  if (cacheDb) {
    caches = startAppCaches({ pool: cacheDb, databaseUrl: h.db.url, log, reopenWindowMs: 30 * 60_000 });
    const started = caches;
    await waitFor('the cache listening', () => started.plans.serving);
  }
  const app = createApp({ temporal: h.env.client, taskQueue: h.taskQueue, log, ...deps, pool, caches });
  const server: Server = await listen(app, 0);
  cleanups.push(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await caches?.close();
  });
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, caches };
}

const randomKey = () => `kx_${randomBytes(32).toString('base64url')}`;
const randomRoutingKey = () => randomBytes(16).toString('hex');

/** A request as from `from` (X-Forwarded-For; only an app trusting loopback proxies believes it). */
const send = (url: string, path: string, o: { from?: string; key?: string; body?: unknown; method?: string } = {}) =>
  fetch(`${url}${path}`, {
    method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(o.from ? { 'x-forwarded-for': o.from } : {}),
      ...(o.key ? { authorization: `Bearer ${o.key}` } : {}),
      ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });

const pdEvent = (routingKey: string, dedupKey = `t-${randomBytes(4).toString('hex')}`) => ({
  routing_key: routingKey,
  event_action: 'trigger',
  dedup_key: dedupKey,
  payload: { summary: 'disk full', source: 'db-1', severity: 'warning' },
});

describe('failed API-key authentications', () => {
  it('50 bad keys from one address: 401 up to the limit, then 429 with Retry-After and no lookup; other addresses and known keys pass', async () => {
    const lookups = countingPool(h.db.pool, /from api_keys/);
    const { url } = await startApp({ cacheDb: lookups.db, authFailuresPerMinute: 20, trustProxy: 'loopback' });
    const attacker = '203.0.113.7';
    const statuses: number[] = [];
    let lookupsAtLimit = 0;
    let last: Response | undefined;
    for (let i = 0; i < 50; i++) {
      last = await send(url, '/alerts', { from: attacker, key: randomKey() });
      statuses.push(last.status);
      if (i === 19) lookupsAtLimit = lookups.count();
    }
    assert.deepEqual(statuses, [...Array(20).fill(401), ...Array(30).fill(429)]);
    assert.equal(lookupsAtLimit, 20, 'each failure up to the limit was looked up');
    assert.equal(lookups.count(), 20, 'none after it');
    const retryAfter = Number(last!.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.deepEqual(await last!.json(), {
      error: { code: 'auth_throttled', message: 'too many failed authentications from this address; retry after the Retry-After seconds' },
    });
    // No key at all is no better.
    assert.equal((await send(url, '/alerts', { from: attacker })).status, 429);

    // Another address is not held back, and a key it proved good passes from the throttled one too.
    const { key: good } = await createApiKey(h.db.pool, { name: 'throttle-good', role: 'viewer' });
    assert.equal((await send(url, '/alerts', { from: '198.51.100.9', key: good })).status, 200);
    assert.equal((await send(url, '/alerts', { from: attacker, key: good })).status, 200);
    // A key this process never checked is not looked up from the throttled address.
    const { key: fresh } = await createApiKey(h.db.pool, { name: 'throttle-fresh', role: 'viewer' });
    const before = lookups.count();
    assert.equal((await send(url, '/alerts', { from: attacker, key: fresh })).status, 429);
    assert.equal(lookups.count(), before);
  });

  it('without TRUST_PROXY, X-Forwarded-For is ignored: rotating it does not rotate the address', async () => {
    const { url } = await startApp({ authFailuresPerMinute: 5 });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await send(url, '/alerts', { from: `192.0.2.${i + 1}`, key: randomKey() })).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
  });
});

describe('unknown routing keys', () => {
  it('count against the address on /v2/enqueue and the receivers; a valid key keeps its own bucket and passes', async () => {
    const lookups = countingPool(h.db.pool, /from integrations where key_hash/);
    const { url } = await startApp({ cacheDb: lookups.db, authFailuresPerMinute: 10, ingestRatePerMinute: 5, trustProxy: 'loopback' });
    const pd = (await h.request('POST', '/integrations', { type: 'pagerduty', name: 'pd-throttle', service: 'throttle' })).body.routing_key as string;
    const am = (await h.request('POST', '/integrations', { type: 'alertmanager', name: 'am-throttle', service: 'throttle' })).body.routing_key as string;
    const attacker = '203.0.113.20';
    const sender = '198.51.100.20';

    // The real sender, once: its key is now known good.
    assert.equal((await send(url, '/v2/enqueue', { from: sender, body: pdEvent(pd) })).status, 202);

    const statuses: number[] = [];
    const bodies: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await send(url, '/v2/enqueue', { from: attacker, body: pdEvent(randomRoutingKey()) });
      statuses.push(res.status);
      bodies.push(await res.json());
    }
    assert.deepEqual(statuses, [400, 400, 400, 400, 400, 400]);
    assert.deepEqual(bodies[0], { status: 'invalid event', message: 'Event object is invalid', errors: ["'routing_key' does not match an enabled integration"] });
    // An alertmanager key on the receiver of another kind is as unknown there.
    for (const path of ['alertmanager', 'generic', 'anomaly', 'generic'])
      statuses.push((await send(url, `/integrations/${path}/${path === 'generic' ? am : randomRoutingKey()}`, { from: attacker, body: {} })).status);
    assert.deepEqual(statuses.slice(6), [404, 404, 404, 404]);
    const lookupsAtLimit = lookups.count();

    const throttledPd = await send(url, '/v2/enqueue', { from: attacker, body: pdEvent(randomRoutingKey()) });
    assert.equal(throttledPd.status, 429);
    assert.ok(Number(throttledPd.headers.get('retry-after')) >= 1);
    assert.deepEqual(await throttledPd.json(), { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' });
    const throttledAm = await send(url, `/integrations/alertmanager/${randomRoutingKey()}`, { from: attacker, body: {} });
    assert.equal(throttledAm.status, 429);
    assert.ok(Number(throttledAm.headers.get('retry-after')) >= 1);
    assert.equal(((await throttledAm.json()) as { error: { code: string } }).error.code, 'auth_throttled');
    for (let i = 0; i < 10; i++) assert.equal((await send(url, '/v2/enqueue', { from: attacker, body: pdEvent(randomRoutingKey()) })).status, 429);
    assert.equal(lookups.count(), lookupsAtLimit, 'no lookup once the address is over its limit');

    // The valid key's bucket holds only its own events: 4 more (5 a minute), from the throttled address too.
    const own: number[] = [];
    for (let i = 0; i < 5; i++) own.push((await send(url, '/v2/enqueue', { from: i % 2 ? attacker : sender, body: pdEvent(pd) })).status);
    assert.deepEqual(own, [202, 202, 202, 202, 429]);
    const limited = await send(url, '/v2/enqueue', { from: sender, body: pdEvent(pd) });
    assert.equal(limited.status, 429);
    assert.equal(((await limited.json()) as { status: string }).status, 'throttle event');
  });
});

describe('signatures', () => {
  it('bad Twilio signatures and tampered reply links count against the address, in each route\'s format', async () => {
    const { url } = await startApp({ authFailuresPerMinute: 3, replies: { publicUrl: 'http://klaxon.test', twilioAuthToken: 'throttle-token' } });
    const sms = () =>
      fetch(`${url}/integrations/twilio/sms`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged' },
        body: 'MessageSid=SM1&From=%2B15551230001&Body=ACK%201234',
      });
    const link = () => fetch(`${url}/respond/${randomBytes(24).toString('base64url')}.${randomBytes(16).toString('base64url')}`);
    const statuses = [(await sms()).status, (await link()).status, (await sms()).status];
    assert.deepEqual(statuses, [403, 400, 403]);
    const smsLimited = await sms();
    assert.equal(smsLimited.status, 429);
    assert.match(smsLimited.headers.get('content-type') ?? '', /^text\/plain/);
    assert.ok(Number(smsLimited.headers.get('retry-after')) >= 1);
    const linkLimited = await link();
    assert.equal(linkLimited.status, 429);
    assert.match(linkLimited.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await linkLimited.text(), /Too many invalid links/);
    assert.ok(Number(linkLimited.headers.get('retry-after')) >= 1);
    // One limit for every kind of credential: an API key guessed from there now waits too.
    assert.equal((await send(url, '/alerts', { key: randomKey() })).status, 429);
  });
});

describe('two API processes on one Postgres', () => {
  it('share one counter for failures, API keys and integrations: the limit holds across them, not twice over', async () => {
    const pools = [createPool(h.db.url), createPool(h.db.url)];
    cleanups.push(() => Promise.all(pools.map((p) => p.end())));
    const settings = { authFailuresPerMinute: 6, apiRatePerMinute: 4, ingestRatePerMinute: 4 };
    const apps = await Promise.all(pools.map((pool) => startApp({ ...settings, pool })));
    const at = (i: number) => apps[i % 2]!.url;

    const { key } = await createApiKey(h.db.pool, { name: 'two-processes', role: 'viewer' });
    const uses: number[] = [];
    for (let i = 0; i < 6; i++) uses.push((await send(at(i), '/alerts', { key })).status);
    assert.deepEqual(uses, [200, 200, 200, 200, 429, 429]);

    const am = (await h.request('POST', '/integrations', { type: 'alertmanager', name: 'am-two', service: 'two' })).body.routing_key as string;
    const events: number[] = [];
    // Invalid payloads from a valid key count too (the limit is on what arrives); they need no worker.
    for (let i = 0; i < 6; i++) events.push((await send(at(i), `/integrations/alertmanager/${am}`, { body: {} })).status);
    assert.deepEqual(events, [400, 400, 400, 400, 429, 429]);

    // Last: from then on this address's keys are not checked (these apps have no cache to know them by).
    const failures: number[] = [];
    for (let i = 0; i < 12; i++) failures.push((await send(at(i), '/alerts', { key: randomKey() })).status);
    assert.deepEqual(failures, [401, 401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429]);
  });
});

describe('with Postgres unreachable', () => {
  const dead = () => {
    const pool = createPool('postgres://nobody@127.0.0.1:1/none');
    cleanups.push(() => pool.end());
    return pool;
  };

  it('the store counts in memory, so limits still hold per process and nothing fails', async () => {
    const store = new SharedRateLimitStore({ db: dead(), prefix: 't:', log });
    store.init({ windowMs: 60_000 });
    cleanups.push(async () => store.shutdown());
    assert.deepEqual(
      [(await store.increment('k')).totalHits, (await store.increment('k')).totalHits, (await store.increment('k')).totalHits],
      [1, 2, 3],
    );
    assert.equal(store.local, true);
    await store.decrement('k');
    assert.equal((await store.get('k'))?.totalHits, 2);
  });

  it('a statement that never answers is abandoned at the deadline and counted in memory', async () => {
    const hanging: Queryable = { query: () => new Promise(() => {}) } as unknown as Queryable;
    const store = new SharedRateLimitStore({ db: hanging, prefix: 't:', log, deadlineMs: 50 });
    store.init({ windowMs: 60_000 });
    cleanups.push(async () => store.shutdown());
    const started = Date.now();
    assert.equal((await store.increment('k')).totalHits, 1);
    assert.ok(Date.now() - started < 1_000);
    // Held in memory from then on: the next hit does not wait for Postgres again.
    const next = Date.now();
    assert.equal((await store.increment('k')).totalHits, 2);
    assert.ok(Date.now() - next < 40);
  });

  it('counts in Postgres again once it answers, and a refused statement is an error, not a reason to count in memory', async () => {
    let fail = true;
    const flaky = {
      query: (...args: unknown[]) => (fail ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) : (h.db.pool.query as (...a: unknown[]) => unknown)(...args)),
    } as unknown as Queryable;
    const store = new SharedRateLimitStore({ db: flaky, prefix: 'flaky:', log, retryMs: 20 });
    store.init({ windowMs: 60_000 });
    cleanups.push(async () => store.shutdown());
    assert.equal((await store.increment('k')).totalHits, 1);
    fail = false;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal((await store.increment('k')).totalHits, 1, 'the first hit in Postgres');
    assert.equal(store.local, false);
    const { rows } = await h.db.pool.query('select hits from rate_limit_hits where key = $1', ['flaky:k']);
    assert.deepEqual(rows, [{ hits: 1 }]);

    const broken = { query: () => Promise.reject(Object.assign(new Error('relation "rate_limit_hits" does not exist'), { code: '42P01' })) } as unknown as Queryable;
    const buggy = new SharedRateLimitStore({ db: broken, prefix: 'b:', log });
    buggy.init({ windowMs: 60_000 });
    cleanups.push(async () => buggy.shutdown());
    await assert.rejects(buggy.increment('k'), /does not exist/);
  });

  it('the API and ingest answer 503, never 500, and the failure limit still holds', async () => {
    const { url } = await startApp({ pool: dead(), authFailuresPerMinute: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(url, '/alerts', { key: randomKey() })).status);
    // The keys could not be checked, so they are no failures: the answer says to come back.
    assert.deepEqual(statuses, [503, 503, 503]);
    const pd = await send(url, '/v2/enqueue', { body: pdEvent(randomRoutingKey()) });
    assert.equal(pd.status, 503);
    assert.equal(((await pd.json()) as { status: string }).status, 'unavailable');
    const am = await send(url, `/integrations/alertmanager/${randomRoutingKey()}`, { body: {} });
    assert.equal(am.status, 503);
    // Missing keys need no lookup: they count, in memory, and are throttled.
    const missing: number[] = [];
    for (let i = 0; i < 4; i++) missing.push((await send(url, '/alerts')).status);
    assert.deepEqual(missing, [401, 401, 401, 429]);
  });
});
