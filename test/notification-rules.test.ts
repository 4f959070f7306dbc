// Personal notification rules under time skipping: a user's rules page SMS at once and a voice call two
// minutes on, and an acknowledge stops the email due at five; a user without rules gets every method at
// once; the rules API refuses another user's method, a delay out of range and a method named twice,
// naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { ALERT_WORKFLOW_TYPE, alertWorkflowId, type AlertInput } from '../workflows/messages';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
let seq = 0;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

/** A user with an SMS number, a voice number and an email address; returns the ids. */
async function person() {
  const n = ++seq;
  const sms = `+1555444${String(n).padStart(4, '0')}`;
  const voice = `+1555445${String(n).padStart(4, '0')}`;
  const email = `rules-${n}@example.com`;
  const id = await w.user(`rules-${n}`, [
    { type: 'email', address: email },
    { type: 'sms', address: sms },
    { type: 'voice', address: voice },
  ]);
  const methods = (await w.request('GET', `/users/${id}`)).body.contact_methods as {
    id: string;
    type: string;
  }[];
  const method = (type: string) => methods.find((m) => m.type === type)!.id;
  return { id, sms, voice, email, method };
}

/** A service whose policy pages `userId` in its only tier; returns the service. */
async function pagesUser(userId: string): Promise<string> {
  const service = `svc-rules-${++seq}`;
  const policy = await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: userId }] }] });
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  const res = await w.request('PUT', '/escalation-rules', {
    rules: [{ policy_id: policy, services: [service] }, ...current],
  });
  assert.equal(res.status, 200);
  return service;
}

const texts = (to: string) => w.twilio.messages.filter((m) => m.to === to && !/code/i.test(m.body)).length;
const calls = (to: string) => w.twilio.calls.filter((c) => c.to === to).length;
const mails = (to: string) => w.smtp.messages.filter((m) => m.envelope.rcptTo.includes(to)).length;
const fields = (body: { error: { errors?: { field: string }[] } }) =>
  (body.error.errors ?? []).map((e) => e.field);

describe('notification rules', () => {
  it('page SMS at once, a voice call at +2 minutes, and stop on acknowledge before the email at +5', async () => {
    const u = await person();
    const set = await w.request('PUT', `/users/${u.id}/notification-rules`, {
      rules: [
        { contact_method_id: u.method('sms'), delay_minutes: 0 },
        { contact_method_id: u.method('voice'), delay_minutes: 2 },
        { contact_method_id: u.method('email'), delay_minutes: 5 },
      ],
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual(
      set.body.rules.map((r: { type: string; delay_minutes: number }) => [r.type, r.delay_minutes]),
      [
        ['sms', 0],
        ['voice', 2],
        ['email', 5],
      ],
    );
    const service = await pagesUser(u.id);
    const { id } = await w.trigger({ service });
    await waitFor('the SMS at once', () => texts(u.sms) === 1);
    assert.equal(calls(u.voice), 0, 'no call yet');
    assert.equal(mails(u.email), 0, 'no email yet');

    await w.env.sleep('1 minute');
    assert.equal(calls(u.voice), 0, 'still no call a minute in');
    await w.env.sleep('1 minute');
    await waitFor('the voice call at +2 minutes', () => calls(u.voice) === 1);
    const view = await w.view(id);
    const voice = view.notifications.find((n) => n.channel === 'voice')!;
    assert.equal(Date.parse(voice.at) - Date.parse(view.triggeredAt), 2 * 60_000, 'dated by its rule');
    assert.equal(voice.status, 'sent');

    assert.equal((await w.request('POST', `/alerts/${id}/acknowledge`, {})).status, 200);
    await w.env.sleep('5 minutes');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(mails(u.email), 0, 'the email due at +5 was dropped by the acknowledge');
    assert.deepEqual([texts(u.sms), calls(u.voice)], [1, 1], 'nothing paged twice');
    assert.equal(
      (await w.view(id)).notifications.some((n) => n.channel === 'email'),
      false,
    );
  });

  it('carries the pages still held back across continue-as-new, and sends each once', async () => {
    const u = await person();
    await w.request('PUT', `/users/${u.id}/notification-rules`, {
      rules: [
        { contact_method_id: u.method('sms'), delay_minutes: 0 },
        { contact_method_id: u.method('voice'), delay_minutes: 2 },
      ],
    });
    const targets = [{ type: 'user' as const, id: u.id }];
    const policyId = await w.policy({ tiers: [{ delay_minutes: 0, targets }] });
    const input: AlertInput = {
      alertId: randomUUID(),
      event: {
        eventId: randomUUID(),
        summary: 'rules across runs',
        severity: 'high',
        service: 'rules-can',
        source: 'checks',
        dedupKey: `can-${seq}`,
        labels: {},
        details: {},
        links: [],
      },
      policy: {
        id: policyId,
        name: 'rules',
        tiers: [{ delayMinutes: 0, targets }],
        repeat: 0,
        repeatDelayMinutes: 0,
        ackTimeoutMinutes: null,
        autoResolveMinutes: null,
      },
      sla: { targets: { ttaMs: 24 * 3_600_000, ttrMs: 48 * 3_600_000 }, atRiskFraction: 0.75 },
      // Low enough that the run continues as new once its first tier has paged, before the call is due.
      historyLimit: 8,
    };
    const workflowId = alertWorkflowId(input.event.service, input.event.dedupKey);
    const first = await w.env.client.workflow.start(ALERT_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: w.taskQueue,
      args: [input],
    });
    await waitFor('the SMS at once', () => texts(u.sms) === 1);
    await waitFor(
      'a new run',
      async () =>
        (await w.env.client.workflow.getHandle(workflowId).describe()).runId !== first.firstExecutionRunId,
    );
    assert.equal(calls(u.voice), 0);
    await w.env.sleep('2 minutes');
    await waitFor('the call, from the new run', () => calls(u.voice) === 1);
    // A page sent twice would go out at once (same due time): a moment's wait shows none does. (Sleeping
    // the skipped clock on here is slow: the time-skipping server lets real time pass after the second
    // continue-as-new.)
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual([texts(u.sms), calls(u.voice)], [1, 1], 'each once');
  });

  it('the dry-run lists the SMS at 0 and the call at +2 minutes', async () => {
    const u = await person();
    const set = await w.request('PUT', `/users/${u.id}/notification-rules`, {
      rules: [
        { contact_method_id: u.method('sms'), delay_minutes: 0 },
        { contact_method_id: u.method('voice'), delay_minutes: 2 },
      ],
    });
    assert.equal(set.status, 200);
    const policy = await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: u.id }] }] });
    const sim = await w.request('POST', `/escalation-policies/${policy}/simulate`, {
      severity: 'low',
      service: 'dry-run',
      start: '2026-03-02T09:00:00Z',
      horizon_hours: 1,
    });
    assert.equal(sim.status, 200, JSON.stringify(sim.body));
    const pages = (
      sim.body.timeline as { kind: string; at: string; channel?: string; delay_minutes?: number }[]
    )
      .filter((e) => e.kind === 'page')
      .map((e) => [
        e.channel,
        (Date.parse(e.at) - Date.parse('2026-03-02T09:00:00Z')) / 60_000,
        e.delay_minutes ?? 0,
      ]);
    assert.deepEqual(pages, [
      ['sms', 0, 0],
      ['voice', 2, 2],
    ]);
  });

  it('without rules a user is paged on every contact method at once', async () => {
    const u = await person();
    assert.deepEqual((await w.request('GET', `/users/${u.id}/notification-rules`)).body, { rules: [] });
    const service = await pagesUser(u.id);
    await w.trigger({ service });
    await waitFor(
      'every method at once',
      () => texts(u.sms) === 1 && calls(u.voice) === 1 && mails(u.email) === 1,
    );
  });

  it('refuses another user’s method, a delay out of range and a method named twice, naming the field', async () => {
    const u = await person();
    const other = await person();
    const put = (rules: unknown) => w.request('PUT', `/users/${u.id}/notification-rules`, { rules });
    const cases: [unknown, string][] = [
      [[{ contact_method_id: other.method('sms'), delay_minutes: 0 }], 'body.rules.0.contact_method_id'],
      [
        [
          { contact_method_id: u.method('sms'), delay_minutes: 0 },
          { contact_method_id: u.method('sms'), delay_minutes: 3 },
        ],
        'body.rules.1.contact_method_id',
      ],
      [[{ contact_method_id: u.method('sms'), delay_minutes: -1 }], 'body.rules.0.delay_minutes'],
      [[{ contact_method_id: u.method('sms'), delay_minutes: 1441 }], 'body.rules.0.delay_minutes'],
      [[{ contact_method_id: u.method('sms'), delay_minutes: 1.5 }], 'body.rules.0.delay_minutes'],
      [[{ contact_method_id: 'not-a-uuid', delay_minutes: 0 }], 'body.rules.0.contact_method_id'],
    ];
    for (const [rules, field] of cases) {
      const res = await put(rules);
      assert.equal(res.status, 400, JSON.stringify(rules));
      assert.deepEqual(fields(res.body), [field], JSON.stringify(res.body));
    }
    assert.deepEqual(
      (await w.request('GET', `/users/${u.id}/notification-rules`)).body,
      { rules: [] },
      'nothing saved',
    );
    const unknown = '00000000-0000-4000-8000-000000000000';
    assert.equal((await w.request('PUT', `/users/${unknown}/notification-rules`, { rules: [] })).status, 404);
    assert.equal((await w.request('GET', `/me/notification-rules`)).body.error.code, 'not_a_session');
    // A PUT replaces the whole list; an empty one goes back to every method at once.
    assert.equal((await put([{ contact_method_id: u.method('voice'), delay_minutes: 1440 }])).status, 200);
    assert.equal(
      (await put([{ contact_method_id: u.method('email'), delay_minutes: 0 }])).body.rules.length,
      1,
    );
    assert.deepEqual((await put([])).body, { rules: [] });
  });
});
