// Tiered escalation through the real API, worker and time-skipping server: pages land at the tiers'
// exact offsets, acknowledge stops them, repeats loop, ack timeout and auto-resolve fire, escalate-now skips.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pageOffsets, startWorld, waitFor, type World } from './helpers/world';

let w: World;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

/** A 0/5/15-minute policy whose tiers page webhooks /<prefix>-t0, -t1, -t2. */
async function threeTiers(prefix: string, extra: Record<string, unknown> = {}): Promise<string> {
  return w.policy({
    tiers: [0, 5, 15].map((delay, i) => ({ delay_minutes: delay, targets: [{ type: 'webhook', url: `${w.hooks.url}/${prefix}-t${i}` }] })),
    ...extra,
  });
}

async function ruleFor(service: string, policyId: string): Promise<void> {
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  const res = await w.request('PUT', '/escalation-rules', { rules: [{ policy_id: policyId, services: [service] }, ...current] });
  assert.equal(res.status, 200);
}

describe('tiered escalation', () => {
  it('pages the three tiers at exactly 0, 5 and 15 minutes, then stops', async () => {
    await ruleFor('svc-offsets', await threeTiers('offsets'));
    const { id } = await w.trigger({ service: 'svc-offsets' });
    await waitFor('tier 1 page', () => w.hits('/offsets-t0') === 1);
    await w.env.sleep('4 minutes');
    assert.equal(w.hits('/offsets-t1'), 0, 'tier 2 not before 5 minutes');
    await w.env.sleep('2 minutes');
    await waitFor('tier 2 page', () => w.hits('/offsets-t1') === 1);
    await w.env.sleep('10 minutes');
    await waitFor('tier 3 page', () => w.hits('/offsets-t2') === 1);
    await w.env.sleep('2 hours');
    const view = await w.view(id);
    assert.deepEqual(pageOffsets(view), [0, 5, 15]);
    assert.deepEqual([w.hits('/offsets-t0'), w.hits('/offsets-t1'), w.hits('/offsets-t2')], [1, 1, 1]);
    assert.equal(view.escalation.next, null);
    const detail = await w.request('GET', `/alerts/${id}`);
    const pages = detail.body.notifications.filter((n: { kind: string }) => n.kind === 'page');
    assert.deepEqual(pages.map((n: { tier: number; status: string }) => [n.tier, n.status]), [[0, 'sent'], [1, 'sent'], [2, 'sent']]);
  });

  it('stops escalating when acknowledged between tiers', async () => {
    await ruleFor('svc-ack', await threeTiers('ack'));
    const { id } = await w.trigger({ service: 'svc-ack' });
    await w.env.sleep('6 minutes');
    await waitFor('tier 2 page', () => w.hits('/ack-t1') === 1);
    assert.equal((await w.request('POST', `/alerts/${id}/acknowledge`, {})).status, 200);
    await w.env.sleep('1 hour');
    assert.equal(w.hits('/ack-t2'), 0);
    assert.deepEqual(pageOffsets(await w.view(id)), [0, 5]);
  });

  it('repeats the chain after the repeat delay', async () => {
    await ruleFor('svc-repeat', await threeTiers('repeat', { repeat: 1, repeat_delay_minutes: 10 }));
    const { id } = await w.trigger({ service: 'svc-repeat' });
    await w.env.sleep('3 hours');
    await waitFor('six pages', async () => pageOffsets(await w.view(id)).length === 6);
    assert.deepEqual(pageOffsets(await w.view(id)), [0, 5, 15, 25, 30, 40]);
    assert.deepEqual([w.hits('/repeat-t0'), w.hits('/repeat-t1'), w.hits('/repeat-t2')], [2, 2, 2]);
  });

  it('sends an acknowledged-but-untouched alert back to new after the ack timeout and escalates again', async () => {
    await ruleFor('svc-acktimeout', await threeTiers('acktimeout', { ack_timeout_minutes: 10 }));
    const { id } = await w.trigger({ service: 'svc-acktimeout' });
    await waitFor('tier 1 page', () => w.hits('/acktimeout-t0') === 1);
    await w.env.sleep('1 minute');
    const ack = await w.request('POST', `/alerts/${id}/acknowledge`, { actor: 'alice' });
    await w.env.sleep('9 minutes');
    assert.equal((await w.view(id)).state, 'acknowledged');
    await w.env.sleep('2 minutes');
    await waitFor('re-escalation', () => w.hits('/acktimeout-t0') === 2);
    await waitFor('the second page in the live view', async () => pageOffsets(await w.view(id)).length === 2);
    const view = await w.view(id);
    assert.equal(view.state, 'new');
    assert.equal(view.escalation.cycle, 1);
    const detail = await w.request('GET', `/alerts/${id}`);
    const unack = detail.body.timeline.find((t: { action: string }) => t.action === 'unacknowledge');
    assert.equal(unack.actor, 'system:klaxon');
    assert.match(unack.reason, /acknowledged for 10 min/);
    // The second round starts exactly ten minutes after the acknowledge (about 11 minutes in).
    const ackOffset = (Date.parse(ack.body.at) - Date.parse(view.triggeredAt)) / 60_000;
    const [first, second] = pageOffsets(view);
    assert.equal(first, 0);
    // Float minutes: a sum of two offsets may differ from the offset of the sum in the last bit.
    assert.ok(Math.abs(second! - (ackOffset + 10)) < 1e-9, `${second} vs ${ackOffset + 10}`);
    assert.ok(ackOffset >= 1 && ackOffset < 1.5);
  });

  it('escalate-now fires the next tier at once', async () => {
    await ruleFor('svc-escalate', await threeTiers('escalate'));
    const { id } = await w.trigger({ service: 'svc-escalate' });
    await waitFor('tier 1 page', () => w.hits('/escalate-t0') === 1);
    await w.env.sleep('1 minute');
    const res = await w.request('POST', `/alerts/${id}/escalate`, { actor: 'bob', reason: 'need the DBA' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.escalated_to, { loop: 0, tier: 1 });
    await waitFor('tier 2 page', () => w.hits('/escalate-t1') === 1);
    // Later tiers keep their spacing: tier 3 is ten minutes after tier 2.
    await w.env.sleep('10 minutes');
    await waitFor('tier 3 page', () => w.hits('/escalate-t2') === 1);
    // The receiver has the page a moment before the workflow's view lists it: wait for the view too.
    await waitFor('tier 3 in the live view', async () => pageOffsets(await w.view(id)).length === 3);
    // Tier 2 fired when asked (about a minute in); tier 3 exactly ten minutes after it.
    const [t0, t1, t2] = pageOffsets(await w.view(id));
    assert.equal(t0, 0);
    assert.ok(t1! >= 1 && t1! < 1.5, `tier 2 at ${t1}`);
    // Offsets are minutes as floats: (t + 10 min) / 60 000 and t / 60 000 + 10 can differ in the last bit.
    assert.ok(Math.abs(t2! - (t1! + 10)) < 1e-9, `tier 3 at ${t2}, 10 min after tier 2 at ${t1}`);
    const timeline = (await w.request('GET', `/alerts/${id}`)).body.timeline;
    assert.ok(timeline.some((t: { action: string; actor: string }) => t.action === 'escalate' && t.actor.startsWith('bob')));
  });

  it('refuses escalate-now once acknowledged, with 409', async () => {
    await ruleFor('svc-escalate-refused', await threeTiers('escalate-refused'));
    const { id } = await w.trigger({ service: 'svc-escalate-refused' });
    await w.request('POST', `/alerts/${id}/acknowledge`, {});
    const res = await w.request('POST', `/alerts/${id}/escalate`, {});
    assert.equal(res.status, 409);
    assert.match(res.body.error.message, /acknowledged/);
  });

  it('auto-resolves as the system after the auto-resolve timeout', async () => {
    // 70, not 60: a critical alert's TTR deadline is at 60 min, and two timers due at the same instant
    // once left the time-skipping test server refusing the workflow task (see the README's known limits).
    await ruleFor('svc-autoresolve', await threeTiers('autoresolve', { auto_resolve_minutes: 70 }));
    const { id } = await w.trigger({ service: 'svc-autoresolve' });
    await w.env.sleep('69 minutes');
    assert.equal((await w.view(id)).state, 'new');
    await w.env.sleep('2 minutes');
    await waitFor('auto-resolve', async () => (await w.request('GET', `/alerts/${id}`)).body.state === 'resolved', 30_000);
    const detail = await w.request('GET', `/alerts/${id}`);
    const resolve = detail.body.timeline.find((t: { action: string }) => t.action === 'resolve');
    assert.equal(resolve.actor, 'system:klaxon');
    assert.equal(Date.parse(detail.body.resolved_at) - Date.parse(detail.body.triggered_at), 70 * 60_000);
  });
});
