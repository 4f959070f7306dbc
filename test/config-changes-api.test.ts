// Configuration changed through the API reaches the next alert at once, cached reads or not: a policy
// edited, rules replaced, an SLA target set, an integration deleted, each followed immediately by a
// trigger (POST /alerts and ingest share the cache). The cache is live throughout (asserted), so these
// go through it rather than around it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './helpers/harness';
import { waitFor } from './helpers/world';

let h: Harness;
before(async () => {
  h = await startHarness();
  await waitFor('the cache to serve', () => h.caches.plans.serving);
});
after(async () => {
  await h?.close();
});

const policyBody = (name: string, delay: number, isDefault = false) => ({
  name,
  tiers: [{ delay_minutes: delay, targets: [{ type: 'webhook', url: `http://hooks.test/${name}` }] }],
  is_default: isDefault,
});
let n = 0;
const trigger = async (service: string, severity = 'high') => {
  const res = await h.request('POST', '/alerts', {
    summary: 'x',
    severity,
    service,
    source: 'test',
    dedup_key: `k-${n++}`,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return (await h.request('GET', `/alerts/${res.body.id}`)).body;
};

describe('configuration changed through the API', () => {
  it('reaches the very next alert', async () => {
    const a = await h.request('POST', '/escalation-policies', policyBody('first', 30, true));
    assert.equal(a.status, 201);
    assert.equal((await trigger('shop')).policy.name, 'first');

    const renamed = await h.request(
      'PUT',
      `/escalation-policies/${a.body.id}`,
      policyBody('first-renamed', 33, true),
    );
    assert.equal(renamed.status, 200);
    assert.equal((await trigger('shop')).policy.name, 'first-renamed');

    const b = await h.request('POST', '/escalation-policies', policyBody('shop-team', 31));
    assert.equal(
      (await h.request('PUT', '/escalation-rules', { rules: [{ policy_id: b.body.id, services: ['shop'] }] }))
        .status,
      200,
    );
    assert.equal((await trigger('shop')).policy.name, 'shop-team');
    assert.equal((await trigger('elsewhere')).policy.name, 'first-renamed');

    assert.equal(
      (await h.request('PUT', '/sla/targets/shop/high', { tta_minutes: 2, ttr_minutes: 20 })).status,
      200,
    );
    assert.deepEqual((await trigger('shop')).sla_targets, { tta_ms: 120_000, ttr_ms: 1_200_000 });
    assert.equal((await h.request('DELETE', '/sla/targets/shop/high')).status, 204);
    assert.deepEqual((await trigger('shop')).sla_targets, { tta_ms: 15 * 60_000, ttr_ms: 4 * 3_600_000 });

    assert.equal((await h.request('DELETE', `/escalation-policies/${b.body.id}`)).status, 204);
    assert.equal((await trigger('shop')).policy.name, 'first-renamed');
    assert.ok(h.caches.plans.serving);
  });

  it('stops a deleted integration at once', async () => {
    const made = await h.request('POST', '/integrations', { type: 'pagerduty', name: 'pd', service: 'shop' });
    const event = {
      routing_key: made.body.routing_key,
      event_action: 'trigger',
      dedup_key: 'gone',
      payload: { summary: 's', source: 'x', severity: 'info' },
    };
    assert.equal((await h.request('POST', '/v2/enqueue', event, { key: null })).status, 202);
    assert.equal((await h.request('DELETE', `/integrations/${made.body.id}`)).status, 204);
    const after = await h.request('POST', '/v2/enqueue', event, { key: null });
    assert.equal(after.status, 400);
    assert.match(after.body.errors[0], /routing_key/);
  });
});
