// Single sign-on against a real OpenID Connect provider (oidc-provider, in process): the whole
// authorization code flow over HTTP as a browser makes it, cookies per origin and redirects by hand,
// from Klaxon's login route through the provider's login and consent forms to Klaxon's callback, whose
// session cookie then works with the role the person's groups map to. And every way it must refuse.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../api/app';
import { listen } from '../api/listen';
import { parseRoleMap } from '../domain/sign-in-rules';
import { oidcRedirectUriOf } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { API_KEY_ROLES } from '../store/api-keys';
import { insertUser } from '../store/users';
import { PUBLIC_URL, startHarness, type Harness } from './helpers/harness';
import { CookieJar, signInThrough, startTestProvider, type TestProvider } from './helpers/oidc-provider';

const CALLBACK = oidcRedirectUriOf({ PUBLIC_URL, HOST: '127.0.0.1', PORT: 0 });
const roleMap = parseRoleMap('oncall-admins=admin,oncall=responder,readers=viewer', API_KEY_ROLES).map;

let op: TestProvider;
let h: Harness;

before(async () => {
  op = await startTestProvider(CALLBACK);
  h = await startHarness({
    oidc: {
      issuer: op.issuer,
      clientId: op.clientId,
      clientSecret: op.clientSecret,
      scopes: 'openid email profile groups',
      roleClaim: 'groups',
      roleMap,
      displayName: 'Example SSO',
    },
  });
  op.accounts.set('ada', {
    email: 'ada@example.com',
    email_verified: true,
    name: 'Ada',
    groups: ['oncall-admins', 'oncall'],
  });
  op.accounts.set('vic', {
    email: 'vic@example.com',
    email_verified: true,
    name: 'Vic',
    groups: ['readers'],
  });
  op.accounts.set('fin', {
    email: 'fin@example.com',
    email_verified: true,
    name: 'Fin',
    groups: ['finance'],
  });
});
after(async () => {
  await h?.close();
  await op?.close();
});

/** The browser's view of Klaxon: PUBLIC_URL is where the provider sends people back to. */
const inKlaxon = (url: string) =>
  url.startsWith(PUBLIC_URL) ? `${h.baseUrl}${url.slice(PUBLIC_URL.length)}` : url;

/** Starts a sign-in in a new browser and returns it at the point the provider sends it back to Klaxon. */
async function toCallback(subject: string, returnTo?: string): Promise<{ jar: CookieJar; callback: string }> {
  const jar = new CookieJar();
  const query = returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
  const start = await jar.fetch(`${h.baseUrl}/auth/oidc/login${query}`);
  assert.equal(start.status, 302, await start.text());
  const location = start.headers.get('location')!;
  const authorize = new URL(location);
  assert.equal(authorize.origin, op.issuer, 'to the provider');
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorize.searchParams.get('code_challenge'), 'PKCE');
  assert.ok(authorize.searchParams.get('state') && authorize.searchParams.get('nonce'));
  assert.equal(authorize.searchParams.get('redirect_uri'), CALLBACK);
  assert.ok(jar.get(h.baseUrl, 'klaxon_oidc'), 'the sign-in cookie is set');
  const callback = await signInThrough(jar, location, subject, PUBLIC_URL);
  return { jar, callback: inKlaxon(callback) };
}

/** Returns the session GET /auth/session sees with the browser's Klaxon cookies. */
async function sessionOf(jar: CookieJar) {
  const cookie = jar.get(h.baseUrl, 'klaxon_session');
  assert.ok(cookie, 'a session cookie');
  const res = await h.request('GET', '/auth/session', undefined, {
    key: null,
    headers: { cookie: `klaxon_session=${cookie}` },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/** Signs in as `subject` all the way; returns the browser and where the callback sent it. */
async function signIn(subject: string, returnTo?: string) {
  const { jar, callback } = await toCallback(subject, returnTo);
  const res = await jar.fetch(callback);
  assert.equal(res.status, 302, await res.text());
  assert.equal(jar.get(h.baseUrl, 'klaxon_oidc'), undefined, 'the sign-in cookie is cleared');
  return { jar, location: res.headers.get('location'), session: await sessionOf(jar) };
}

/** Returns the error a JSON refusal carries. */
async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

const identitiesOf = async (userId: string) =>
  (await h.db.pool.query('select issuer, subject from user_identities where user_id = $1', [userId])).rows;

describe('GET /auth/providers', () => {
  it('offers the provider by its display name, without a key', async () => {
    const res = await h.request('GET', '/auth/providers', undefined, { key: null });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      password: true,
      oidc: { name: 'Example SSO', login_url: '/auth/oidc/login' },
    });
  });
});

describe('signing in through the provider', () => {
  it('creates a new user from the claims, with the highest role their groups map to, and lands on /console', async () => {
    const { location, session } = await signIn('ada');
    assert.equal(location, '/console');
    assert.equal(session.kind, 'session');
    assert.equal(session.role, 'admin', 'oncall-admins outranks oncall');
    assert.deepEqual(
      [session.user.name, session.user.login, session.user.role],
      ['Ada', 'ada@example.com', 'admin'],
    );
    assert.deepEqual(await identitiesOf(session.user.id), [{ issuer: op.issuer, subject: 'ada' }]);
    const method = await h.db.pool.query('select distinct method from sessions where user_id = $1', [
      session.user.id,
    ]);
    assert.deepEqual(method.rows, [{ method: 'oidc' }]);
  });

  it('finds the same user by identity the next time, and sets the role from the claim again', async () => {
    const first = (await signIn('vic')).session;
    assert.equal(first.role, 'viewer');
    op.accounts.set('vic', { ...op.accounts.get('vic'), groups: ['readers', 'oncall'] });
    const second = (await signIn('vic')).session;
    assert.equal(second.user.id, first.user.id);
    assert.equal(second.role, 'responder', 'promoted at the provider, promoted here');
    const users = await h.db.pool.query(
      "select count(*)::int as n from users where lower(login) = 'vic@example.com'",
    );
    assert.equal(users.rows[0].n, 1);
  });

  it('links an existing user whose login is the verified email, whatever its case', async () => {
    const existing = await insertUser(h.db.pool, {
      name: 'Lin Existing',
      timeZone: 'UTC',
      login: 'lin@example.com',
      role: 'viewer',
    });
    op.accounts.set('lin-sub', {
      email: 'Lin@Example.com',
      email_verified: true,
      name: 'Lin',
      groups: ['oncall'],
    });
    const { session } = await signIn('lin-sub');
    assert.equal(session.user.id, existing.id);
    assert.equal(session.user.name, 'Lin Existing', 'an existing user keeps their name');
    assert.equal(session.role, 'responder');
    assert.deepEqual(await identitiesOf(existing.id), [{ issuer: op.issuer, subject: 'lin-sub' }]);
  });

  it('does not link by an email the provider has not verified: that is a new user, without a login', async () => {
    const existing = await insertUser(h.db.pool, {
      name: 'Mo',
      timeZone: 'UTC',
      login: 'mo@example.com',
      role: 'admin',
    });
    op.accounts.set('mo-impostor', {
      email: 'mo@example.com',
      email_verified: false,
      name: 'Not Mo',
      groups: ['readers'],
    });
    const { session } = await signIn('mo-impostor');
    assert.notEqual(session.user.id, existing.id);
    assert.deepEqual([session.user.name, session.user.login, session.role], ['Not Mo', null, 'viewer']);
    assert.deepEqual(await identitiesOf(existing.id), []);
  });

  it('goes back to return_to under /console, and ignores one anywhere else', async () => {
    assert.equal((await signIn('vic', '/console/alerts?state=new')).location, '/console/alerts?state=new');
    for (const elsewhere of [
      'https://evil.example/console',
      '//evil.example/console',
      '/api-keys',
      '/console/../api-keys',
    ])
      assert.equal((await signIn('vic', elsewhere)).location, '/console', elsewhere);
  });
});

describe('refusing', () => {
  it('a person whose groups map to no role: 403 naming the claim, no user, no session', async () => {
    const { jar, callback } = await toCallback('fin');
    const res = await jar.fetch(callback);
    assert.equal(res.status, 403);
    const error = await errorOf(res);
    assert.equal(error.code, 'oidc_no_role');
    assert.match(error.message, /none of your groups \(finance\) maps to a Klaxon role/);
    assert.equal(jar.get(h.baseUrl, 'klaxon_session'), undefined);
    const users = await h.db.pool.query(
      "select count(*)::int as n from users where login = 'fin@example.com'",
    );
    assert.equal(users.rows[0].n, 0);
  });

  it('a browser: the same refusal as a short page', async () => {
    const { jar, callback } = await toCallback('fin');
    const res = await jar.fetch(callback, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    assert.equal(res.status, 403);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await res.text(), /Sign-in failed[\s\S]*maps to a Klaxon role/);
  });

  it('a callback without the sign-in cookie: 400', async () => {
    const { callback } = await toCallback('ada');
    const res = await new CookieJar().fetch(callback);
    assert.equal(res.status, 400);
    assert.equal((await errorOf(res)).code, 'oidc_state');
  });

  it('a callback whose state was tampered with: 400, and the sign-in is used up', async () => {
    const { jar, callback } = await toCallback('ada');
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`);
    const res = await jar.fetch(tampered.href);
    assert.equal(res.status, 400);
    const error = await errorOf(res);
    assert.equal(error.code, 'oidc_state');
    assert.match(error.message, /not for the sign-in under way/);
    assert.equal(jar.get(h.baseUrl, 'klaxon_session'), undefined);
  });

  it('a sign-in cookie Klaxon never gave out: 400', async () => {
    const { jar, callback } = await toCallback('ada');
    jar.set(h.baseUrl, 'klaxon_oidc', 'made-up-value');
    const res = await jar.fetch(callback);
    assert.equal(res.status, 400);
    assert.equal((await errorOf(res)).code, 'oidc_state');
  });

  it('the same callback twice: the second is 400 (state is one-time)', async () => {
    const { jar, callback } = await toCallback('ada');
    const cookie = jar.get(h.baseUrl, 'klaxon_oidc');
    assert.equal((await jar.fetch(callback)).status, 302);
    jar.set(h.baseUrl, 'klaxon_oidc', cookie);
    const again = await jar.fetch(callback);
    assert.equal(again.status, 400);
    assert.equal((await errorOf(again)).code, 'oidc_state');
  });

  it('an expired sign-in: 400', async () => {
    const { jar, callback } = await toCallback('ada');
    await h.db.pool.query("update oidc_sign_ins set expires_at = now() - interval '1 second'");
    const res = await jar.fetch(callback);
    assert.equal(res.status, 400);
    assert.match((await errorOf(res)).message, /expired/);
  });

  it("the provider's error answer: 401 with what it said", async () => {
    const { jar, callback } = await toCallback('ada');
    const denied = new URL(callback);
    denied.searchParams.delete('code');
    denied.searchParams.set('error', 'access_denied');
    denied.searchParams.set('error_description', 'End-User aborted interaction');
    const res = await jar.fetch(denied.href);
    assert.equal(res.status, 401);
    const error = await errorOf(res);
    assert.equal(error.code, 'oidc_refused');
    assert.match(error.message, /access_denied: End-User aborted interaction/);
  });

  it('a code the provider does not know: 401, the exchange failed', async () => {
    const { jar, callback } = await toCallback('ada');
    const forged = new URL(callback);
    forged.searchParams.set('code', 'not-a-code-it-gave');
    const res = await jar.fetch(forged.href);
    assert.equal(res.status, 401);
    assert.equal((await errorOf(res)).code, 'oidc_failed');
  });
});

describe('single sign-on unconfigured or unreachable', () => {
  let silent: Server | undefined;
  let app: Server | undefined;
  after(async () => {
    silent?.closeAllConnections();
    await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
  });

  it('without OIDC settings: no provider offered, and the routes say it is off', async () => {
    const plain = await listen(
      createApp({
        pool: h.db.pool,
        temporal: h.env.client,
        taskQueue: h.taskQueue,
        log: createLogger('silent'),
      }),
      0,
    );
    try {
      const base = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
      assert.deepEqual(await (await fetch(`${base}/auth/providers`)).json(), { password: true, oidc: null });
      const login = await fetch(`${base}/auth/oidc/login`, { redirect: 'manual' });
      assert.equal(login.status, 404);
      assert.equal((await errorOf(login)).code, 'oidc_off');
    } finally {
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });

  it('a provider that never answers: 502 once the deadline passes, and nothing stored', async () => {
    // Accepts connections and says nothing: what a provider behind a dead proxy looks like.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const settings = {
      issuer,
      clientId: 'x',
      clientSecret: 'y',
      scopes: 'openid',
      roleMap,
      displayName: 'Down',
      redirectUri: CALLBACK,
      timeoutMs: 300,
    };
    app = await listen(
      createApp({
        pool: h.db.pool,
        temporal: h.env.client,
        taskQueue: h.taskQueue,
        log: createLogger('silent'),
        oidc: settings,
      }),
      0,
    );
    const before = (await h.db.pool.query('select count(*)::int as n from oidc_sign_ins')).rows[0].n;
    const res = await fetch(`http://127.0.0.1:${(app.address() as AddressInfo).port}/auth/oidc/login`, {
      redirect: 'manual',
    });
    assert.equal(res.status, 502);
    const error = await errorOf(res);
    assert.equal(error.code, 'provider_unavailable');
    assert.match(error.message, /could not be reached in time: discovery at http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(res.headers.get('set-cookie'), null, 'no sign-in cookie');
    assert.equal((await h.db.pool.query('select count(*)::int as n from oidc_sign_ins')).rows[0].n, before);
  });
});
