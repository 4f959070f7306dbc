// GET /alerts filters the console's pages lean on: open (not resolved) or resolved, and the alerts that
// paged one user ("the open alerts that page me").
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startHarness, type Harness } from './helpers/harness';
import { startTogether } from './helpers/start-together';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver';

let h: Harness;
let receiver: WebhookReceiver;
before(async () => {
  [h, receiver] = await startTogether(startHarness(), startWebhookReceiver());
});
after(async () => {
  await receiver?.close();
  await h?.close();
});

const ids = (res: { body: { alerts: { id: string }[] } }) => res.body.alerts.map((a) => a.id).sort();

it('open=true lists the unresolved alerts, open=false the resolved; paged_user those that paged the user', async () => {
  const user = await h.request('POST', '/users', {
    name: 'Pam',
    contact_methods: [{ type: 'webhook', address: `${receiver.url}/pam` }],
  });
  const policy = await h.request('POST', '/escalation-policies', {
    name: 'pam first',
    tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: user.body.id }] }],
  });
  assert.equal(policy.status, 201, JSON.stringify(policy.body));
  assert.equal(
    (
      await h.request('PUT', '/escalation-rules', {
        rules: [{ policy_id: policy.body.id, services: ['paging'] }],
      })
    ).status,
    200,
  );

  const trigger = async (service: string, key: string) =>
    (
      await h.request('POST', '/alerts', {
        summary: key,
        severity: 'high',
        service,
        source: 't',
        dedup_key: key,
      })
    ).body.id as string;
  const paging = await trigger('paging', 'p1');
  const quiet = await trigger('quiet', 'q1');
  const done = await trigger('quiet', 'q2');
  assert.equal((await h.request('POST', `/alerts/${done}/resolve`, {})).status, 200);
  for (let i = 0; i < 100 && receiver.requests.filter((r) => r.path === '/pam').length === 0; i++)
    await new Promise((r) => setTimeout(r, 100));

  assert.deepEqual(ids(await h.request('GET', '/alerts?open=true')), [paging, quiet].sort());
  assert.deepEqual(ids(await h.request('GET', '/alerts?open=false')), [done]);
  assert.deepEqual(ids(await h.request('GET', `/alerts?paged_user=${user.body.id}`)), [paging]);
  assert.deepEqual(ids(await h.request('GET', `/alerts?paged_user=${user.body.id}&open=false`)), []);
  const bad = await h.request('GET', '/alerts?open=yes&paged_user=pam');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.error.errors.map((e: { field: string }) => e.field).sort(), [
    'query.open',
    'query.paged_user',
  ]);
});
