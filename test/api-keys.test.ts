// Key management through the API: an admin creates a key (shown once), lists keys (never a secret or a
// digest), revokes one (401 from then on); the last admin key cannot be revoked.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createApiKey } from '../store/api-keys';
import { startHarness, type Harness } from './helpers/harness';

let h: Harness;
before(async () => {
  h = await startHarness({ inProcessWorker: false });
});
after(async () => {
  await h?.close();
});

it('creates a key with a role, shows it once, and the key works with that role', async () => {
  const res = await h.request('POST', '/api-keys', { name: 'grafana', role: 'viewer' });
  assert.equal(res.status, 201);
  assert.match(res.body.key, /^kx_[A-Za-z0-9_-]{43}$/);
  assert.equal(res.headers.get('location'), `/api-keys/${res.body.id}`);
  assert.deepEqual(Object.keys(res.body).sort(), ['created_at', 'id', 'key', 'last_used_at', 'name', 'prefix', 'revoked_at', 'role', 'user_id']);
  assert.equal(res.body.role, 'viewer');
  assert.equal(res.body.prefix, res.body.key.slice(0, 7));
  assert.equal((await h.request('GET', '/alerts', undefined, { key: res.body.key })).status, 200);
  const refused = await h.request('POST', '/api-keys', { name: 'x', role: 'admin' }, { key: res.body.key });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.message, 'this route needs the admin role; this key is a viewer');
});

it('lists keys without their secrets or digests, with when each was last used', async () => {
  const { body: created } = await h.request('POST', '/api-keys', { name: 'lister', role: 'responder' });
  await h.request('GET', '/alerts', undefined, { key: created.key });
  const res = await h.request('GET', '/api-keys');
  assert.equal(res.status, 200);
  const text = JSON.stringify(res.body);
  assert.ok(!text.includes(created.key), 'the key itself');
  const { rows } = await h.db.pool.query<{ key_hash: string }>('select key_hash from api_keys');
  for (const r of rows) assert.ok(!text.includes(r.key_hash), 'a digest');
  for (const k of res.body.api_keys) assert.deepEqual(Object.keys(k).sort(), ['created_at', 'id', 'last_used_at', 'name', 'prefix', 'revoked_at', 'role', 'user_id']);
  const listed = res.body.api_keys.find((k: { id: string }) => k.id === created.id);
  assert.equal(listed.name, 'lister');
  assert.ok(listed.last_used_at, 'last_used_at is set once the key is used');
});

it('revokes a key: revoked_at is set and the key is refused with 401 from then on', async () => {
  const { body: created } = await h.request('POST', '/api-keys', { name: 'temp', role: 'responder' });
  assert.equal((await h.request('GET', '/alerts', undefined, { key: created.key })).status, 200);
  const res = await h.request('DELETE', `/api-keys/${created.id}`);
  assert.equal(res.status, 200);
  assert.ok(res.body.revoked_at);
  assert.equal(res.body.key, undefined);
  const after = await h.request('GET', '/alerts', undefined, { key: created.key });
  assert.equal(after.status, 401);
  assert.match(after.body.error.message, /invalid or revoked/);
  // Idempotent: revoking again answers the same revocation.
  const again = await h.request('DELETE', `/api-keys/${created.id}`);
  assert.equal(again.status, 200);
  assert.equal(again.body.revoked_at, res.body.revoked_at);
  const listed = (await h.request('GET', '/api-keys')).body.api_keys.find((k: { id: string }) => k.id === created.id);
  assert.equal(listed.revoked_at, res.body.revoked_at);
});

it('404s an unknown key and 400s a bad body', async () => {
  assert.equal((await h.request('DELETE', '/api-keys/00000000-0000-4000-8000-000000000000')).status, 404);
  assert.equal((await h.request('DELETE', '/api-keys/nope')).status, 400);
  const bad = await h.request('POST', '/api-keys', { name: 'x', role: 'owner' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.errors[0].field, 'body.role');
  assert.equal((await h.request('POST', '/api-keys', { role: 'viewer' })).status, 400);
});

it('refuses to revoke the last active admin key, and allows it once there is another', async () => {
  // Every admin key but the harness's goes first, so that it is the last one.
  const { rows } = await h.db.pool.query<{ id: string }>(`select id from api_keys where role = 'admin' and revoked_at is null and name <> 'test-admin'`);
  for (const r of rows) assert.equal((await h.request('DELETE', `/api-keys/${r.id}`)).status, 200);
  const self = (await h.request('GET', '/api-keys')).body.api_keys.find((k: { name: string }) => k.name === 'test-admin');
  const refused = await h.request('DELETE', `/api-keys/${self.id}`);
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'last_admin_key');
  const { key: other } = await createApiKey(h.db.pool, { name: 'second admin', role: 'admin' });
  const revoked = await h.request('DELETE', `/api-keys/${self.id}`, undefined, { key: other });
  assert.equal(revoked.status, 200);
  assert.equal((await h.request('GET', '/api-keys')).status, 401);
  assert.equal((await h.request('GET', '/api-keys', undefined, { key: other })).status, 200);
});

it("a person's own keys: at most their role, listed and revoked by them alone, capped when they are demoted, gone with them", async () => {
  // The test before revoked the harness's admin key.
  const { key: admin } = await createApiKey(h.db.pool, { name: 'people admin', role: 'admin' });
  const signIn = async (login: string, role: string) => {
    const user = await h.request('POST', '/users', { name: login, login, role, password: 'a long enough password' }, { key: admin });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const res = await h.request('POST', '/auth/login', { login, password: 'a long enough password' }, { key: null });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const headers = { cookie: res.headers.getSetCookie()[0]!.split(';')[0]!, 'x-csrf-token': res.body.csrf_token as string };
    return { id: user.body.id as string, as: (method: string, path: string, body?: unknown) => h.request(method, path, body, { key: null, headers }) };
  };
  const unknownAlert = '00000000-0000-4000-8000-000000000000';
  const rita = await signIn('rita', 'responder');
  const above = await rita.as('POST', '/me/api-keys', { name: 'too much', role: 'admin' });
  assert.equal(above.status, 403);
  assert.equal(above.body.error.code, 'role_above_yours');
  const made = await rita.as('POST', '/me/api-keys', { name: 'my script', role: 'responder' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.equal(made.body.user_id, rita.id);
  assert.equal((await h.request('POST', `/alerts/${unknownAlert}/acknowledge`, {}, { key: made.body.key })).status, 404, 'the key works with its role');
  assert.deepEqual((await rita.as('GET', '/me/api-keys')).body.api_keys.map((k: { id: string }) => k.id), [made.body.id]);
  const all = (await h.request('GET', '/api-keys', undefined, { key: admin })).body.api_keys;
  assert.equal(all.find((k: { id: string }) => k.id === made.body.id).user_id, rita.id, "an admin sees everyone's, with their owner");

  const vera = await signIn('vera', 'viewer');
  assert.equal((await vera.as('DELETE', `/me/api-keys/${made.body.id}`)).status, 404, "someone else's key is not mine to revoke");
  assert.deepEqual((await vera.as('GET', '/me/api-keys')).body.api_keys, []);
  assert.equal((await h.request('GET', '/me/api-keys', undefined, { key: admin })).body.error.code, 'not_a_session');

  // Demoted to viewer: the key can no longer acknowledge.
  assert.equal((await h.request('PATCH', `/users/${rita.id}`, { role: 'viewer' }, { key: admin })).status, 200);
  const capped = await h.request('POST', `/alerts/${unknownAlert}/acknowledge`, {}, { key: made.body.key });
  assert.equal(capped.status, 403);
  assert.equal(capped.body.error.key_role, 'viewer');

  const second = await rita.as('POST', '/me/api-keys', { name: 'second', role: 'viewer' });
  assert.notEqual((await rita.as('DELETE', `/me/api-keys/${second.body.id}`)).body.revoked_at, null);
  assert.equal((await h.request('GET', '/alerts', undefined, { key: second.body.key })).status, 401);

  assert.equal((await h.request('DELETE', `/users/${rita.id}`, undefined, { key: admin })).status, 204);
  assert.equal((await h.request('GET', '/alerts', undefined, { key: made.body.key })).status, 401, "a deleted user's keys go with them");
});
