// Webhook targets may reach public addresses only, unless OUTBOUND_ALLOWLIST permits an internal
// receiver: refused when saved (IP literals, credentials, loopback names), refused again when sent (every
// address a name resolves to, and stored targets from before the rule), without a connection being made.
// Errors say what failed, never what the receiver answered. Every "forbidden" address used here to send
// is a loopback one, where a local listener counts the connections that must not happen.
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { NO_ALLOWLIST, parseAllowlist } from '../domain/outbound-address';
import { createWebhookNotifier, guardedLookup, PermanentDeliveryError, TransientDeliveryError, type HostResolver } from '../notifiers';
import { delivery, rejectsWith } from './helpers/pages';
import { startWorld, waitFor, type World } from './helpers/world';

const allow = (text: string) => parseAllowlist(text).allowlist;

/** A local HTTP server that counts TCP connections (made or not is the point) and answers `status` with `body`. */
async function countingServer(status = 200, body = '{}') {
  let connections = 0;
  const hosts: string[] = [];
  const server = http.createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    req.resume();
    req.on('end', () => res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    hosts,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** A resolver for made-up names: each maps to the given addresses; it counts how often it was asked. */
function fakeResolver(names: Record<string, string[]>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const addresses = names[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

const MARKER = 'internal-secret-7f3a9c';

describe('webhook notifier at send time', () => {
  let target: Awaited<ReturnType<typeof countingServer>>;
  before(async () => {
    target = await countingServer();
  });
  after(() => target?.close());

  it('refuses IP-literal hosts that are not public, however they are spelled, without connecting', async () => {
    const send = createWebhookNotifier({ allowlist: NO_ALLOWLIST, resolve: fakeResolver({}) });
    for (const url of [`http://127.0.0.1:${target.port}/hook`, `http://0x7f000001:${target.port}/hook`, `http://[::ffff:127.0.0.1]:${target.port}/hook`, `http://[::1]:${target.port}/hook`, `http://2130706433:${target.port}/hook`]) {
      const err = await rejectsWith(send.send(delivery('webhook', url)), PermanentDeliveryError, 'EOUTBOUND');
      assert.match(err.message, /^webhook http:\/\/\S+\/hook refused: \S+ is (a loopback address|a form of 127\.0\.0\.1, a loopback address) \(set OUTBOUND_ALLOWLIST to permit it\)$/, err.message);
    }
    assert.equal(target.connections(), 0);
  });

  it('refuses a name resolving to loopback, before any connection, and names the address', async () => {
    const resolve = fakeResolver({ 'hooks.made-up.test': ['127.0.0.1'] });
    const send = createWebhookNotifier({ allowlist: NO_ALLOWLIST, resolve });
    const err = await rejectsWith(send.send(delivery('webhook', `http://hooks.made-up.test:${target.port}/hook?token=x`)), PermanentDeliveryError, 'EOUTBOUND');
    assert.equal(err.message, `webhook http://hooks.made-up.test:${target.port}/hook refused: 127.0.0.1 is a loopback address (set OUTBOUND_ALLOWLIST to permit it)`);
    assert.deepEqual(resolve.calls, ['hooks.made-up.test']);
    assert.equal(target.connections(), 0);
  });

  it('checks every answer, not only the first one', async () => {
    // The first address is permitted, the second is not: net.connect could fall back to it.
    const resolve = fakeResolver({ 'two.made-up.test': ['127.0.0.1', '127.0.0.2'], 'mapped.made-up.test': ['::ffff:127.0.0.1'] });
    const send = createWebhookNotifier({ allowlist: allow('127.0.0.1/32'), resolve });
    const err = await rejectsWith(send.send(delivery('webhook', `http://two.made-up.test:${target.port}/hook`)), PermanentDeliveryError, 'EOUTBOUND');
    assert.match(err.message, /refused: 127\.0\.0\.2 is a loopback address/);
    const strict = createWebhookNotifier({ allowlist: NO_ALLOWLIST, resolve });
    const mapped = await rejectsWith(strict.send(delivery('webhook', `http://mapped.made-up.test:${target.port}/hook`)), PermanentDeliveryError, 'EOUTBOUND');
    assert.match(mapped.message, /refused: ::ffff:127\.0\.0\.1 is a form of 127\.0\.0\.1, a loopback address/);
    assert.equal(target.connections(), 0);
  });

  it("connects to the address the guard checked (a name nothing else can resolve), sending the name as Host", async () => {
    const resolve = fakeResolver({ 'hooks.allowed.test': ['127.0.0.1'] });
    const send = createWebhookNotifier({ allowlist: allow('127.0.0.1/32'), resolve });
    await send.send(delivery('webhook', `http://hooks.allowed.test:${target.port}/hook`));
    assert.equal(target.connections(), 1);
    assert.deepEqual(target.hosts.slice(-1), [`hooks.allowed.test:${target.port}`]);
    assert.deepEqual(resolve.calls, ['hooks.allowed.test']);
    // A host name in the allowlist is permitted whatever it resolves to.
    const byName = createWebhookNotifier({ allowlist: allow('hooks.allowed.test'), resolve });
    await byName.send(delivery('webhook', `http://hooks.allowed.test:${target.port}/hook`));
    assert.equal(target.connections(), 2);
    await rejectsWith(createWebhookNotifier({ allowlist: allow('other.test'), resolve }).send(delivery('webhook', `http://hooks.allowed.test:${target.port}/hook`)), PermanentDeliveryError, 'EOUTBOUND');
    assert.equal(target.connections(), 2);
  });

  it('refuses credentials in a stored URL, without connecting or showing them', async () => {
    const send = createWebhookNotifier({ allowlist: allow('127.0.0.1/32') });
    const err = await rejectsWith(send.send(delivery('webhook', `http://user:pa55word@127.0.0.1:${target.port}/hook`)), PermanentDeliveryError, 'EOUTBOUND');
    assert.ok(!err.message.includes('pa55word'), err.message);
    assert.match(err.message, /user name or password/);
    assert.equal(target.connections(), 2);
  });

  it("the system resolver's answer for localhost is refused by the lookup, asked for one address or all", async () => {
    const lookup = guardedLookup(NO_ALLOWLIST);
    for (const all of [true, false]) {
      const err = await new Promise<unknown>((resolve) => lookup('localhost', { all }, (e) => resolve(e)));
      assert.equal((err as { code?: string }).code, 'EOUTBOUND', String(err));
      assert.match(String(err), /is a loopback address/);
    }
    const permitted = await new Promise<unknown>((resolve) => guardedLookup(allow('127.0.0.0/8,::1'))('localhost', { all: false }, (e, address) => resolve(e ?? address)));
    assert.ok(permitted === '127.0.0.1' || permitted === '::1', String(permitted));
  });
});

describe('webhook errors never carry the answer body', () => {
  it('says the status of a 4xx or 5xx answer, but nothing of its body; a large body is read and dropped', async () => {
    const allowlist = allow('127.0.0.1/32');
    for (const [status, type] of [
      [400, PermanentDeliveryError],
      [503, TransientDeliveryError],
    ] as const) {
      const server = await countingServer(status, `{"error":"${MARKER}","detail":"db password is ${MARKER}"}`);
      try {
        const err = await rejectsWith(createWebhookNotifier({ allowlist }).send(delivery('webhook', `http://127.0.0.1:${server.port}/x`)), type, status);
        assert.equal(err.message, `webhook http://127.0.0.1:${server.port}/x answered ${status}`);
      } finally {
        await server.close();
      }
    }
    const big = await countingServer(200, 'x'.repeat(1024 * 1024));
    try {
      await createWebhookNotifier({ allowlist }).send(delivery('webhook', `http://127.0.0.1:${big.port}/x`));
    } finally {
      await big.close();
    }
  });
});

const FORBIDDEN = [
  'http://127.0.0.1:5432/',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]:7233/',
  'http://0x7f000001/',
  'http://[::ffff:127.0.0.1]/',
  'http://10.0.0.5/hook',
  'http://100.64.0.1/',
  'http://0.0.0.0:3000/',
  'http://user:pass@hooks.example.com/',
  'http://localhost:5432/',
];

describe('without OUTBOUND_ALLOWLIST', () => {
  let w: World;
  let listener: Awaited<ReturnType<typeof countingServer>>;
  before(async () => {
    listener = await countingServer();
    w = await startWorld({ outboundAllowlist: NO_ALLOWLIST, webhookResolve: fakeResolver({ 'hooks.made-up.test': ['127.0.0.1'] }) });
  });
  after(async () => {
    await w?.close();
    await listener?.close();
  });

  const webhookPolicy = (url: string, name = `p-${Math.random().toString(36).slice(2)}`) => ({ name, tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url }] }] });
  const refusedField = (res: { status: number; body: { error: { code: string; errors: { field: string; message: string }[] } } }, field: string, url: string) => {
    assert.equal(res.status, 400, `${url}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, 'invalid_request');
    assert.equal(res.body.error.errors[0]?.field, field, url);
    assert.match(res.body.error.errors[0]!.message, /OUTBOUND_ALLOWLIST|user name or password/, url);
  };

  it('refuses each forbidden webhook address with 400 naming the field: policies (create and replace) and contact methods', async () => {
    const policyId = await w.policy(webhookPolicy('https://hooks.example.com/ok'));
    const userId = await w.user('Rita');
    for (const url of FORBIDDEN) {
      refusedField(await w.request('POST', '/escalation-policies', webhookPolicy(url)), 'body.tiers.0.targets.0.url', url);
      refusedField(await w.request('PUT', `/escalation-policies/${policyId}`, webhookPolicy(url, 'replaced')), 'body.tiers.0.targets.0.url', url);
      refusedField(await w.request('POST', '/users', { name: 'Wes', contact_methods: [{ type: 'email', address: 'wes@example.com' }, { type: 'webhook', address: url }] }), 'body.contact_methods.1.address', url);
      refusedField(await w.request('POST', `/users/${userId}/contact-methods`, { type: 'webhook', address: url }), 'body.address', url);
    }
    const policies = (await w.request('GET', '/escalation-policies')).body.policies as { id: string; tiers: { targets: { url?: string }[] }[] }[];
    assert.deepEqual(policies.find((p) => p.id === policyId)?.tiers[0]?.targets.map((t) => t.url), ['https://hooks.example.com/ok'], 'the replace changed nothing');
    const users = (await w.request('GET', '/users')).body.users as { name: string; contact_methods: unknown[] }[];
    assert.deepEqual(users.map((u) => [u.name, u.contact_methods.length]), [['Rita', 0]]);
    // Names are resolved when sent, so any name but a loopback one is accepted here.
    assert.equal((await w.request('POST', `/users/${userId}/contact-methods`, { type: 'webhook', address: 'http://hooks.made-up.test/x' })).status, 201);
  });

  it('records a page to a name resolving to loopback as refused, once, on the timeline, with no connection', async () => {
    const url = `http://hooks.made-up.test:${listener.port}/hook`;
    await w.policy({ ...webhookPolicy(url), is_default: true });
    const { id } = await w.trigger();
    await waitFor('page failed', async () => (await w.view(id)).notifications.some((n) => n.status === 'failed'));
    const alert = (await w.request('GET', `/alerts/${id}`)).body;
    const expected = `webhook ${url} refused: 127.0.0.1 is a loopback address (set OUTBOUND_ALLOWLIST to permit it)`;
    assert.deepEqual(alert.notifications.map((n: { status: string; error: string; attempts: number }) => [n.status, n.error, n.attempts]), [['failed', expected, 1]]);
    const failed = alert.timeline.filter((t: { action: string }) => t.action === 'page_failed');
    assert.equal(failed.length, 1);
    assert.ok(failed[0].reason.includes(expected), failed[0].reason);
    assert.ok(!alert.timeline.some((t: { action: string }) => t.action === 'page_attempt_failed'), 'permanent: not retried');
    assert.equal(listener.connections(), 0);
  });

  it('refuses stored targets from before the rule at send time (Postgres written directly), and shows none of their credentials', async () => {
    const urls = [
      `http://127.0.0.1:${listener.port}/literal`,
      `http://0x7f000001:${listener.port}/hex`,
      `http://[::ffff:127.0.0.1]:${listener.port}/mapped`,
      `http://localhost:${listener.port}/name`,
      `http://klaxon:pa55word@hooks.made-up.test:${listener.port}/creds`,
    ];
    const policyId = await w.policy({ ...webhookPolicy('https://hooks.example.com/placeholder'), is_default: true });
    await w.db.pool.query('update escalation_policies set tiers = $2::jsonb where id = $1', [policyId, JSON.stringify([{ delayMinutes: 0, targets: urls.map((url) => ({ type: 'webhook', url })) }])]);
    w.caches.plans.changed('escalation_policies');
    const userId = await w.user('Old');
    await w.db.pool.query("insert into contact_methods (user_id, type, address) values ($1, 'webhook', $2)", [userId, `https://klaxon:pa55word@hooks.example.com/old`]);

    const { id } = await w.trigger();
    await waitFor('every page failed', async () => (await w.view(id)).notifications.filter((n) => n.status === 'failed').length === urls.length);
    const rows = await w.db.pool.query<{ address: string; status: string; error: string }>('select address, status, error from notifications where alert_id = $1', [id]);
    assert.equal(rows.rows.length, urls.length);
    for (const r of rows.rows) {
      assert.equal(r.status, 'failed');
      assert.match(r.error, / refused: /, r.error);
      assert.ok(!r.error.includes('pa55word'), r.error);
    }
    assert.equal(listener.connections(), 0);

    // Viewers see the stored URL with its credentials masked: alert, policy, user.
    const alert = await w.request('GET', `/alerts/${id}`);
    const policy = await w.request('GET', `/escalation-policies/${policyId}`);
    const user = await w.request('GET', `/users/${userId}`);
    for (const res of [alert, policy, user]) {
      assert.equal(res.status, 200);
      const text = JSON.stringify(res.body);
      assert.ok(!text.includes('pa55word'), text);
      assert.ok(text.includes('http://***@hooks.made-up.test') || text.includes('https://***@hooks.example.com'), text);
    }
    assert.equal(user.body.contact_methods[0].address, 'https://***@hooks.example.com/old');
    assert.ok(policy.body.tiers[0].targets.some((t: { url: string }) => t.url === `http://***@hooks.made-up.test:${listener.port}/creds`));
  });
});

describe('with OUTBOUND_ALLOWLIST permitting an internal receiver', () => {
  let w: World;
  before(async () => {
    w = await startWorld({ outboundAllowlist: allow('127.0.0.1/32, hooks.internal.test'), webhookResolve: fakeResolver({ 'hooks.internal.test': ['127.0.0.1'] }) });
  });
  after(async () => {
    await w?.close();
  });

  it('pages it end to end, by address and by allowlisted name; what the allowlist does not name is still refused', async () => {
    const port = new URL(w.hooks.url).port;
    await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/internal` }, { type: 'webhook', url: `http://hooks.internal.test:${port}/named` }] }], is_default: true });
    const { id } = await w.trigger();
    await waitFor('both pages sent', async () => (await w.view(id)).notifications.filter((n) => n.status === 'sent').length === 2);
    assert.equal(w.hits('/internal'), 1);
    assert.equal(w.hits('/named'), 1);
    const res = await w.request('POST', '/escalation-policies', { name: 'v6', tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `http://[::1]:${port}/x` }] }] });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.errors[0].field, 'body.tiers.0.targets.0.url');
  });

  it('stores the status of an error answer but none of its body, also as GET /alerts/:id shows it', async () => {
    w.hooks.respondWith('/leaky', 400, { body: JSON.stringify({ error: `connection to postgres://admin:${MARKER}@db failed` }) });
    await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/leaky` }] }], is_default: true });
    const { id } = await w.trigger();
    await waitFor('page failed', async () => (await w.view(id)).notifications.some((n) => n.status === 'failed'));
    assert.equal(w.hits('/leaky'), 1, 'the receiver was reached and answered');
    const { rows } = await w.db.pool.query<{ error: string }>('select error from notifications where alert_id = $1', [id]);
    assert.deepEqual(rows.map((r) => r.error), [`webhook ${w.hooks.url}/leaky answered 400`]);
    const alert = await w.request('GET', `/alerts/${id}`);
    const text = JSON.stringify(alert.body);
    assert.ok(text.includes('answered 400'), text);
    assert.ok(!text.includes(MARKER), text);
  });
});
