// "Send a test page": a person tests their own contact method (/me), an admin anyone's, the page goes out
// from the worker like any page and is recorded, the answer says whether it was sent or why not, a
// repeated request sends nothing new, and with no worker the test is queued, not lost.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startHarness, type Harness } from './helpers/harness';
import { startTogether } from './helpers/start-together';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver';

let h: Harness;
let receiver: WebhookReceiver;
before(async () => {
  [h, receiver] = await startTogether(startHarness({ actionDeadlineMs: 3_000 }), startWebhookReceiver());
});
after(async () => {
  await receiver?.close();
  await h?.close();
});

/** Creates a user with a password and one webhook contact method at `path`; returns their ids and a session. */
async function userWithWebhook(login: string, path: string, role = 'viewer') {
  const res = await h.request('POST', '/users', {
    name: login.split('@')[0],
    login,
    role,
    password: 'a long enough password',
    contact_methods: [{ type: 'webhook', address: `${receiver.url}${path}` }],
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const signed = await h.request(
    'POST',
    '/auth/login',
    { login, password: 'a long enough password' },
    { key: null },
  );
  const cookie = signed.headers.getSetCookie()[0]!.split(';')[0]!;
  const session = { cookie, 'x-csrf-token': signed.body.csrf_token as string };
  return { id: res.body.id as string, methodId: res.body.contact_methods[0].id as string, session };
}

const at = (path: string) => receiver.requests.filter((r) => r.path === path);

it('tests my own contact method: sent from the worker, recorded as a test, the outcome answered', async () => {
  const me = await userWithWebhook('tess@example.com', '/tess');
  const res = await h.request('POST', `/me/contact-methods/${me.methodId}/test`, undefined, {
    key: null,
    headers: me.session,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body, { status: 'sent', provider_id: null, error: null });
  const [page] = at('/tess');
  assert.ok(page, 'the receiver got the test page');
  const body = page.json as { event: string; test: { userName: string; requestedBy: string } };
  assert.equal(body.event, 'test');
  assert.equal(body.test.userName, 'tess');
  assert.equal(body.test.requestedBy, 'user:tess');
  const { rows } = await h.db.pool.query<{ kind: string; status: string; alert_id: string | null }>(
    'select kind, status, alert_id from notifications where user_id = $1',
    [me.id],
  );
  assert.deepEqual(rows, [{ kind: 'test', status: 'sent', alert_id: null }]);
});

it('a repeated request with the same Idempotency-Key sends nothing new', async () => {
  const me = await userWithWebhook('ria@example.com', '/ria');
  const headers = { ...me.session, 'idempotency-key': 'test-1' };
  const path = `/me/contact-methods/${me.methodId}/test`;
  assert.equal((await h.request('POST', path, undefined, { key: null, headers })).body.status, 'sent');
  assert.equal((await h.request('POST', path, undefined, { key: null, headers })).body.status, 'sent');
  assert.equal(at('/ria').length, 1);
  assert.equal(
    (
      await h.request('POST', path, undefined, {
        key: null,
        headers: { ...headers, 'idempotency-key': 'test-2' },
      })
    ).body.status,
    'sent',
  );
  assert.equal(at('/ria').length, 2, 'a new key is a new test');
});

it("someone else's contact method needs the admin role; /me is only ever mine", async () => {
  const owner = await userWithWebhook('owen@example.com', '/owen');
  const other = await userWithWebhook('otto@example.com', '/otto', 'responder');
  const path = `/users/${owner.id}/contact-methods/${owner.methodId}/test`;
  const refused = await h.request('POST', path, undefined, { key: null, headers: other.session });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.message, 'this route needs the admin role; you are a responder');
  const notMine = await h.request('POST', `/me/contact-methods/${owner.methodId}/test`, undefined, {
    key: null,
    headers: other.session,
  });
  assert.equal(notMine.status, 404);
  assert.equal(at('/owen').length, 0);
  const keyed = await h.request('POST', `/me/contact-methods/${owner.methodId}/test`);
  assert.equal(keyed.status, 400);
  assert.equal(keyed.body.error.code, 'not_a_session');
  const byAdmin = await h.request('POST', path);
  assert.equal(byAdmin.body.status, 'sent');
  assert.equal(
    (at('/owen')[0]!.json as { test: { requestedBy: string } }).test.requestedBy,
    'key:test-admin',
  );
  const missing = await h.request('POST', `/users/${owner.id}/contact-methods/${other.methodId}/test`);
  assert.equal(missing.status, 404, 'a method is found only under its own user');
});

it('says why a test page failed', async () => {
  receiver.respondWith('/gone', 410);
  const me = await userWithWebhook('gail@example.com', '/gone');
  const res = await h.request('POST', `/me/contact-methods/${me.methodId}/test`, undefined, {
    key: null,
    headers: me.session,
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.status, 'failed');
  assert.match(res.body.error, /410/);
  assert.doesNotMatch(res.body.error, /"status"/, "never the receiver's answer body");
});

it('with no worker the test page is queued (202), and goes out once one runs', async () => {
  const me = await userWithWebhook('quinn@example.com', '/quinn');
  await h.stopWorker();
  try {
    const res = await h.request('POST', `/me/contact-methods/${me.methodId}/test`, undefined, {
      key: null,
      headers: me.session,
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.match(res.body.workflow_id, /^test-page:/);
    assert.equal(at('/quinn').length, 0);
  } finally {
    await h.startWorker();
  }
  for (let i = 0; i < 100 && at('/quinn').length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(at('/quinn').length, 1, 'sent once a worker ran it');
});
