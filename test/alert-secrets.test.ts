// A webhook target's secret signs its pages but is write-only: neither the alert's live view nor its
// notification log, as the API returns them, may show it, nor anything Temporal keeps.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { verifyWebhookSignature } from '../notifiers/webhook';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

it('never returns a webhook secret in GET /alerts/:id', async () => {
  const secret = 'whsec-0123456789-do-not-show';
  await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/signed`, secret }] }], is_default: true });
  const { id } = await w.trigger();
  await waitFor('page sent', async () => (await w.view(id)).notifications.some((n) => n.status === 'sent'));
  const res = await w.request('GET', `/alerts/${id}`);
  assert.equal(res.status, 200);
  assert.ok(!JSON.stringify(res.body).includes(secret), 'the secret is not in the answer');
  assert.deepEqual(res.body.notifications[0].target, { type: 'webhook', url: `${w.hooks.url}/signed`, has_secret: true });
  assert.deepEqual(res.body.live.notifications[0].target, { type: 'webhook', url: `${w.hooks.url}/signed`, has_secret: true });
  const stored = await w.db.pool.query('select target::text as t from notifications where alert_id = $1', [id]);
  assert.ok(stored.rows.every((r) => !r.t.includes(secret)), 'nor in the notification log in Postgres');
});

// Anyone with the Temporal UI or CLI reads an alert's whole history: its input (the policy snapshot),
// every activity's input and result, every signal and Update. Secrets must be in none of it.
it('keeps webhook secrets out of the whole Temporal history of an alert that paged signed webhooks', async () => {
  const policySecret = `whsec-policy-${randomBytes(12).toString('hex')}`;
  const methodSecret = `whsec-method-${randomBytes(12).toString('hex')}`;
  const created = await w.request('POST', '/users', {
    name: 'Grace',
    contact_methods: [{ type: 'webhook', address: `${w.hooks.url}/grace`, secret: methodSecret }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const policyId = await w.policy({
    tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/team`, secret: policySecret }, { type: 'user', id: created.body.id }] }],
  });
  await w.request('PUT', '/escalation-rules', { rules: [{ policy_id: policyId, services: ['payments'] }] });
  const { id, workflowId } = await w.trigger({ service: 'payments', summary: 'Card auth failing' });
  await waitFor('both signed pages', () => w.hits('/team') === 1 && w.hits('/grace') === 1);

  // The pages were signed with each target's own secret, so the worker did read them.
  for (const [path, secret] of [['/team', policySecret], ['/grace', methodSecret]] as const) {
    const page = w.hooks.requests.find((r) => r.path === path)!;
    assert.ok(verifyWebhookSignature(secret, page.headers['x-klaxon-signature'] as string, page.headers['x-klaxon-timestamp'] as string, page.rawBody), `${path} signed with its own secret`);
  }
  for (const action of ['acknowledge', 'resolve']) assert.equal((await w.request('POST', `/alerts/${id}/${action}`, {})).status, 200);
  const handle = w.env.client.workflow.getHandle(workflowId);
  await handle.result();

  const history = await handle.fetchHistory();
  const texts: string[] = [];
  // Payloads are bytes (JSON inside); every other field is walked as it is.
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) texts.push(Buffer.from(v).toString('utf8'), Buffer.from(v).toString('base64'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    else if (typeof v === 'string') texts.push(v);
  };
  walk(history);
  const all = texts.join('\n');
  assert.ok(all.includes('Card auth failing') && all.includes('pageTargets'), 'the walk reads the payloads (the summary and activity names are there)');
  assert.ok(all.includes('secretId'), 'the targets name their secrets by id');
  for (const secret of [policySecret, methodSecret]) assert.ok(!all.includes(secret), 'no secret anywhere in the history');

  // Nor in what Postgres keeps beside webhook_secrets: policies, contact methods, the notification log.
  for (const sql of ['select tiers::text as t from escalation_policies', 'select row_to_json(c)::text as t from contact_methods c', 'select target::text as t from notifications']) {
    const { rows } = await w.db.pool.query(sql);
    for (const secret of [policySecret, methodSecret]) assert.ok(rows.every((r) => !r.t.includes(secret)), `${sql}: no secret`);
  }
});
