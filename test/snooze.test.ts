// Snooze end to end under time skipping: a snoozed alert stops escalating, and when the snooze ends it
// is new again and escalates from its first tier; resolved meanwhile, it pages nobody; an SMS reply
// `SNOOZE <code> <minutes>` snoozes as the paged user; bad minutes are a 400 naming the field, and a
// resolved alert cannot be snoozed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postInboundSms } from './helpers/sms-reply';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
let seq = 0;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

/** A service whose policy pages `hook` at once and `hook-t2` ten minutes on. */
async function escalating(targets: unknown[] = []): Promise<{ service: string; hook: string }> {
  const service = `svc-snooze-${++seq}`;
  const hook = `/snooze-${seq}`;
  const policy = await w.policy({
    tiers: [
      { delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}${hook}` }, ...targets] },
      { delay_minutes: 10, targets: [{ type: 'webhook', url: `${w.hooks.url}${hook}-t2` }] },
    ],
  });
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  const res = await w.request('PUT', '/escalation-rules', { rules: [{ policy_id: policy, services: [service] }, ...current] });
  assert.equal(res.status, 200);
  return { service, hook };
}

const timeline = async (id: string) => (await w.request('GET', `/alerts/${id}`)).body.timeline as { action: string; actor: string; reason: string | null; to: string | null }[];

describe('snooze', () => {
  it('acknowledges a new alert, pages nobody while snoozed, and escalates from the first tier when it ends', async () => {
    const { service, hook } = await escalating();
    const { id } = await w.trigger({ service });
    await waitFor('tier 1 pages', () => w.hits(hook) === 1);
    const snoozed = await w.request('POST', `/alerts/${id}/snooze`, { minutes: 30, reason: 'deploy rolling back' });
    assert.equal(snoozed.status, 200, JSON.stringify(snoozed.body));
    assert.equal(snoozed.body.state, 'acknowledged');
    assert.equal(snoozed.body.from, 'new');
    assert.equal(Date.parse(snoozed.body.snoozed_until) - Date.parse(snoozed.body.at), 30 * 60_000);
    assert.equal((await w.view(id)).snoozedUntil, snoozed.body.snoozed_until);

    await w.env.sleep('29 minutes');
    assert.equal(w.hits(`${hook}-t2`), 0, 'tier 2 (due at 10 min) never fired while snoozed');
    assert.equal(w.hits(hook), 1);
    assert.equal((await w.view(id)).state, 'acknowledged');

    await w.env.sleep('2 minutes');
    await waitFor('tier 1 pages again when the snooze ends', () => w.hits(hook) === 2);
    const view = await w.view(id);
    assert.equal(view.state, 'new');
    assert.equal(view.snoozedUntil, undefined);
    assert.deepEqual([view.escalation.next?.tier, view.escalation.lastFired?.tier], [1, 0], 'from the first tier, the second next');
    const entries = await timeline(id);
    assert.ok(entries.some((e) => e.action === 'snooze' && e.reason === 'deploy rolling back'), JSON.stringify(entries));
    assert.ok(entries.some((e) => e.action === 'unacknowledge' && /snooze of 30 min ended/.test(e.reason ?? '')), JSON.stringify(entries));
    await w.env.sleep('11 minutes');
    await waitFor('and on to tier 2', () => w.hits(`${hook}-t2`) === 1);
  });

  it('resolved while snoozed, it pages nobody when the snooze would have ended', async () => {
    const { service, hook } = await escalating();
    const { id } = await w.trigger({ service });
    await waitFor('tier 1 pages', () => w.hits(hook) === 1);
    const ack = await w.request('POST', `/alerts/${id}/acknowledge`, {});
    assert.equal(ack.status, 200);
    const snoozed = await w.request('POST', `/alerts/${id}/snooze`, { minutes: 15 });
    assert.equal(snoozed.status, 200, JSON.stringify(snoozed.body));
    assert.deepEqual([snoozed.body.from, snoozed.body.state], ['acknowledged', 'acknowledged']);
    assert.equal((await w.request('POST', `/alerts/${id}/resolve`, {})).status, 200);
    await w.env.sleep('20 minutes');
    assert.equal(w.hits(hook), 1);
    assert.equal(w.hits(`${hook}-t2`), 0);
    assert.equal((await w.request('GET', `/alerts/${id}`)).body.state, 'resolved');
  });

  it('SMS reply SNOOZE <code> <minutes> snoozes as the paged user', async () => {
    const phone = '+15551239001';
    const user = await w.user('sally', [{ type: 'sms', address: phone }]);
    const { service } = await escalating([{ type: 'user', id: user }]);
    const { id } = await w.trigger({ service, summary: 'Replica lag above 30 s' });
    await waitFor('the SMS page', () => w.twilio.messages.some((m) => m.to === phone));
    const code = /Reply ACK (\d{4})/.exec(w.twilio.messages.find((m) => m.to === phone)!.body)?.[1];
    assert.ok(code);
    const answer = await postInboundSms(w, phone, `snooze ${code} 20`);
    assert.equal(answer.status, 200);
    assert.match(answer.message, new RegExp(`^Klaxon: snoozed .*\\(${code}\\) until \\d\\d:\\d\\d UTC; it pages again then unless resolved\\.`));
    const view = await w.view(id);
    assert.equal(view.state, 'acknowledged');
    assert.ok(view.snoozedUntil);
    const entries = await timeline(id);
    assert.ok(entries.some((e) => e.action === 'snooze' && e.actor === 'user:sally via sms'), JSON.stringify(entries));
  });

  it('refuses minutes out of range with a 400 naming the field, and a resolved alert with a 409', async () => {
    const { service, hook } = await escalating();
    const { id } = await w.trigger({ service });
    await waitFor('tier 1 pages', () => w.hits(hook) === 1);
    for (const minutes of [0, 1441, 2.5, '30']) {
      const res = await w.request('POST', `/alerts/${id}/snooze`, { minutes });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.ok(res.body.error.errors.some((e: { field: string }) => e.field === 'body.minutes'), JSON.stringify(res.body));
    }
    assert.equal((await w.request('POST', `/alerts/${id}/resolve`, {})).status, 200);
    const refused = await w.request('POST', `/alerts/${id}/snooze`, { minutes: 10 });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.match(refused.body.error.message, /cannot snooze an alert that is resolved/);
  });
});
