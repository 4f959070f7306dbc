// The last default escalation policy stays: deleting it, or unsetting its is_default, is refused with 409;
// the default moves only by making another policy the default, and concurrent changes cannot leave none.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startHarness, type Harness } from './helpers/harness';
import { waitFor } from './helpers/world';

let h: Harness;
before(async () => {
  h = await startHarness({ inProcessWorker: false });
});
after(async () => {
  await h?.close();
});

let seq = 0;
const body = (over: Record<string, unknown> = {}) => ({
  name: `p-${++seq}`,
  tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: 'https://hooks.example.com/x' }] }],
  ...over,
});
const create = async (over: Record<string, unknown> = {}) => {
  const res = await h.request('POST', '/escalation-policies', body(over));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; name: string };
};
const defaults = async () =>
  ((await h.request('GET', '/escalation-policies')).body.policies as { id: string; is_default: boolean }[])
    .filter((p) => p.is_default)
    .map((p) => p.id);
const clearAll = () => h.db.pool.query('delete from escalation_policies');

it('refuses deleting the default policy with 409 saying why, and deletes it once another is the default', async () => {
  await clearAll();
  const a = await create({ is_default: true });
  const b = await create();
  const refused = await h.request('DELETE', `/escalation-policies/${a.id}`);
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'last_default_policy');
  assert.equal(refused.body.error.policy_id, a.id);
  assert.equal(refused.body.error.field, 'params.id');
  assert.match(
    refused.body.error.message,
    /is the default: alerts no rule matches go to it\. Make another policy the default/,
  );
  assert.deepEqual(await defaults(), [a.id], 'still there, still the default');

  assert.equal(
    (await h.request('DELETE', `/escalation-policies/${b.id}`)).status,
    204,
    'a policy that is not the default goes',
  );
  const c = await create();
  assert.equal(
    (await h.request('PUT', `/escalation-policies/${c.id}`, body({ name: c.name, is_default: true }))).status,
    200,
  );
  assert.deepEqual(await defaults(), [c.id]);
  assert.equal(
    (await h.request('DELETE', `/escalation-policies/${a.id}`)).status,
    204,
    'no longer the default',
  );
});

it('refuses unsetting is_default on the default with 409 naming the field, and changes nothing', async () => {
  await clearAll();
  const a = await create({ is_default: true });
  const refused = await h.request(
    'PUT',
    `/escalation-policies/${a.id}`,
    body({ name: 'renamed', is_default: false }),
  );
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'last_default_policy');
  assert.equal(refused.body.error.field, 'body.is_default');
  assert.match(
    refused.body.error.message,
    /no other is: unsetting is_default would leave alerts no rule matches paging nobody/,
  );
  const stored = await h.request('GET', `/escalation-policies/${a.id}`);
  assert.equal(stored.body.name, a.name, 'nothing written');
  assert.equal(stored.body.is_default, true);
  // Editing the default while keeping it the default is fine.
  assert.equal(
    (await h.request('PUT', `/escalation-policies/${a.id}`, body({ name: 'renamed', is_default: true })))
      .status,
    200,
  );
});

it('without any default yet, policies come and go as before', async () => {
  await clearAll();
  const a = await create();
  assert.equal(
    (await h.request('PUT', `/escalation-policies/${a.id}`, body({ name: a.name, is_default: false })))
      .status,
    200,
  );
  assert.equal((await h.request('DELETE', `/escalation-policies/${a.id}`)).status, 204);
});

it('a delete racing the move of the default to the same policy cannot leave no default', async () => {
  await clearAll();
  const a = await create({ is_default: true });
  const b = await create();
  // Hold B's row so the move of the default to B stops half-way, inside its transaction; the delete of B
  // then arrives while B is not yet the default as any other transaction sees it.
  const blocker = await h.db.pool.connect();
  try {
    await blocker.query('begin');
    await blocker.query('select 1 from escalation_policies where id = $1 for update', [b.id]);
    const waiting = async () =>
      (
        await h.db.pool.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        )
      ).rows[0]!.n;
    const move = h.request('PUT', `/escalation-policies/${b.id}`, body({ name: b.name, is_default: true }));
    await waitFor('the move waits on the held row', async () => (await waiting()) === 1);
    const del = h.request('DELETE', `/escalation-policies/${b.id}`);
    await waitFor('the delete waits too', async () => (await waiting()) === 2);
    await blocker.query('commit');
    const [moved, deleted] = await Promise.all([move, del]);
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(deleted.status, 409, `the delete saw B as the default: ${JSON.stringify(deleted.body)}`);
    assert.equal(deleted.body.error.code, 'last_default_policy');
  } finally {
    await blocker.query('rollback').catch(() => {});
    blocker.release();
  }
  assert.deepEqual(await defaults(), [b.id]);
  assert.ok(a.id);
});

it('two concurrent deletes of the two policies leave the default', async () => {
  await clearAll();
  const a = await create({ is_default: true });
  const b = await create();
  const results = await Promise.all([a, b].map((p) => h.request('DELETE', `/escalation-policies/${p.id}`)));
  assert.deepEqual(
    results.map((r) => r.status),
    [409, 204],
  );
  assert.deepEqual(await defaults(), [a.id]);
});
