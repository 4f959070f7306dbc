// Verifying contact methods through the real HTTP interface: the code goes out from the worker by SMS
// (real twilio SDK, Twilio-shaped server), by a call that reads it out, or by email, and is typed back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWorld, type World } from './helpers/world';

let w: World;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

const fields = (body: { error: { errors?: { field: string }[] } }) =>
  (body.error.errors ?? []).map((e) => e.field);

async function methodOf(type: 'sms' | 'voice' | 'email' | 'webhook', address: string) {
  const userId = await w.user(`verify-${type}-${address}`, [{ type, address }]);
  const user = (await w.request('GET', `/users/${userId}`)).body;
  return {
    userId,
    methodId: user.contact_methods[0].id as string,
    base: `/users/${userId}/contact-methods/${user.contact_methods[0].id}`,
  };
}

const verifiedAt = async (userId: string) =>
  (await w.request('GET', `/users/${userId}`)).body.contact_methods[0].verified_at;

describe('contact method verification', () => {
  it('texts a six-digit code; a wrong code is a 400 naming body.code, the right one verifies the method once', async () => {
    const { userId, base } = await methodOf('sms', '+15553330001');
    assert.equal(await verifiedAt(userId), null);
    const sent = await w.request('POST', `${base}/verify`, {});
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.status, 'sent');
    const sms = w.twilio.messages.filter((m) => m.to === '+15553330001').at(-1);
    assert.ok(sms, 'a text went out');
    const code = /^Klaxon verification code: (\d{6})\. /.exec(sms.body)?.[1];
    assert.ok(code, sms.body);

    const wrong = await w.request('POST', `${base}/verify/confirm`, {
      code: code === '000000' ? '000001' : '000000',
    });
    assert.equal(wrong.status, 400);
    assert.deepEqual(fields(wrong.body), ['body.code']);
    assert.match(wrong.body.error.message, /not the code that was sent/);
    assert.equal(await verifiedAt(userId), null);

    const right = await w.request('POST', `${base}/verify/confirm`, { code });
    assert.equal(right.status, 200, JSON.stringify(right.body));
    assert.equal(right.body.type, 'sms');
    assert.ok(Date.parse(right.body.verified_at) > Date.now() - 60_000);
    assert.equal(await verifiedAt(userId), right.body.verified_at);

    const again = await w.request('POST', `${base}/verify/confirm`, { code });
    assert.equal(again.status, 400, 'a code works once');
    assert.match(again.body.error.message, /no code was sent/);
  });

  it('a voice number gets a call that reads the code digit by digit', async () => {
    const { userId, base } = await methodOf('voice', '+15553330002');
    assert.equal((await w.request('POST', `${base}/verify`, {})).status, 200);
    const call = w.twilio.calls.filter((c) => c.to === '+15553330002').at(-1);
    assert.ok(call, 'a call was placed');
    const spoken = /<Say>Your Klaxon verification code is (\d(?:, \d){5})\. Again: \1\./.exec(
      call.twiml,
    )?.[1];
    assert.ok(spoken, call.twiml);
    assert.doesNotMatch(call.twiml, /<Gather/);
    assert.equal(
      (await w.request('POST', `${base}/verify/confirm`, { code: spoken.replace(/, /g, '') })).status,
      200,
    );
    assert.notEqual(await verifiedAt(userId), null);
  });

  it('an email gets the code in its subject', async () => {
    const { base } = await methodOf('email', 'verify-me@example.com');
    assert.equal((await w.request('POST', `${base}/verify`, {})).status, 200);
    const mail = w.smtp.messages.filter((m) => m.envelope.rcptTo.includes('verify-me@example.com')).at(-1);
    assert.ok(mail);
    const code = /^Klaxon verification code: (\d{6})$/.exec(mail.subject ?? '')?.[1];
    assert.ok(code, mail.subject);
    assert.equal((await w.request('POST', `${base}/verify/confirm`, { code })).status, 200);
  });

  it('stops accepting the code after five wrong ones, and a new request sends a new code', async () => {
    const { base } = await methodOf('sms', '+15553330003');
    await w.request('POST', `${base}/verify`, {});
    const code = /(\d{6})/.exec(w.twilio.messages.filter((m) => m.to === '+15553330003').at(-1)!.body)![1]!;
    const wrongCode = code === '111111' ? '222222' : '111111';
    for (let i = 0; i < 5; i++)
      assert.equal((await w.request('POST', `${base}/verify/confirm`, { code: wrongCode })).status, 400);
    const late = await w.request('POST', `${base}/verify/confirm`, { code });
    assert.equal(late.status, 400);
    assert.match(late.body.error.message, /too many wrong codes/);
    await w.request('POST', `${base}/verify`, {});
    const fresh = /(\d{6})/.exec(w.twilio.messages.filter((m) => m.to === '+15553330003').at(-1)!.body)![1]!;
    assert.equal((await w.request('POST', `${base}/verify/confirm`, { code: fresh })).status, 200);
  });

  it('refuses a webhook, a code that is not six digits, and an API key on the /me routes, naming the field', async () => {
    const hook = await methodOf('webhook', `${w.hooks.url}/verify`);
    const refused = await w.request('POST', `${hook.base}/verify`, {});
    assert.equal(refused.status, 400);
    assert.deepEqual(fields(refused.body), ['params.methodId']);
    assert.equal(w.hooks.requests.filter((r) => r.path === '/verify').length, 0, 'nothing was sent');
    const { base, methodId } = await methodOf('sms', '+15553330004');
    for (const code of ['12345', '1234567', 'abcdef', 12345]) {
      const bad = await w.request('POST', `${base}/verify/confirm`, { code });
      assert.equal(bad.status, 400, String(code));
      assert.deepEqual(fields(bad.body), ['body.code'], String(code));
    }
    const me = await w.request('POST', `/me/contact-methods/${methodId}/verify`, {});
    assert.equal(me.status, 400);
    assert.equal(me.body.error.code, 'not_a_session');
  });
});
