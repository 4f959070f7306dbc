// Voice pages through the real HTTP interface: the real twilio SDK places the call against the local
// Twilio-shaped server, and the call's callbacks are posted the way Twilio posts them (form-encoded, signed
// with the account's auth token over the public URL the call was given). Nothing here uses an API key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import twilio from 'twilio';
import type { FakeTwilioCall } from './helpers/fake-twilio';
import { PUBLIC_URL } from './helpers/harness';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

let seq = 0;

async function policyFor(
  service: string,
  tiers: { delay_minutes: number; targets: unknown[] }[],
): Promise<void> {
  const id = await w.policy({ tiers });
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  const res = await w.request('PUT', '/escalation-rules', {
    rules: [{ policy_id: id, services: [service] }, ...current],
  });
  assert.equal(res.status, 200);
}

async function alert(
  id: string,
): Promise<{ state: string; timeline: { action: string; actor: string; reason: string | null }[] }> {
  const res = await w.request('GET', `/alerts/${id}`);
  assert.equal(res.status, 200);
  return res.body;
}

const fields = (body: { error: { errors?: { field: string }[] } }) =>
  (body.error.errors ?? []).map((e) => e.field);
const callsTo = (phone: string) => w.twilio.calls.filter((c) => c.to === phone);

/** Creates a user with one voice number, pages them for a new alert, and returns the call Twilio was asked to place. */
async function pagedByVoice(
  phone: string,
  opts: { tiers?: { delay_minutes: number; targets: unknown[] }[] } = {},
) {
  const service = `payments-${++seq}`;
  const name = `voice-responder-${seq}`;
  const userId = await w.user(name, [{ type: 'voice', address: phone }]);
  await policyFor(service, [
    { delay_minutes: 0, targets: [{ type: 'user', id: userId }] },
    ...(opts.tiers ?? []),
  ]);
  const { id } = await w.trigger({ service, summary: 'disk full on db-1', severity: 'critical' });
  await waitFor('the voice call', () => callsTo(phone).length > 0);
  const call = callsTo(phone).at(-1)!;
  const gather = /<Gather [^>]*action="([^"]+)"/.exec(call.twiml)?.[1];
  assert.ok(gather, `the call offers keys: ${call.twiml}`);
  return { id, userId, name, service, call, gather };
}

interface Posted {
  status: number;
  raw: string;
  /** The text of every <Say>, unescaped. */
  says: string[];
}

/** Posts a callback to `url` (a PUBLIC_URL address) as Twilio does; `sign: false` sends no signature, a string sends that one. */
async function callback(
  url: string,
  params: Record<string, string>,
  opts: { sign?: boolean | string; signUrl?: string } = {},
): Promise<Posted> {
  assert.ok(url.startsWith(PUBLIC_URL), url);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const sign = opts.sign ?? true;
  if (sign === true)
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(
      w.twilio.authToken,
      opts.signUrl ?? url,
      params,
    );
  else if (typeof sign === 'string') headers['x-twilio-signature'] = sign;
  const res = await fetch(`${w.baseUrl}${url.slice(PUBLIC_URL.length)}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(params).toString(),
  });
  const raw = await res.text();
  const says = [...raw.matchAll(/<Say>([^<]*)<\/Say>/g)].map((m) =>
    m[1]!
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&'),
  );
  return { status: res.status, raw, says };
}

const callParams = (call: FakeTwilioCall, extra: Record<string, string>) => ({
  AccountSid: w.twilio.accountSid,
  ApiVersion: '2010-04-01',
  CallSid: call.sid,
  CallStatus: 'in-progress',
  Direction: 'outbound-api',
  From: call.from,
  To: call.to,
  ...extra,
});

const press = (
  p: { call: FakeTwilioCall; gather: string },
  digits: string,
  opts: { sid?: string; sign?: boolean | string; signUrl?: string; url?: string } = {},
) =>
  callback(
    opts.url ?? p.gather,
    callParams(p.call, { Digits: digits, ...(opts.sid ? { CallSid: opts.sid } : {}) }),
    opts,
  );

describe('voice pages', () => {
  it('place a call whose TwiML reads the alert and gathers one key at the signed callback, with status and voicemail detection', async () => {
    const { call, gather, service } = await pagedByVoice('+15552220001');
    assert.equal(call.from, '+15005550006');
    assert.ok(
      call.twiml.includes(
        `<Say>Klaxon page. critical: disk full on db-1 in ${service}.</Say><Say>Press 1 to acknowledge, 2 to escalate.</Say>`,
      ),
      call.twiml,
    );
    assert.match(call.twiml, /<Gather numDigits="1" [^>]*timeout="10"/);
    assert.ok(gather.startsWith(`${PUBLIC_URL}/integrations/twilio/voice/`), gather);
    assert.equal(call.statusCallback, `${gather}/status`);
    assert.equal(call.machineDetection, 'Enable');
    assert.equal(call.timeout, '30');
  });

  it('pressing 1 acknowledges the alert as the user via voice; a repeat of the CallSid changes nothing', async () => {
    const p = await pagedByVoice('+15552220002');
    const answer = await press(p, '1');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.says, [
      `Acknowledged: critical: disk full on db-1 in ${p.service}. Resolve it in Klaxon once it is fixed.`,
      'Goodbye.',
    ]);
    assert.match(answer.raw, /<Hangup\/><\/Response>$/);
    const a = await alert(p.id);
    assert.equal(a.state, 'acknowledged');
    const ack = a.timeline.find((t) => t.action === 'acknowledge');
    assert.equal(ack?.actor, `user:${p.name} via voice`);
    assert.equal(ack?.reason, 'voice call: pressed 1');

    const again = await press(p, '1');
    assert.equal(again.raw, answer.raw, 'told the same as the first time');
    const other = await press(p, '2');
    assert.equal(other.raw, answer.raw, 'a repeat of the CallSid acts once, whatever its key');
    const after = await alert(p.id);
    assert.equal(after.state, 'acknowledged');
    assert.equal(after.timeline.length, a.timeline.length);
  });

  it('refuses a missing, forged or wrong-URL signature, and a token Klaxon did not sign, with 403; nothing changes', async () => {
    const p = await pagedByVoice('+15552220003');
    const missing = await press(p, '1', { sign: false });
    assert.equal(missing.status, 403);
    const forged = await press(p, '1', {
      sign: twilio.getExpectedTwilioSignature(
        'not-the-auth-token',
        p.gather,
        callParams(p.call, { Digits: '1' }),
      ),
    });
    assert.equal(forged.status, 403);
    const wrongUrl = await press(p, '1', { signUrl: `${w.baseUrl}${p.gather.slice(PUBLIC_URL.length)}` });
    assert.equal(wrongUrl.status, 403);
    // Correctly signed by Twilio's key, but the token was changed: another alert's id under the old signature.
    const [body, sig] = p.gather.slice(p.gather.lastIndexOf('/') + 1).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    const other = Buffer.from(
      JSON.stringify({ ...claims, alertId: '00000000-0000-4000-8000-000000000001' }),
    ).toString('base64url');
    const tampered = await press(p, '1', { url: `${PUBLIC_URL}/integrations/twilio/voice/${other}.${sig}` });
    assert.equal(tampered.status, 403);
    const status = await callback(`${p.gather}/status`, callParams(p.call, { CallStatus: 'no-answer' }), {
      sign: false,
    });
    assert.equal(status.status, 403);
    for (const r of [missing, forged, wrongUrl, tampered])
      assert.doesNotMatch(r.raw, /<Say>/, 'nothing is said to a forger');
    const a = await alert(p.id);
    assert.equal(a.state, 'new');
    assert.ok(!a.timeline.some((t) => t.action === 'acknowledge' || t.action === 'page_not_answered'));
  });

  it('pressing 2 escalates to the next tier now, as the user via voice', async () => {
    const p = await pagedByVoice('+15552220004', {
      tiers: [{ delay_minutes: 30, targets: [{ type: 'webhook', url: `${w.hooks.url}/voice-esc-t1` }] }],
    });
    const answer = await press(p, '2');
    assert.deepEqual(answer.says, [
      `Escalated: critical: disk full on db-1 in ${p.service}. Tier 2 is paged now.`,
      'Goodbye.',
    ]);
    await waitFor('tier 2 page', () => w.hits('/voice-esc-t1') === 1);
    const a = await alert(p.id);
    assert.equal(a.state, 'new');
    assert.equal(a.timeline.find((t) => t.action === 'escalate')?.actor, `user:${p.name} via voice`);
  });

  it('another key, or none, offers the options again and changes nothing', async () => {
    const p = await pagedByVoice('+15552220005');
    const seven = await press(p, '7');
    assert.equal(seven.status, 200);
    assert.deepEqual(seven.says.slice(0, 2), [
      'Key 7 does nothing here.',
      'Press 1 to acknowledge, 2 to escalate.',
    ]);
    assert.ok(seven.raw.includes(`action="${p.gather}"`), seven.raw);
    assert.equal((await alert(p.id)).state, 'new');
    // The same call may still press 1 afterwards.
    assert.match((await press(p, '1')).says[0]!, /^Acknowledged: /);
    assert.equal((await alert(p.id)).state, 'acknowledged');
  });

  it('a call answered by voicemail puts "not answered" on the timeline once, and the alert stays new', async () => {
    const p = await pagedByVoice('+15552220006');
    const status = `${p.gather}/status`;
    const machine = await callback(
      status,
      callParams(p.call, { CallStatus: 'completed', AnsweredBy: 'machine_start', CallDuration: '12' }),
    );
    assert.equal(machine.status, 204);
    await callback(
      status,
      callParams(p.call, { CallStatus: 'completed', AnsweredBy: 'machine_start', CallDuration: '12' }),
    );
    const a = await alert(p.id);
    assert.equal(a.state, 'new');
    const lines = a.timeline.filter((t) => t.action === 'page_not_answered');
    assert.deepEqual(
      lines.map((t) => t.reason),
      [`voice call to ${p.name} not answered (voicemail)`],
    );
    // The page itself was delivered: it is in the log as sent.
    const { rows } = await w.db.pool.query(
      "select status, provider_id from notifications where alert_id = $1 and channel = 'voice'",
      [p.id],
    );
    assert.deepEqual(rows, [{ status: 'sent', provider_id: p.call.sid }]);
  });

  it('no answer is recorded too; a call a person answered records nothing', async () => {
    const p = await pagedByVoice('+15552220007');
    const status = `${p.gather}/status`;
    assert.equal(
      (await callback(status, callParams(p.call, { CallStatus: 'completed', AnsweredBy: 'human' }))).status,
      204,
    );
    assert.equal((await alert(p.id)).timeline.filter((t) => t.action === 'page_not_answered').length, 0);
    assert.equal(
      (await callback(status, callParams(p.call, { CallSid: `${p.call.sid}x`, CallStatus: 'no-answer' })))
        .status,
      204,
    );
    assert.deepEqual(
      (await alert(p.id)).timeline.filter((t) => t.action === 'page_not_answered').map((t) => t.reason),
      [`voice call to ${p.name} not answered (no answer)`],
    );
  });

  it('a callback without CallSid is a 400 naming it', async () => {
    const p = await pagedByVoice('+15552220008');
    const { CallSid: _, ...rest } = callParams(p.call, { Digits: '1' });
    const res = await callback(p.gather, rest);
    assert.equal(res.status, 400);
    assert.match(res.raw, /CallSid/);
    assert.equal((await alert(p.id)).state, 'new');
  });
});

describe('voice contact methods', () => {
  it('take an E.164 number; anything else is a 400 naming the field', async () => {
    for (const address of ['0123', '+0123456789', 'tel:+15551230000', '+1555123000012345']) {
      const res = await w.request('POST', '/users', {
        name: 'x',
        contact_methods: [{ type: 'voice', address }],
      });
      assert.equal(res.status, 400, address);
      assert.deepEqual(fields(res.body), ['body.contact_methods.0.address'], address);
    }
    const userId = await w.user('voice-owner');
    const bad = await w.request('POST', `/users/${userId}/contact-methods`, {
      type: 'voice',
      address: '555-1234',
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(fields(bad.body), ['body.address']);
    const good = await w.request('POST', `/users/${userId}/contact-methods`, {
      type: 'voice',
      address: '+15552220099',
    });
    assert.equal(good.status, 201, JSON.stringify(good.body));
    const user = (await w.request('GET', `/users/${userId}`)).body;
    assert.deepEqual(
      user.contact_methods.map((m: { type: string; address: string }) => [m.type, m.address]),
      [['voice', '+15552220099']],
    );
  });

  it('a test page calls the number and reads a test message without keys', async () => {
    const userId = await w.user('voice-tester', [{ type: 'voice', address: '+15552220098' }]);
    const methodId = (await w.request('GET', `/users/${userId}`)).body.contact_methods[0].id;
    const res = await w.request('POST', `/users/${userId}/contact-methods/${methodId}/test`, {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'sent');
    const call = callsTo('+15552220098').at(-1);
    assert.ok(call, 'a call was placed');
    assert.equal(res.body.provider_id, call.sid);
    assert.match(call.twiml, /<Say>This is a test page from Klaxon for voice-tester, /);
    assert.doesNotMatch(call.twiml, /<Gather/);
  });
});
