// Every route the app serves has an entry in the access table (api/access.ts), every entry a route; each
// route refuses requests without a key (401) and with a key whose role is too low (403, naming both roles);
// public and routing-key routes are not behind API keys. Found by walking Express's router, so a route
// added without an entry fails here.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type express from 'express';
import { ACCESS, accessFor, isRole, type Access } from '../api/access';
import { createApp } from '../api/app';
import { listen } from '../api/listen';
import { createLogger } from '../runtime/logger';
import { API_KEY_ROLES, createApiKey, type ApiKeyRole } from '../store/api-keys';
import { startHarness, type Harness } from './helpers/harness';
import { routesOf, samplePath, type Route } from './helpers/routes';

const lowerRoles = (role: ApiKeyRole) => API_KEY_ROLES.slice(0, API_KEY_ROLES.indexOf(role));

let h: Harness;
let app: express.Express;
let server: Server;
let baseUrl: string;
let routes: Route[];
const keys = {} as Record<ApiKeyRole, string>;

before(async () => {
  h = await startHarness();
  // The app under test is built here, the way main.ts builds it, so the router it walks is the one it calls.
  app = createApp({
    pool: h.db.pool,
    temporal: h.env.client,
    taskQueue: h.taskQueue,
    log: createLogger('silent'),
    bodyLimit: '64kb',
    replies: { publicUrl: 'http://klaxon.test', twilioAuthToken: 'access-test-token' },
    // Every route is called without a key and with unknown ones, all from 127.0.0.1: far past the
    // failure throttle's default, which test/auth-throttle.test.ts covers.
    authFailuresPerMinute: 100_000,
  });
  server = await listen(app, 0);
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  routes = routesOf(app);
  for (const role of API_KEY_ROLES) keys[role] = (await createApiKey(h.db.pool, { name: `access-${role}`, role })).key;
});
after(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await h?.close();
});

async function call(method: string, path: string, key?: string, body: unknown = {}) {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  const hasBody = method !== 'GET' && method !== 'HEAD';
  if (hasBody) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: hasBody ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read arbitrary JSON
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json };
}

/** True when the answer is API-key authentication refusing the request (as opposed to the route's own). */
const isApiKeyRefusal = (r: { status: number; headers: Headers }) =>
  r.status === 401 && /^Bearer/.test(r.headers.get('www-authenticate') ?? '');

describe('the access table', () => {
  it('has an entry for every route the app serves', () => {
    assert.ok(routes.length > 40, `walked ${routes.length} routes: is the walker still finding them?`);
    const missing = routes.filter((r) => !(r.name in ACCESS)).map((r) => r.name);
    assert.deepEqual(missing, [], `routes with no entry in api/access.ts: ${missing.join(', ')}`);
  });

  it('has no entry that matches no route (signature routes and listed pending ones aside)', () => {
    const served = new Set(routes.map((r) => r.name));
    const stale = Object.keys(ACCESS as Record<string, Access>).filter((name) => !served.has(name));
    assert.deepEqual(stale, [], `entries in api/access.ts with no route: ${stale.join(', ')}`);
  });

  it('gives each route its own entry when the lookup is by concrete path', () => {
    for (const r of routes) {
      const found = accessFor(r.method, samplePath(r.path));
      assert.ok(found, `${r.name}: no entry matches ${samplePath(r.path)}`);
      assert.equal(found.access, ACCESS[r.name as keyof typeof ACCESS], `${r.name}: ${samplePath(r.path)} is looked up as ${found.route}`);
    }
  });
});

describe('every route', () => {
  it('with a role: 401 without a key or with an unknown key, 403 with a lower role, admitted with its own', async () => {
    for (const r of routes) {
      const access = ACCESS[r.name as keyof typeof ACCESS] as Access;
      if (!isRole(access)) continue;
      const path = samplePath(r.path);
      const anonymous = await call(r.method, path);
      assert.equal(anonymous.status, 401, `${r.name} without a key`);
      assert.ok(isApiKeyRefusal(anonymous), `${r.name}: WWW-Authenticate`);
      assert.equal(anonymous.body.error.code, 'unauthorized');
      const unknown = await call(r.method, path, `kx_${'A'.repeat(43)}`);
      assert.equal(unknown.status, 401, `${r.name} with an unknown key`);
      for (const lower of lowerRoles(access)) {
        const refused = await call(r.method, path, keys[lower]);
        assert.equal(refused.status, 403, `${r.name} with a ${lower} key`);
        assert.equal(refused.body.error.code, 'forbidden');
        assert.equal(refused.body.error.required_role, access);
        assert.equal(refused.body.error.key_role, lower);
        assert.match(refused.body.error.message, new RegExp(`needs the ${access} role; this key is an? ${lower}$`));
      }
      // Its own role gets past authorization: whatever the handler makes of a made-up id or an empty body.
      const admitted = await call(r.method, path, keys[access]);
      assert.ok(![401, 403].includes(admitted.status), `${r.name} with a ${access} key: ${admitted.status} ${JSON.stringify(admitted.body)}`);
    }
  });

  it('public, routing-key and signature routes are not behind API keys', async () => {
    const open = routes.filter((r) => !isRole(ACCESS[r.name as keyof typeof ACCESS] as Access));
    assert.ok(open.some((r) => r.path === '/v2/enqueue') && open.some((r) => r.path === '/healthz'));
    for (const r of open) {
      const res = await call(r.method, samplePath(r.path));
      // A signature route may refuse a request without a valid signature (403 in its own terms), but
      // never for want of an API key or a role.
      const roleRefusal = res.status === 403 && (res.body as { error?: { code?: string } } | undefined)?.error?.code === 'forbidden';
      assert.ok(!isApiKeyRefusal(res) && !roleRefusal, `${r.name} without a key: ${res.status} ${JSON.stringify(res.body)}`);
    }
  });
});

describe('requests no route matches', () => {
  it('are 404 with any key, 401 without one, and reach no handler', async () => {
    assert.equal((await call('GET', '/no-such-thing', keys.admin)).status, 404);
    assert.equal((await call('GET', '/no-such-thing')).status, 401);
    // A method a path does not have is no route either.
    assert.equal((await call('PATCH', '/alerts', keys.admin)).status, 404);
    assert.equal((await call('DELETE', '/api-keys', keys.admin)).status, 404);
  });

  it('are matched as Express matches them: case and a trailing slash do not get around a role', async () => {
    assert.equal((await call('GET', '/ALERTS/', keys.viewer)).status, 200);
    assert.equal((await call('POST', '/Alerts', keys.viewer, {})).status, 403);
    assert.equal((await call('POST', '/API-KEYS/', keys.responder, {})).status, 403);
    assert.equal((await call('HEAD', '/alerts', keys.viewer)).status, 200);
    assert.equal((await call('HEAD', '/api-keys', keys.viewer)).status, 403);
  });
});

describe('roles are hierarchical', () => {
  it('viewer reads; responder acts on alerts and groups; admin configures', async () => {
    const created = await call('POST', '/alerts', keys.responder, { summary: 'disk', severity: 'high', service: 'db', source: 'test' });
    assert.ok([200, 201, 202].includes(created.status), JSON.stringify(created.body));
    assert.equal((await call('POST', '/alerts', keys.viewer, { summary: 'disk', severity: 'high', service: 'db', source: 'test' })).status, 403);
    assert.equal((await call('GET', `/alerts/${created.body.id}`, keys.viewer)).status, 200);
    assert.equal((await call('POST', `/alerts/${created.body.id}/acknowledge`, keys.viewer)).status, 403);
    assert.equal((await call('POST', `/alerts/${created.body.id}/acknowledge`, keys.responder)).status, 200);
    assert.equal((await call('POST', `/alerts/${created.body.id}/notes`, keys.admin, { text: 'admin too' })).status, 201);
    assert.equal((await call('POST', '/users', keys.responder, { name: 'Ann' })).status, 403);
    assert.equal((await call('POST', '/users', keys.admin, { name: 'Ann' })).status, 201);
    assert.equal((await call('GET', '/users', keys.viewer)).status, 200);
  });
});
