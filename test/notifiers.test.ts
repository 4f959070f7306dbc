import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createEmailNotifier,
  createNotifiers,
  createSmsNotifier,
  createVoiceNotifier,
  messageIdFor,
  PermanentDeliveryError,
  TransientDeliveryError,
  verifyWebhookSignature,
} from '../notifiers';
import { startFakeTwilio, type FakeTwilio } from './helpers/fake-twilio';
import { ACK, closedPort, delivery, LOOPBACK_ALLOWLIST, message, rejectsWith } from './helpers/pages';
import { startSmtpServer, type TestSmtpServer } from './helpers/smtp';
import { startWebhookReceiver } from './helpers/webhook-receiver';

describe('email notifier (smtp-server + nodemailer)', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startSmtpServer({ rejectRecipients: /^nobody@/, tempFailRecipients: /^later@/ });
  });
  after(() => smtp?.close());

  it('delivers subject, body and a Message-ID derived from the idempotency key', async () => {
    const email = createEmailNotifier({ smtpUrl: smtp.url, from: 'Klaxon <klaxon@example.com>' });
    const d = delivery('email', 'oncall@example.com');
    const before = smtp.received();
    const result = await email.send(d);
    assert.equal(smtp.received(), before + 1);
    const got = smtp.messages.at(-1);
    assert.ok(got);
    assert.deepEqual(got.envelope.rcptTo, ['oncall@example.com']);
    assert.equal(got.envelope.mailFrom, 'klaxon@example.com');
    assert.equal(got.subject, '[CRITICAL] payments: Disk full on db-1');
    assert.match(got.text ?? '', /CRITICAL alert on payments, firing since .* \(for 1[12] min\)/);
    assert.ok(got.text?.includes(`Acknowledge: ${ACK}`), got.text);
    assert.match(messageIdFor(d.idempotencyKey), /^<[0-9a-f]{32}@klaxon>$/);
    assert.equal(got.messageId, messageIdFor(d.idempotencyKey));
    assert.equal(result.providerId, messageIdFor(d.idempotencyKey));
    assert.equal(got.headers.get('x-klaxon-idempotency-key'), d.idempotencyKey);
  });

  it('sends a retry of the same page with the same Message-ID', async () => {
    const email = createEmailNotifier({ smtpUrl: smtp.url, from: 'klaxon@example.com' });
    const d = delivery('email', 'oncall@example.com');
    await email.send(d);
    await email.send(d);
    await email.send({ ...d, idempotencyKey: `${d.idempotencyKey}:other` });
    const ids = smtp.messages.slice(-3).map((m) => m.messageId);
    assert.equal(ids[0], ids[1]);
    assert.notEqual(ids[1], ids[2]);
  });

  it('turns a 550 recipient rejection into PermanentDeliveryError', async () => {
    const email = createEmailNotifier({ smtpUrl: smtp.url, from: 'klaxon@example.com' });
    const before = smtp.received();
    const err = await rejectsWith(
      email.send(delivery('email', 'nobody@example.com')),
      PermanentDeliveryError,
      550,
    );
    assert.match(err.message, /550.*nobody@example\.com/);
    assert.deepEqual(smtp.rejected.at(-1), { address: 'nobody@example.com', responseCode: 550 });
    assert.equal(smtp.received(), before);
  });

  it('turns a 451 temporary failure into TransientDeliveryError', async () => {
    const email = createEmailNotifier({ smtpUrl: smtp.url, from: 'klaxon@example.com' });
    await rejectsWith(email.send(delivery('email', 'later@example.com')), TransientDeliveryError, 451);
    assert.deepEqual(smtp.rejected.at(-1), { address: 'later@example.com', responseCode: 451 });
  });

  it('turns a mail server that is down into TransientDeliveryError', async () => {
    const email = createEmailNotifier({
      smtpUrl: `smtp://127.0.0.1:${await closedPort()}`,
      from: 'klaxon@example.com',
    });
    // nodemailer reports a refused connection as ESOCKET; the cause stays in the message.
    const err = await rejectsWith(
      email.send(delivery('email', 'oncall@example.com')),
      TransientDeliveryError,
      'ESOCKET',
    );
    assert.match(err.message, /ECONNREFUSED/);
  });

  it('refuses to send without SMTP_URL: PermanentDeliveryError', async () => {
    const email = createEmailNotifier({ from: 'klaxon@example.com' });
    const err = await rejectsWith(
      email.send(delivery('email', 'oncall@example.com')),
      PermanentDeliveryError,
    );
    assert.equal(err.message, 'email is not configured: set SMTP_URL');
  });
});

describe('sms notifier (twilio SDK + Twilio-shaped server)', () => {
  let tw: FakeTwilio;
  before(async () => {
    tw = await startFakeTwilio({
      failures: {
        '+15005550001': {
          status: 400,
          code: 21211,
          message: "The 'To' number +15005550001 is not a valid phone number.",
        },
        '+15005550500': { status: 500, code: 20500, message: 'Internal Server Error' },
        '+15005550429': { status: 429, code: 20429, message: 'Too Many Requests' },
      },
    });
  });
  after(() => tw?.close());
  const sms = () =>
    createSmsNotifier({
      accountSid: tw.accountSid,
      authToken: tw.authToken,
      from: '+15550000000',
      apiUrl: tw.url,
    });

  it('delivers through the real SDK with Basic auth; the SID is the provider id', async () => {
    const before = tw.received();
    const result = await sms().send(delivery('sms', '+15551234567'));
    assert.equal(tw.received(), before + 1);
    const got = tw.messages.at(-1);
    assert.ok(got);
    assert.equal(got.to, '+15551234567');
    assert.equal(got.from, '+15550000000');
    assert.ok(got.body.startsWith('[CRITICAL] payments: Disk full on db-1. Since '), got.body);
    assert.ok(got.body.endsWith(`Ack: ${ACK}`), got.body);
    assert.ok(got.body.length <= 320);
    assert.match(result.providerId ?? '', /^SM[0-9a-f]{32}$/);
    assert.equal(result.providerId, got.sid);
    const req = tw.requests.at(-1);
    assert.deepEqual(req, {
      method: 'POST',
      path: `/2010-04-01/Accounts/${tw.accountSid}/Messages.json`,
      status: 201,
      to: '+15551234567',
      authorized: true,
    });
  });

  it('is refused with 401 for a wrong auth token: PermanentDeliveryError', async () => {
    const wrong = createSmsNotifier({
      accountSid: tw.accountSid,
      authToken: 'wrong',
      from: '+15550000000',
      apiUrl: tw.url,
    });
    const before = { accepted: tw.received(), requests: tw.requests.length };
    await rejectsWith(wrong.send(delivery('sms', '+15551234567')), PermanentDeliveryError, 20003);
    assert.equal(tw.requests.length, before.requests + 1);
    assert.equal(tw.requests.at(-1)?.authorized, false);
    assert.equal(tw.received(), before.accepted);
  });

  it("turns 400 code 21211 (invalid 'To' number) into PermanentDeliveryError with code 21211", async () => {
    const err = await rejectsWith(sms().send(delivery('sms', '+15005550001')), PermanentDeliveryError, 21211);
    assert.match(err.message, /400.*not a valid phone number/);
    assert.equal(tw.requests.at(-1)?.status, 400);
  });

  it('turns a Twilio 500 into TransientDeliveryError', async () => {
    await rejectsWith(sms().send(delivery('sms', '+15005550500')), TransientDeliveryError, 20500);
    assert.equal(tw.requests.at(-1)?.status, 500);
  });

  it('turns 429 Too Many Requests into TransientDeliveryError', async () => {
    const before = tw.requests.length;
    await rejectsWith(sms().send(delivery('sms', '+15005550429')), TransientDeliveryError, 20429);
    assert.equal(tw.requests.length, before + 1, 'the SDK does not retry by itself; Temporal does');
  });

  it('turns an unreachable API into TransientDeliveryError', async () => {
    const down = createSmsNotifier({
      accountSid: tw.accountSid,
      authToken: tw.authToken,
      from: '+15550000000',
      apiUrl: `http://127.0.0.1:${await closedPort()}`,
    });
    await rejectsWith(down.send(delivery('sms', '+15551234567')), TransientDeliveryError, 'ECONNREFUSED');
  });

  it('refuses to send without credentials or a from number: PermanentDeliveryError', async () => {
    const err = await rejectsWith(
      createSmsNotifier({}).send(delivery('sms', '+15551234567')),
      PermanentDeliveryError,
    );
    assert.match(err.message, /^sms is not configured: missing account SID, auth token, from number$/);
    const badSid = createSmsNotifier({
      accountSid: 'nope',
      authToken: 't',
      from: '+15550000000',
      apiUrl: tw.url,
    });
    await rejectsWith(badSid.send(delivery('sms', '+15551234567')), PermanentDeliveryError, 'ENOTCONFIGURED');
  });
});

describe('voice notifier (twilio SDK + Twilio-shaped server)', () => {
  let tw: FakeTwilio;
  before(async () => {
    tw = await startFakeTwilio({
      failures: {
        '+15005550001': {
          status: 400,
          code: 21211,
          message: "The 'To' number +15005550001 is not a valid phone number.",
        },
        '+15005550500': { status: 500, code: 20500, message: 'Internal Server Error' },
      },
    });
  });
  after(() => tw?.close());
  const voice = () =>
    createVoiceNotifier({
      accountSid: tw.accountSid,
      authToken: tw.authToken,
      from: '+15550000000',
      apiUrl: tw.url,
    });
  const GATHER = 'https://klaxon.example.com/integrations/twilio/voice/t.s';

  it('places a call through the real SDK with TwiML reading the alert, its callbacks and voicemail detection', async () => {
    const d = delivery('voice', '+15551234567', {
      message: message({ voiceCallbacks: { gather: GATHER, status: `${GATHER}/status` } }),
    });
    const result = await voice().send(d);
    const call = tw.calls.at(-1);
    assert.ok(call);
    assert.equal(call.to, '+15551234567');
    assert.equal(call.from, '+15550000000');
    assert.ok(
      call.twiml.includes('<Say>Klaxon page. critical: Disk full on db-1 in payments.</Say>'),
      call.twiml,
    );
    assert.ok(call.twiml.includes(`action="${GATHER}"`), call.twiml);
    assert.equal(call.statusCallback, `${GATHER}/status`);
    assert.equal(call.machineDetection, 'Enable');
    assert.match(result.providerId ?? '', /^CA[0-9a-f]{32}$/);
    assert.equal(result.providerId, call.sid);
    assert.equal(tw.requests.at(-1)?.path, `/2010-04-01/Accounts/${tw.accountSid}/Calls.json`);
  });

  it('without callbacks the call only reads the alert, and has no status callback', async () => {
    await voice().send(delivery('voice', '+15551234568'));
    const call = tw.calls.at(-1);
    assert.ok(call);
    assert.doesNotMatch(call.twiml, /<Gather/);
    assert.equal(call.statusCallback, undefined);
  });

  it('turns a 400 into PermanentDeliveryError and a 500 into TransientDeliveryError', async () => {
    await rejectsWith(voice().send(delivery('voice', '+15005550001')), PermanentDeliveryError, 21211);
    await rejectsWith(voice().send(delivery('voice', '+15005550500')), TransientDeliveryError, 20500);
  });

  it('refuses to call without credentials or a from number: PermanentDeliveryError', async () => {
    const err = await rejectsWith(
      createVoiceNotifier({}).send(delivery('voice', '+15551234567')),
      PermanentDeliveryError,
      'ENOTCONFIGURED',
    );
    assert.match(err.message, /^voice is not configured: missing account SID, auth token, from number$/);
  });
});

describe('createNotifiers', () => {
  it('builds every channel from plain options; unconfigured email, sms and voice fail permanently', async () => {
    const hooks = await startWebhookReceiver();
    try {
      const n = createNotifiers({ webhookSigningSecret: 's3cret', outboundAllowlist: LOOPBACK_ALLOWLIST });
      assert.deepEqual(Object.keys(n).sort(), ['email', 'sms', 'voice', 'webhook']);
      await rejectsWith(
        n.email.send(delivery('email', 'oncall@example.com')),
        PermanentDeliveryError,
        'ENOTCONFIGURED',
      );
      await rejectsWith(
        n.sms.send(delivery('sms', '+15551234567')),
        PermanentDeliveryError,
        'ENOTCONFIGURED',
      );
      await rejectsWith(
        n.voice.send(delivery('voice', '+15551234567')),
        PermanentDeliveryError,
        'ENOTCONFIGURED',
      );
      await n.webhook.send(delivery('webhook', `${hooks.url}/h`));
      assert.equal(hooks.received(), 1);
      const req = hooks.requests[0];
      assert.ok(req);
      assert.equal(
        verifyWebhookSignature(
          's3cret',
          req.headers['x-klaxon-signature'] as string,
          req.headers['x-klaxon-timestamp'] as string,
          req.rawBody,
        ),
        true,
      );
    } finally {
      await hooks.close();
    }
  });
});
