// The dry-run of a draft: POST /escalation-policies/:id/simulate with a `policy` simulates that draft
// (checked as PUT checks its body, 400 naming the field under body.policy) and saves nothing; without
// one it simulates the saved policy. PUT keeps a webhook target's stored secret with keep_secret.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startHarness, type Harness } from './helpers/harness';

let h: Harness;
let alice: string;
let bob: string;
let policyId: string;
before(async () => {
  h = await startHarness({ inProcessWorker: false });
  const user = async (name: string) => {
    const res = await h.request('POST', '/users', {
      name,
      contact_methods: [{ type: 'email', address: `${name}@example.com` }],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return (res.body as { id: string }).id;
  };
  alice = await user('alice');
  bob = await user('bob');
  const created = await h.request('POST', '/escalation-policies', {
    name: 'draft target',
    tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: alice }] }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  policyId = (created.body as { id: string }).id;
});
after(async () => {
  await h?.close();
});

interface Sim {
  policy: { id: string; name: string };
  timeline: { kind: string; tier: number | null; user_id?: string | null; at: string }[];
}
const simulate = (extra: Record<string, unknown> = {}) =>
  h.request('POST', `/escalation-policies/${policyId}/simulate`, {
    severity: 'critical',
    service: 'checkout',
    horizon_hours: 1,
    ...extra,
  });
const pagedUsers = (sim: Sim) =>
  sim.timeline.filter((e) => e.kind === 'page' && e.tier !== null).map((e) => `t${e.tier} ${e.user_id}`);

it('simulates a draft with an extra tier, pages its target, and saves nothing', async () => {
  const draft = {
    name: 'draft target (edited)',
    tiers: [
      { delay_minutes: 0, targets: [{ type: 'user', id: alice }] },
      { delay_minutes: 10, targets: [{ type: 'user', id: bob }] },
    ],
  };
  const res = await simulate({ policy: draft });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const sim = res.body as Sim;
  assert.deepEqual(pagedUsers(sim), [`t0 ${alice}`, `t1 ${bob}`]);
  const second = sim.timeline.find((e) => e.kind === 'page' && e.tier === 1)!;
  assert.equal(Date.parse(second.at) - Date.parse((res.body as { start: string }).start), 10 * 60_000);
  assert.deepEqual(sim.policy, { id: policyId, name: 'draft target (edited)' });

  const saved = await h.request('GET', `/escalation-policies/${policyId}`);
  assert.equal((saved.body as { name: string }).name, 'draft target', 'the draft is not saved');
  assert.equal((saved.body as { tiers: unknown[] }).tiers.length, 1);
});

it('without a draft simulates the saved policy', async () => {
  const res = await simulate();
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(pagedUsers(res.body as Sim), [`t0 ${alice}`]);
  assert.equal((res.body as Sim).policy.name, 'draft target');
});

it('answers an invalid draft with a 400 naming the field under body.policy, as PUT would', async () => {
  const tiers = [
    { delay_minutes: 10, targets: [{ type: 'user', id: alice }] },
    { delay_minutes: 5, targets: [{ type: 'user', id: bob }] },
  ];
  const res = await simulate({ policy: { name: 'x', tiers } });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.error.code, 'invalid_request');
  assert.deepEqual(
    (res.body.error.errors as { field: string }[]).map((e) => e.field),
    ['body.policy.tiers.1.delay_minutes'],
  );
  const put = await h.request('PUT', `/escalation-policies/${policyId}`, { name: 'x', tiers });
  assert.equal(put.status, 400);
  assert.deepEqual(
    (put.body.error.errors as { field: string }[]).map((e) => e.field),
    ['body.tiers.1.delay_minutes'],
    'the same check, at the same place in its body',
  );

  const unknownUser = await simulate({
    policy: {
      name: 'x',
      tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: '00000000-0000-4000-8000-000000000000' }] }],
    },
  });
  assert.equal(unknownUser.status, 400);
  assert.match(unknownUser.body.error.message, /^body\.policy\.tiers\.0\.targets\.0\.id: no user/);

  const schemaError = await simulate({ policy: { name: '', tiers: [] } });
  assert.equal(schemaError.status, 400);
  assert.match(schemaError.body.error.message, /^body\.policy\.name: /);
});

it('keeps a webhook target’s stored secret on PUT with keep_secret, and drops it without', async () => {
  const url = 'https://hooks.example.com/page';
  const webhookPolicy = (target: Record<string, unknown>) => ({
    name: 'with a secret',
    tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url, ...target }] }],
  });
  const created = await h.request(
    'POST',
    '/escalation-policies',
    webhookPolicy({ secret: 'a secret of sixteen+' }),
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = (created.body as { id: string }).id;
  const secretIdOf = async () =>
    (
      await h.db.pool.query<{ tiers: { targets: { secretId?: string }[] }[] }>(
        'select tiers from escalation_policies where id = $1',
        [id],
      )
    ).rows[0]!.tiers[0]!.targets[0]!.secretId;
  const before = await secretIdOf();
  assert.ok(before);

  const kept = await h.request('PUT', `/escalation-policies/${id}`, webhookPolicy({ keep_secret: true }));
  assert.equal(kept.status, 200, JSON.stringify(kept.body));
  assert.deepEqual((kept.body as { tiers: { targets: unknown[] }[] }).tiers[0]!.targets[0], {
    type: 'webhook',
    url,
    has_secret: true,
  });
  assert.equal(await secretIdOf(), before, 'the same stored secret');

  const elsewhere = await h.request('PUT', `/escalation-policies/${id}`, {
    ...webhookPolicy({ keep_secret: true }),
    tiers: [
      {
        delay_minutes: 0,
        targets: [{ type: 'webhook', url: 'https://hooks.example.com/other', keep_secret: true }],
      },
    ],
  });
  assert.equal(elsewhere.status, 400);
  assert.match(
    elsewhere.body.error.message,
    /^body\.tiers\.0\.targets\.0\.keep_secret: this policy has no secret stored for/,
  );

  const dropped = await h.request('PUT', `/escalation-policies/${id}`, webhookPolicy({}));
  assert.equal(dropped.status, 200);
  assert.equal(
    (dropped.body as { tiers: { targets: { has_secret: boolean }[] }[] }).tiers[0]!.targets[0]!.has_secret,
    false,
  );
});
