// Rate limits: per API key on the API (429 with Retry-After, counted by key, not by client), per
// integration on the ingest receivers, once the routing key is verified (PagerDuty's /v2/enqueue has its
// own test in ingest-pagerduty.test.ts). Failed authentications and limits shared across processes:
// auth-throttle.test.ts.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, it } from 'node:test';
import { createApp } from '../api/app';
import { listen } from '../api/listen';
import { createLogger } from '../runtime/logger';
import { createApiKey } from '../store/api-keys';
import { startHarness, type Harness } from './helpers/harness';

let h: Harness;
let server: Server;
let baseUrl: string;

before(async () => {
  h = await startHarness({ inProcessWorker: false });
  const app = createApp({
    pool: h.db.pool,
    temporal: h.env.client,
    taskQueue: h.taskQueue,
    log: createLogger('silent'),
    apiRatePerMinute: 3,
    ingestRatePerMinute: 2,
  });
  server = await listen(app, 0);
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
after(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await h?.close();
});

const get = (path: string, key?: string) => fetch(`${baseUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

it('answers 429 with Retry-After past the limit for one API key, and counts each key on its own', async () => {
  const { key: a } = await createApiKey(h.db.pool, { name: 'busy', role: 'viewer' });
  const { key: b } = await createApiKey(h.db.pool, { name: 'quiet', role: 'viewer' });
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let i = 0; i < 5; i++) {
    last = await get('/alerts', a);
    statuses.push(last.status);
  }
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  assert.ok(Number(last!.headers.get('retry-after')) > 0, 'Retry-After in seconds');
  assert.match(last!.headers.get('ratelimit-policy') ?? '', /^3;w=60/);
  assert.deepEqual(await last!.json(), {
    error: { code: 'rate_limited', message: 'more than 3 requests a minute with this API key; retry after the Retry-After seconds' },
  });
  // Another key from the same client is not held back; neither are requests without a key (401) or probes.
  assert.equal((await get('/alerts', b)).status, 200);
  assert.equal((await get('/alerts')).status, 401);
  for (let i = 0; i < 5; i++) assert.equal((await get('/healthz')).status, 200);
});

it('answers 429 with Retry-After past the limit for one routing key on the receivers', async () => {
  const created = await h.request('POST', '/integrations', { type: 'alertmanager', name: 'am-limited', service: 'x' });
  const key = created.body.routing_key as string;
  const post = () => fetch(`${baseUrl}/integrations/alertmanager/${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let i = 0; i < 3; i++) {
    last = await post();
    statuses.push(last.status);
  }
  // An invalid payload still counts: the limit is on what arrives, before any parsing of events.
  assert.deepEqual(statuses, [400, 400, 429]);
  assert.ok(Number(last!.headers.get('retry-after')) > 0);
  assert.equal(((await last!.json()) as { error: { code: string } }).error.code, 'rate_limited');
});
