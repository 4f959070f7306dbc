// Security headers (helmet's defaults) on API, ingest, error and probe responses, no X-Powered-By, and a
// body size limit on every route the app serves: the API's BODY_LIMIT, the ingest endpoints' 512 KB.
import assert from 'node:assert/strict';
import http, { type Server } from 'node:http';
import { after, before, it } from 'node:test';
import type express from 'express';
import { ACCESS } from '../api/access';
import { createApp } from '../api/app';
import { listen } from '../api/listen';
import { createLogger } from '../runtime/logger';
import { startHarness, type Harness } from './helpers/harness';
import { routesOf, samplePath, type Route } from './helpers/routes';

const API_LIMIT = 64 * 1024;
const INGEST_LIMIT = 512 * 1024;

let h: Harness;
let app: express.Express;
let server: Server;
let port: number;

before(async () => {
  h = await startHarness({ inProcessWorker: false });
  app = createApp({ pool: h.db.pool, temporal: h.env.client, taskQueue: h.taskQueue, log: createLogger('silent'), bodyLimit: '64kb' });
  server = await listen(app, 0);
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
after(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await h?.close();
});

/** Sends a request with a body whatever the method (fetch refuses a GET with one); resolves on the answer. */
function send(method: string, path: string, body: string, key?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(key ? { authorization: `Bearer ${key}` } : {}) },
      },
      (res) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    // The server may answer 413 and close before the whole body is written.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.end(body);
  });
}

const jsonOfSize = (bytes: number) => {
  const shell = '{"pad":""}';
  return `{"pad":"${'x'.repeat(bytes - shell.length)}"}`;
};

const isIngest = (r: Route) => ACCESS[r.name as keyof typeof ACCESS] === 'routing-key';

it('sends helmet security headers and no X-Powered-By on API, ingest, error and probe responses', async () => {
  const cases = [
    send('GET', '/alerts', '', h.adminKey),
    send('GET', '/alerts', ''),
    send('GET', '/no-such-route', '', h.adminKey),
    send('GET', '/healthz', ''),
    send('POST', '/v2/enqueue', '{}'),
    send('POST', `/integrations/alertmanager/${'f'.repeat(32)}`, '{}'),
    send('POST', '/alerts', '{"summary":', h.adminKey),
  ];
  const statuses = [];
  for (const res of await Promise.all(cases)) {
    statuses.push(res.status);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(String(res.headers['strict-transport-security']), /^max-age=\d+; includeSubDomains$/);
    assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin');
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
    assert.doesNotMatch(String(res.headers['content-security-policy']), /upgrade-insecure-requests/);
    assert.equal(res.headers['x-powered-by'], undefined);
  }
  assert.deepEqual(statuses, [200, 401, 404, 200, 400, 404, 400]);
});

it('limits the body of every route: 413 past its limit, whatever the method (sent without a key: the body is read first)', async () => {
  const routes = routesOf(app);
  assert.ok(routes.length > 40);
  for (const r of routes) {
    const limit = isIngest(r) ? INGEST_LIMIT : API_LIMIT;
    const res = await send(r.method, samplePath(r.path), jsonOfSize(limit + 1024));
    const access = ACCESS[r.name as keyof typeof ACCESS];
    if (access === 'signature') {
      // Routes that check a signature may refuse before reading the body; they must not accept it.
      assert.ok(res.status >= 400 && res.status < 500, `${r.name}: ${res.status}`);
    } else {
      assert.equal(res.status, 413, `${r.name} with ${limit + 1024} bytes: ${res.status} ${res.text}`);
    }
  }
});

it('lets the ingest endpoints take bodies the API would refuse', async () => {
  const big = jsonOfSize(API_LIMIT * 2);
  assert.equal((await send('POST', '/alerts', big, h.adminKey)).status, 413);
  const pd = await send('POST', '/v2/enqueue', big);
  assert.equal(pd.status, 400, pd.text); // parsed, then refused as no event: not a size problem
  const am = await send('POST', `/integrations/alertmanager/${'f'.repeat(32)}`, big);
  assert.equal(am.status, 404, am.text); // parsed, then no integration with that key
});
