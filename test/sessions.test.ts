// Console sign-in through the API: a password gives an HTTP-only SameSite cookie backed by Postgres, the
// session acts with its user's role through the same access table as API keys, state-changing requests
// need the session's CSRF token, sessions end at sign-out, idle, absolute expiry and password changes,
// failed sign-ins are throttled, and a first start hands out a one-time link that sets up the first admin.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstStart } from '../api/app-config';
import { loadConfig } from '../runtime/config';
import { startHarness, type ApiResponse, type Harness } from './helpers/harness';

interface Signed {
  cookie: string;
  csrf: string;
  res: ApiResponse;
}

/** Returns the klaxon_session cookie a response set, as a Cookie header sends it back. */
function sessionCookieOf(res: ApiResponse): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('klaxon_session='));
  assert.ok(set, `a session cookie is set: ${res.headers.getSetCookie().join(' | ')}`);
  return set.split(';')[0]!;
}

async function signIn(h: Harness, login: string, password: string): Promise<Signed> {
  const res = await h.request('POST', '/auth/login', { login, password }, { key: null });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { cookie: sessionCookieOf(res), csrf: res.body.csrf_token, res };
}

/** A request as the console makes it: the cookie, and the CSRF token unless told otherwise. */
function asSession(
  h: Harness,
  s: Signed,
  method: string,
  path: string,
  body?: unknown,
  csrf: string | null = s.csrf,
) {
  return h.request(method, path, body, {
    key: null,
    headers: { cookie: s.cookie, ...(csrf === null ? {} : { 'x-csrf-token': csrf }) },
  });
}

async function createUser(
  h: Harness,
  login: string,
  role: string,
  password = 'a long enough password',
): Promise<string> {
  const res = await h.request('POST', '/users', { name: login.split('@')[0], login, role, password });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.has_password, true);
  return res.body.id;
}

describe('sessions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('signs in with a password: an HTTP-only SameSite cookie, stored only as a digest, and the CSRF token', async () => {
    await createUser(h, 'ada@example.com', 'responder');
    const wrong = await h.request(
      'POST',
      '/auth/login',
      { login: 'ada@example.com', password: 'not the password' },
      { key: null },
    );
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.message, 'unknown login or wrong password');
    const unknown = await h.request(
      'POST',
      '/auth/login',
      { login: 'nobody@example.com', password: 'whatever it is' },
      { key: null },
    );
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error.message, wrong.body.error.message, 'an unknown login is not told apart');

    // Any case of the login signs in.
    const s = await signIn(h, 'ADA@example.com', 'a long enough password');
    const set = s.res.headers.getSetCookie().find((c) => c.startsWith('klaxon_session='))!;
    assert.match(set, /; HttpOnly/);
    assert.match(set, /; SameSite=Lax/);
    assert.match(set, /; Path=\//);
    assert.match(set, /; Max-Age=2592000/, 'the absolute limit, 30 days by default');
    assert.doesNotMatch(set, /; Secure/, 'plain HTTP without an https PUBLIC_URL');
    assert.equal(s.res.headers.get('cache-control'), 'no-store');
    assert.equal(s.res.body.kind, 'session');
    assert.equal(s.res.body.role, 'responder');
    assert.equal(s.res.body.user.login, 'ada@example.com');
    assert.match(s.csrf, /^[A-Za-z0-9_-]{43}$/);

    const token = decodeURIComponent(s.cookie.split('=')[1]!);
    const stored = await h.db.pool.query<{ token_hash: string }>('select token_hash from sessions');
    assert.ok(stored.rows.length > 0);
    assert.ok(
      stored.rows.every((r) => r.token_hash !== token && !r.token_hash.includes(token)),
      'the token itself is never stored',
    );

    const me = await asSession(h, s, 'GET', '/auth/session');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.login, 'ada@example.com');
    assert.equal(me.body.csrf_token, s.csrf);
    assert.equal(me.body.idle_timeout_seconds, 72 * 3600);
  });

  it("acts with the user's role through the access table; state-changing requests need the CSRF token", async () => {
    await createUser(h, 'vic@example.com', 'viewer');
    const viewer = await signIn(h, 'vic@example.com', 'a long enough password');
    assert.equal((await asSession(h, viewer, 'GET', '/alerts')).status, 200);
    const trigger = {
      summary: 'Console test',
      severity: 'low',
      service: 'console',
      source: 'test',
      dedup_key: 'c1',
    };
    const refused = await asSession(h, viewer, 'POST', '/alerts', trigger);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.message, 'this route needs the responder role; you are a viewer');

    await createUser(h, 'rex@example.com', 'responder');
    const responder = await signIn(h, 'rex@example.com', 'a long enough password');
    const noCsrf = await asSession(h, responder, 'POST', '/alerts', trigger, null);
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.body.error.code, 'csrf');
    const badCsrf = await asSession(h, responder, 'POST', '/alerts', trigger, viewer.csrf);
    assert.equal(badCsrf.body.error.code, 'csrf', "another session's token is no good");
    assert.equal(
      (await h.db.pool.query("select 1 from alerts where dedup_key = 'c1'")).rowCount,
      0,
      'nothing was triggered',
    );

    const created = await asSession(h, responder, 'POST', '/alerts', trigger);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ack = await asSession(h, responder, 'POST', `/alerts/${created.body.id}/acknowledge`, {
      actor: 'someone else',
    });
    assert.equal(ack.status, 200);
    const audit = await h.db.pool.query<{ actor: string }>(
      "select actor from alert_audit where alert_id = $1 and to_state = 'acknowledged'",
      [created.body.id],
    );
    assert.deepEqual(
      audit.rows.map((r) => r.actor),
      ['user:rex'],
      'the signed-in person is the actor, whatever the body claims',
    );
    assert.equal(
      (await asSession(h, responder, 'POST', '/api-keys', { name: 'mine', role: 'viewer' })).status,
      403,
    );

    // Without a cookie or a key, nothing.
    const anonymous = await h.request('GET', '/alerts', undefined, { key: null });
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.body.error.message, /or sign in/);
    const forged = await h.request('GET', '/alerts', undefined, {
      key: null,
      headers: { cookie: 'klaxon_session=forged' },
    });
    assert.equal(forged.status, 401);
    assert.match(forged.body.error.message, /the session has ended/);
  });

  it('a role change applies to a live session at once', async () => {
    const id = await createUser(h, 'rolf@example.com', 'admin');
    const s = await signIn(h, 'rolf@example.com', 'a long enough password');
    assert.equal((await asSession(h, s, 'GET', '/api-keys')).status, 200);
    assert.equal((await h.request('PATCH', `/users/${id}`, { role: 'viewer' })).body.role, 'viewer');
    assert.equal((await asSession(h, s, 'GET', '/api-keys')).status, 403);
  });

  it('sign-out ends the session and clears the cookie; an API key has no session to end', async () => {
    await createUser(h, 'sol@example.com', 'responder');
    const s = await signIn(h, 'sol@example.com', 'a long enough password');
    assert.equal(
      (await asSession(h, s, 'POST', '/auth/logout', undefined, null)).status,
      403,
      'signing out needs the CSRF token too',
    );
    const out = await asSession(h, s, 'POST', '/auth/logout');
    assert.equal(out.status, 204);
    assert.match(out.headers.getSetCookie().join(), /klaxon_session=; Max-Age=0/);
    assert.equal((await asSession(h, s, 'GET', '/auth/session')).status, 401);
    const keyed = await h.request('POST', '/auth/logout');
    assert.equal(keyed.status, 400);
    assert.equal(keyed.body.error.code, 'not_a_session');
    const keySession = await h.request('GET', '/auth/session');
    assert.equal(keySession.body.kind, 'api-key');
    assert.equal(keySession.body.csrf_token, null);
  });

  it('ends a session idle past SESSION_IDLE_HOURS or past its absolute expiry', async () => {
    await createUser(h, 'ida@example.com', 'viewer');
    const idle = await signIn(h, 'ida@example.com', 'a long enough password');
    const old = await signIn(h, 'ida@example.com', 'a long enough password');
    const fresh = await signIn(h, 'ida@example.com', 'a long enough password');
    const digest = (s: Signed) =>
      h.db.pool
        .query("select encode(sha256(convert_to($1, 'UTF8')), 'hex') as d", [
          decodeURIComponent(s.cookie.split('=')[1]!),
        ])
        .then((r) => r.rows[0].d as string);
    await h.db.pool.query(
      `update sessions set last_seen_at = now() - interval '73 hours' where token_hash = $1`,
      [await digest(idle)],
    );
    await h.db.pool.query(
      `update sessions set expires_at = now() - interval '1 second' where token_hash = $1`,
      [await digest(old)],
    );
    assert.equal((await asSession(h, idle, 'GET', '/alerts')).status, 401);
    assert.equal((await asSession(h, old, 'GET', '/alerts')).status, 401);
    assert.equal((await asSession(h, fresh, 'GET', '/alerts')).status, 200);
    // Being used keeps a session alive: the request moved last_seen_at.
    const seen = await h.db.pool.query<{ age: number }>(
      'select extract(epoch from now() - last_seen_at) as age from sessions where token_hash = $1',
      [await digest(fresh)],
    );
    assert.ok(Number(seen.rows[0]!.age) < 5);
  });

  it('changing my password needs the current one and ends my other sessions; an admin reset ends them all', async () => {
    const id = await createUser(h, 'pat@example.com', 'responder');
    const here = await signIn(h, 'pat@example.com', 'a long enough password');
    const elsewhere = await signIn(h, 'pat@example.com', 'a long enough password');
    const wrong = await asSession(h, here, 'PUT', '/auth/password', {
      current_password: 'not it at all',
      new_password: 'a brand new passphrase',
    });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.error.code, 'wrong_password');
    const short = await asSession(h, here, 'PUT', '/auth/password', {
      current_password: 'a long enough password',
      new_password: 'short',
    });
    assert.equal(short.status, 400);
    assert.match(short.body.error.message, /new_password: at least 12 characters/);
    assert.equal(
      (
        await asSession(h, here, 'PUT', '/auth/password', {
          current_password: 'a long enough password',
          new_password: 'a brand new passphrase',
        })
      ).status,
      204,
    );
    assert.equal((await asSession(h, here, 'GET', '/auth/session')).status, 200, 'this session goes on');
    assert.equal((await asSession(h, elsewhere, 'GET', '/auth/session')).status, 401, 'the other one ended');
    assert.equal(
      (
        await h.request(
          'POST',
          '/auth/login',
          { login: 'pat@example.com', password: 'a long enough password' },
          { key: null },
        )
      ).status,
      401,
    );

    assert.equal(
      (await h.request('PUT', `/users/${id}/password`, { password: 'reset by the admin ok' })).status,
      204,
    );
    assert.equal(
      (await asSession(h, here, 'GET', '/auth/session')).status,
      401,
      'a reset signs everyone out',
    );
    await signIn(h, 'pat@example.com', 'reset by the admin ok');

    const noLogin = await h.request('POST', '/users', { name: 'No Login' });
    assert.equal(noLogin.body.login, null);
    const refused = await h.request('PUT', `/users/${noLogin.body.id}/password`, {
      password: 'reset by the admin ok',
    });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'no_login');
    const orphan = await h.request('POST', '/users', { name: 'Orphan', password: 'a long enough password' });
    assert.equal(orphan.status, 400);
    assert.match(orphan.body.error.message, /password: a password needs a login/);
    const taken = await h.request('POST', '/users', { name: 'Ada Again', login: 'Ada@Example.com' });
    assert.equal(taken.status, 409);
    assert.match(taken.body.error.message, /another user already signs in as/);
  });

  it('keeps my own profile: name, time zone and contact methods, never my role; an API key has no "me"', async () => {
    const id = await createUser(h, 'meg@example.com', 'viewer');
    const s = await signIn(h, 'meg@example.com', 'a long enough password');
    const changed = await asSession(h, s, 'PATCH', '/me', { name: 'Meg M', time_zone: 'Europe/Paris' });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual(
      [changed.body.id, changed.body.name, changed.body.time_zone, changed.body.role],
      [id, 'Meg M', 'Europe/Paris', 'viewer'],
    );
    const promote = await asSession(h, s, 'PATCH', '/me', { role: 'admin' });
    assert.equal(promote.status, 400, 'role is not mine to change');
    const added = await asSession(h, s, 'POST', '/me/contact-methods', {
      type: 'sms',
      address: '+14155550100',
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(
      (await asSession(h, s, 'POST', '/me/contact-methods', { type: 'sms', address: '+14155550100' })).status,
      409,
    );
    const internal = await asSession(h, s, 'POST', '/me/contact-methods', {
      type: 'webhook',
      address: 'http://169.254.169.254/latest',
    });
    assert.equal(internal.status, 400, 'the outbound rule holds for my own methods too');
    const other = await h.request('POST', '/users', {
      name: 'Other',
      contact_methods: [{ type: 'email', address: 'other@example.com' }],
    });
    const theirs = other.body.contact_methods[0].id;
    assert.equal(
      (await asSession(h, s, 'DELETE', `/me/contact-methods/${theirs}`)).status,
      404,
      "someone else's is not mine",
    );
    assert.equal((await h.request('GET', `/users/${other.body.id}`)).body.contact_methods.length, 1);
    assert.equal((await asSession(h, s, 'DELETE', `/me/contact-methods/${added.body.id}`)).status, 204);
    assert.equal((await h.request('GET', `/users/${id}`)).body.contact_methods.length, 0);
    const keyed = await h.request('PATCH', '/me', { name: 'Key' });
    assert.equal(keyed.status, 400);
    assert.equal(keyed.body.error.code, 'not_a_session');
  });

  it('a first start hands out a one-time link that sets up the first admin and signs them in', async () => {
    // Earlier tests made an admin user with a password: demote them all, so no admin can sign in.
    await h.db.pool.query("update users set role = 'responder' where role = 'admin'");
    const config = loadConfig({ PUBLIC_URL: 'https://klaxon.example.com' });
    const first = await firstStart(h.db.pool, config);
    const second = await firstStart(h.db.pool, config);
    assert.equal(first.adminKey, undefined, 'the harness made an API key already');
    assert.match(first.setupLink ?? '', /^https:\/\/klaxon\.example\.com\/console\/setup#[A-Za-z0-9_-]{43}$/);
    const stale = first.setupLink!.split('#')[1]!;
    const token = second.setupLink!.split('#')[1]!;
    const body = {
      name: 'First Admin',
      login: 'root@example.com',
      password: 'the first admin pass',
      token: stale,
    };
    assert.equal(
      (await h.request('POST', '/auth/setup', body, { key: null })).status,
      401,
      'a new start replaced the old link',
    );
    const made = await h.request('POST', '/auth/setup', { ...body, token }, { key: null });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.role, 'admin');
    const admin = { cookie: sessionCookieOf(made), csrf: made.body.csrf_token, res: made };
    assert.equal(
      (await asSession(h, admin, 'POST', '/api-keys', { name: 'from the console', role: 'viewer' })).status,
      201,
    );
    assert.equal(
      (await h.request('POST', '/auth/setup', { ...body, login: 'again@example.com', token }, { key: null }))
        .status,
      401,
      'it works once',
    );
    assert.deepEqual(await firstStart(h.db.pool, config), {}, 'an admin can sign in now: no more links');
  });
});

describe('failed sign-ins', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ inProcessWorker: false, authFailuresPerMinute: 3 });
  });
  after(async () => {
    await h?.close();
  });

  it('are throttled per address: past the limit even the right password waits, with Retry-After', async () => {
    await createUser(h, 'tim@example.com', 'viewer');
    for (let i = 0; i < 3; i++) {
      assert.equal(
        (
          await h.request(
            'POST',
            '/auth/login',
            { login: 'tim@example.com', password: `guess number ${i}` },
            { key: null },
          )
        ).status,
        401,
      );
    }
    const held = await h.request(
      'POST',
      '/auth/login',
      { login: 'tim@example.com', password: 'a long enough password' },
      { key: null },
    );
    assert.equal(held.status, 429);
    assert.equal(held.body.error.code, 'auth_throttled');
    assert.ok(Number(held.headers.get('retry-after')) > 0);
    assert.equal(held.headers.getSetCookie().length, 0, 'no session');
  });
});

describe('a live session on an address over its failure limit', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ inProcessWorker: false, authFailuresPerMinute: 3 });
  });
  after(async () => {
    await h?.close();
  });

  it('keeps working, like a known key, until it ends: then it is refused and the address held', async () => {
    await createUser(h, 'una@example.com', 'viewer');
    const s = await signIn(h, 'una@example.com', 'a long enough password');
    assert.equal((await asSession(h, s, 'GET', '/auth/session')).status, 200, 'confirmed live once');
    for (let i = 0; i < 3; i++) {
      const guess = await h.request(
        'POST',
        '/auth/login',
        { login: 'una@example.com', password: `guess ${i}` },
        { key: null },
      );
      assert.equal(guess.status, 401);
    }
    const stranger = await h.request('GET', '/alerts', undefined, {
      key: null,
      headers: { cookie: 'klaxon_session=forged' },
    });
    assert.equal(stranger.status, 429, 'an unknown cookie from this address waits');
    // A team behind one address keeps its console while someone there mistypes a password.
    assert.equal((await asSession(h, s, 'GET', '/alerts')).status, 200);
    assert.equal((await asSession(h, s, 'POST', '/auth/logout')).status, 204);
    const ended = await asSession(h, s, 'GET', '/alerts');
    assert.equal(ended.status, 401, 'a session that ended is refused at once, not served from memory');
    assert.equal((await asSession(h, s, 'GET', '/alerts')).status, 429, 'and then counts like any guess');
  });
});
