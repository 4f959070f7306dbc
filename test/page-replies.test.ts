// Answering a page from where it reached you, through the real HTTP interface: SMS replies posted as
// Twilio posts them (form-encoded, signed with the account's auth token over the public URL), and the
// one-click links of page emails read back from the SMTP server. Nothing here uses an API key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import twilio from 'twilio';
import { createPageActivities, type SendPageInput } from '../activities/pages';
import { TransientDeliveryError, type Delivery, type Notifier, type PageMessage } from '../notifiers';
import { replyLinkKey } from '../store/secrets';
import { PUBLIC_URL } from './helpers/harness';
import { SMS_URL, postInboundSms } from './helpers/sms-reply';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

let seq = 0;

async function policyFor(service: string, tiers: { delay_minutes: number; targets: unknown[] }[]): Promise<void> {
  const id = await w.policy({ tiers });
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  const res = await w.request('PUT', '/escalation-rules', { rules: [{ policy_id: id, services: [service] }, ...current] });
  assert.equal(res.status, 200);
}

/** The alert as the API shows it: state and audit trail. */
async function alert(id: string): Promise<{ state: string; timeline: { action: string; actor: string; reason: string | null; at: string }[] }> {
  const res = await w.request('GET', `/alerts/${id}`);
  assert.equal(res.status, 200);
  return res.body;
}

const smsTo = (phone: string) => w.twilio.messages.filter((m) => m.to === phone);

/** Creates a user with one phone, pages them for a new alert, and returns the reply code the SMS carries. */
async function pagedBySms(phone: string, opts: { tiers?: { delay_minutes: number; targets: unknown[] }[]; userId?: string } = {}) {
  const service = `svc-sms-${++seq}`;
  const name = `responder-${seq}`;
  const userId = opts.userId ?? (await w.user(name, [{ type: 'sms', address: phone }]));
  await policyFor(service, [{ delay_minutes: 0, targets: [{ type: 'user', id: userId }] }, ...(opts.tiers ?? [])]);
  const before = smsTo(phone).length;
  const { id } = await w.trigger({ service, summary: `Queue depth high on ${service}` });
  await waitFor('the SMS page', () => smsTo(phone).length > before);
  const body = smsTo(phone).at(-1)!.body;
  const code = /Reply ACK (\d{4}) \/ RES \1 \/ ESC \1$/.exec(body)?.[1];
  assert.ok(code, `the SMS offers reply codes: ${body}`);
  return { id, userId, name, code, service };
}

/** Posts an inbound SMS the way Twilio does; `sign: false` sends no signature, a string sends that one. */
const inbound = (from: string, body: string, opts: { sid?: string; sign?: boolean | string; url?: string } = {}) =>
  postInboundSms(w, from, body, { sid: opts.sid ?? `SM${Date.now()}${++seq}`, ...opts });

describe('SMS replies', () => {
  it('ACK <code> from the paged number acknowledges the alert as that user via sms, and TwiML confirms', async () => {
    const { id, name, code } = await pagedBySms('+15551230001');
    const answer = await inbound('+15551230001', `ACK ${code}`);
    assert.equal(answer.status, 200);
    assert.match(answer.contentType, /^text\/xml/);
    assert.match(answer.raw, /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>/);
    assert.match(answer.message, new RegExp(`^Klaxon: acknowledged svc-sms-\\d+: Queue depth high on svc-sms-\\d+ \\(${code}\\)\\. Reply RES ${code} once it is fixed\\.$`));
    const a = await alert(id);
    assert.equal(a.state, 'acknowledged');
    const ack = a.timeline.find((t) => t.action === 'acknowledge');
    assert.equal(ack?.actor, `user:${name} via sms`);
    assert.equal(ack?.reason, `SMS reply "ACK ${code}"`);
  });

  it('a repeated MessageSid is answered the same and changes nothing, whatever its body says', async () => {
    const { id, code } = await pagedBySms('+15551230002');
    const first = await inbound('+15551230002', `ack ${code}`, { sid: 'SMrepeat0000000000000000000000001' });
    assert.match(first.message, /^Klaxon: acknowledged /);
    const trail = (await alert(id)).timeline.length;
    const again = await inbound('+15551230002', `ack ${code}`, { sid: 'SMrepeat0000000000000000000000001' });
    assert.equal(again.status, 200);
    assert.equal(again.raw, first.raw, 'the same TwiML as the first answer');
    const resolveRepeat = await inbound('+15551230002', `RES ${code}`, { sid: 'SMrepeat0000000000000000000000001' });
    assert.equal(resolveRepeat.raw, first.raw);
    const a = await alert(id);
    assert.equal(a.state, 'acknowledged', 'the repeat did not resolve it');
    assert.equal(a.timeline.length, trail);
  });

  it('refuses a missing, wrong or wrong-URL signature with 403 and changes nothing', async () => {
    const { id, code } = await pagedBySms('+15551230003');
    const missing = await inbound('+15551230003', `ACK ${code}`, { sign: false });
    assert.equal(missing.status, 403);
    const forged = await inbound('+15551230003', `ACK ${code}`, { sign: twilio.getExpectedTwilioSignature('not-the-auth-token', SMS_URL, { Body: `ACK ${code}` }) });
    assert.equal(forged.status, 403);
    // Signed over the address the request happened to reach rather than the configured public URL.
    const wrongUrl = await inbound('+15551230003', `ACK ${code}`, { url: `${w.baseUrl}/integrations/twilio/sms` });
    assert.equal(wrongUrl.status, 403);
    assert.doesNotMatch(missing.raw + forged.raw + wrongUrl.raw, /<Message>/, 'nothing is texted back to a forger');
    const a = await alert(id);
    assert.equal(a.state, 'new');
    assert.ok(!a.timeline.some((t) => t.action === 'acknowledge'));
    const { rows } = await w.db.pool.query('select count(*)::int as n from sms_replies where from_number = $1', ['+15551230003']);
    assert.equal(rows[0].n, 0, 'an unauthenticated request is not even recorded');
  });

  it('an unknown code gets a helpful answer listing the open pages of the number, and changes nothing', async () => {
    const { id, code } = await pagedBySms('+15551230004');
    const wrong = code === '1000' ? '1001' : '1000';
    const answer = await inbound('+15551230004', `ACK ${wrong}`);
    assert.equal(answer.status, 200);
    assert.match(answer.message, new RegExp(`^Klaxon: no page to this number has code ${wrong}; nothing changed\\. Open: ${code} svc-sms-\\d+: Queue depth high`));
    const help = await inbound('+15551230004', 'what is this?');
    assert.match(help.message, new RegExp(`^Klaxon: reply ACK ${code} to acknowledge, RES ${code} to resolve, ESC ${code} to escalate now`));
    assert.equal((await alert(id)).state, 'new');
  });

  it('a number that was not paged gets told so, even with a valid code, and nothing changes', async () => {
    const { id, code } = await pagedBySms('+15551230005');
    const answer = await inbound('+15551239999', `ACK ${code}`);
    assert.equal(answer.status, 200);
    assert.match(answer.message, /^Klaxon: this number has no pages to answer\. Reply from the phone a page was sent to/);
    const a = await alert(id);
    assert.equal(a.state, 'new');
    assert.ok(!a.timeline.some((t) => t.action === 'acknowledge'));
  });

  it('an action the alert state refuses is explained, and nothing changes', async () => {
    const { id, code } = await pagedBySms('+15551230006');
    const resolved = await inbound('+15551230006', `RES ${code}`);
    assert.match(resolved.message, new RegExp(`^Klaxon: resolved svc-sms-\\d+: Queue depth high on svc-sms-\\d+ \\(${code}\\)\\.$`));
    const trail = await alert(id);
    assert.equal(trail.state, 'resolved');
    assert.match(trail.timeline.find((t) => t.action === 'resolve')?.actor ?? '', /^user:responder-\d+ via sms$/);
    const ack = await inbound('+15551230006', `ACK ${code}`);
    assert.equal(ack.status, 200);
    assert.equal(ack.message, `Klaxon: could not acknowledge ${/^Klaxon: resolved (.*)\.$/.exec(resolved.message)![1]}: it is resolved. Nothing changed.`);
    const esc = await inbound('+15551230006', `ESC ${code}`);
    assert.match(esc.message, /^Klaxon: could not escalate .*: cannot escalate an alert that is resolved: escalation runs only while it is new\. Nothing changed\.$/);
    const a = await alert(id);
    assert.equal(a.state, 'resolved');
    assert.equal(a.timeline.length, trail.timeline.length);
  });

  it('ESC <code> fires the next tier now, as the user via sms', async () => {
    const { id, code, name } = await pagedBySms('+15551230007', { tiers: [{ delay_minutes: 30, targets: [{ type: 'webhook', url: `${w.hooks.url}/sms-esc-t1` }] }] });
    const answer = await inbound('+15551230007', `esc ${code}`);
    assert.match(answer.message, new RegExp(`^Klaxon: escalated svc-sms-\\d+: .* \\(${code}\\) to tier 2 now\\.$`));
    await waitFor('tier 2 page', () => w.hits('/sms-esc-t1') === 1);
    const a = await alert(id);
    assert.equal(a.state, 'new');
    assert.equal(a.timeline.find((t) => t.action === 'escalate')?.actor, `user:${name} via sms`);
  });

  it('the code may be left out while the number has exactly one open page; with two it must be given', async () => {
    const phone = '+15551230008';
    const first = await pagedBySms(phone);
    const second = await pagedBySms(phone, { userId: first.userId });
    assert.notEqual(first.code, second.code, 'two open alerts on one phone never share a code');
    const ambiguous = await inbound(phone, 'ack');
    assert.match(ambiguous.message, new RegExp(`^Klaxon: 2 alerts paged to this number are open; reply with the code, e.g\\. ACK (${first.code}|${second.code}); nothing changed\\.`));
    assert.deepEqual([(await alert(first.id)).state, (await alert(second.id)).state], ['new', 'new']);
    assert.match((await inbound(phone, `RES ${second.code}`)).message, /^Klaxon: resolved /);
    const bare = await inbound(phone, 'Ack');
    assert.match(bare.message, new RegExp(`^Klaxon: acknowledged .*\\(${first.code}\\)`));
    assert.equal((await alert(first.id)).state, 'acknowledged');
  });

  it('every page of an alert to a phone (each tier, SLA notices) carries the same code', async () => {
    const phone = '+15551230009';
    const first = await pagedBySms(phone);
    // A second alert for the same user whose policy pages them again after 5 minutes.
    const again = await pagedBySms(phone, { userId: first.userId, tiers: [{ delay_minutes: 5, targets: [{ type: 'user', id: first.userId }] }] });
    await w.env.sleep('6 minutes');
    const pagesOf = (service: string) => smsTo(phone).filter((m) => m.body.includes(`${service}:`));
    await waitFor('the tier 2 SMS', () => pagesOf(again.service).some((m) => m.body.includes('Tier 2, loop 1')));
    const codesOf = (service: string) => [...new Set(pagesOf(service).map((m) => /Reply ACK (\d{4}) \/ RES \1 \/ ESC \1$/.exec(m.body)?.[1]))];
    assert.ok(pagesOf(first.service).some((m) => m.body.startsWith('[SLA ')), 'SLA notices went to the phone too');
    assert.ok(pagesOf(again.service).length >= 3, 'tier 1, tier 2 and SLA notices');
    assert.deepEqual(codesOf(first.service), [first.code]);
    assert.deepEqual(codesOf(again.service), [again.code]);
    assert.notEqual(first.code, again.code);
    const { rows } = await w.db.pool.query('select alert_id, code from sms_reply_codes where address = $1 order by id', [phone]);
    assert.deepEqual(rows, [
      { alert_id: first.id, code: first.code },
      { alert_id: again.id, code: again.code },
    ]);
  });
});

describe('SMS reply codes and email links survive a retried send', () => {
  it('an attempt that failed at the provider is retried with the very same code and links', async () => {
    const phone = '+15551230010';
    const userId = await w.user('retry-user', [{ type: 'sms', address: phone }]);
    const { id } = await w.trigger({ service: 'svc-retry-direct' });
    const seen: Delivery[] = [];
    let failNext = true;
    const flaky: Notifier = {
      async send(d) {
        seen.push(d);
        if (failNext) {
          failNext = false;
          throw new TransientDeliveryError('provider timed out');
        }
        return { providerId: `p-${seen.length}` };
      },
    };
    const pages = createPageActivities({
      pool: w.db.pool,
      notifiers: { sms: flaky, email: flaky, webhook: flaky, voice: flaky },
      publicUrl: PUBLIC_URL,
      replyLinks: { key: replyLinkKey(w.db.pool), ttlMs: 24 * 3600_000 },
    });
    for (const channel of ['sms', 'email'] as const) {
      failNext = true;
      const input: SendPageInput = {
        idempotencyKey: `page:retry-direct:${channel}`,
        alertId: id,
        event: { eventId: 'e1', summary: 'Retry me', severity: 'high', service: 'svc-retry-direct', source: 'test', dedupKey: 'k', labels: {}, details: {}, links: [] },
        triggeredAt: new Date().toISOString(),
        kind: 'page',
        cycle: 0,
        loop: 0,
        tier: 0,
        scheduledAt: new Date().toISOString(),
        recipient: { target: { type: 'user', id: userId }, targetKey: `user:${userId}`, userId, channel, address: channel === 'sms' ? phone : 'retry@example.com' },
      };
      await assert.rejects(pages.sendPage(input), TransientDeliveryError);
      const retried = await pages.sendPage(input);
      assert.deepEqual(retried, { status: 'sent', providerId: `p-${seen.length}`, resent: true });
    }
    const [sms1, sms2, mail1, mail2] = seen.map((d) => d.message as PageMessage);
    assert.match(sms1!.replyCode ?? '', /^\d{4}$/);
    assert.equal(sms2!.replyCode, sms1!.replyCode);
    assert.match(mail1!.respondLinks?.acknowledge ?? '', /^http:\/\/klaxon\.test\/respond\/[\w-]+\.[\w-]+$/);
    assert.deepEqual(mail2!.respondLinks, mail1!.respondLinks);
  });
});

// ---------------------------------------------------------------------------------------------------

const mailsTo = (address: string) => w.smtp.messages.filter((m) => m.envelope.rcptTo.includes(address));

/** Pages a new user by email and returns the links of the email, pointed at the test server. */
async function pagedByEmail(address: string) {
  const service = `svc-mail-${++seq}`;
  const name = `mail-responder-${seq}`;
  const userId = await w.user(name, [{ type: 'email', address }]);
  await policyFor(service, [{ delay_minutes: 0, targets: [{ type: 'user', id: userId }] }]);
  const { id } = await w.trigger({ service, summary: `Latency <p99> & errors on ${service}` });
  await waitFor('the email page', () => mailsTo(address).length === 1);
  const text = mailsTo(address)[0]!.text ?? '';
  const link = (label: string) => {
    const url = new RegExp(`^${label}: (\\S+)$`, 'm').exec(text)?.[1];
    assert.ok(url?.startsWith(`${PUBLIC_URL}/respond/`), `a ${label} link to the public URL: ${text}`);
    return url!.replace(PUBLIC_URL, w.baseUrl);
  };
  return { id, name, userId, ack: link('Acknowledge'), resolve: link('Resolve'), snooze: link('Snooze 30 min') };
}

async function open(url: string, method: 'GET' | 'POST' = 'GET') {
  // A browser submitting the form; no API key anywhere.
  const res = await fetch(url, method === 'POST' ? { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=yes' } : {});
  return { status: res.status, headers: res.headers, html: await res.text() };
}

/** Returns the link with its token changed by `change`. */
function withToken(url: string, change: (token: string) => string): string {
  const [base, token] = url.split('/respond/') as [string, string];
  return `${base}/respond/${change(token)}`;
}

/** Returns the link with its claims changed and the original signature kept. */
function tamper(url: string, change: (claims: Record<string, unknown>) => void): string {
  return withToken(url, (token) => {
    const [body, sig] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    change(claims);
    return `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
  });
}

describe('email links', () => {
  it('Snooze 30 min asks first, then snoozes as the user via email until 30 minutes on', async () => {
    const { id, name, snooze } = await pagedByEmail('snooze@example.com');
    const shown = await open(snooze);
    assert.equal(shown.status, 200);
    assert.match(shown.html, /<h1>Snooze 30 min this alert\?<\/h1>/);
    assert.equal((await alert(id)).state, 'new', 'opening the link changes nothing');
    const done = await open(snooze, 'POST');
    assert.equal(done.status, 200, done.html);
    assert.match(done.html, /<h1>Snoozed<\/h1>/);
    assert.match(done.html, /It pages again at \S+ unless resolved\./);
    const a = await alert(id);
    assert.equal(a.state, 'acknowledged');
    assert.ok(a.timeline.some((t) => t.action === 'snooze' && t.actor === `user:${name} via email`), JSON.stringify(a.timeline));
    const until = Date.parse((await w.view(id)).snoozedUntil!);
    assert.equal(until - Date.parse(a.timeline.find((t) => t.action === 'snooze')!.at), 30 * 60_000);
    assert.equal((await open(snooze, 'POST')).status, 410, 'it works once');
  });

  it('GET only shows a confirmation page with a form; POST acknowledges as the user via email; a replay is refused', async () => {
    const { id, name, ack } = await pagedByEmail('ack@example.com');
    const shown = await open(ack);
    assert.equal(shown.status, 200);
    assert.match(shown.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(shown.headers.get('cache-control'), 'no-store');
    assert.equal(shown.headers.get('referrer-policy'), 'no-referrer');
    assert.match(shown.html, /<h1>Acknowledge this alert\?<\/h1>/);
    assert.match(shown.html, /<form method="post">.*<button type="submit">Acknowledge<\/button><\/form>/);
    assert.ok(shown.html.includes('Latency &lt;p99&gt; &amp; errors'), 'the summary is escaped');
    assert.ok(!shown.html.includes('<p99>'));
    // A mail scanner (or a second look) prefetching the link changes nothing.
    await open(ack);
    await fetch(ack, { method: 'HEAD' });
    let a = await alert(id);
    assert.equal(a.state, 'new');
    assert.ok(!a.timeline.some((t) => t.action === 'acknowledge'));

    // A POST without the form's confirmation (a scanner, a forged cross-site form) is shown the button.
    for (const body of ['', 'confirm=no', 'confirm=YES&x=1']) {
      const unconfirmed = await fetch(ack, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      const html = await unconfirmed.text();
      assert.equal(unconfirmed.status, 400, body);
      assert.match(html, /<form method="post">.*<button type="submit">Acknowledge<\/button><\/form>/);
      assert.match(html, /Nothing was changed\./);
    }
    a = await alert(id);
    assert.equal(a.state, 'new', 'nothing acknowledged without the confirmation');

    const done = await open(ack, 'POST');
    assert.equal(done.status, 200, done.html);
    assert.match(done.html, /<h1>Acknowledged<\/h1>/);
    assert.match(done.html, /<th>State<\/th><td>acknowledged<\/td>/);
    a = await alert(id);
    assert.equal(a.state, 'acknowledged');
    const entry = a.timeline.find((t) => t.action === 'acknowledge');
    assert.equal(entry?.actor, `user:${name} via email`);

    const replay = await open(ack, 'POST');
    assert.equal(replay.status, 410);
    assert.match(replay.html, /<h1>This link was already used<\/h1>/);
    assert.match(replay.html, /Nothing was changed\./);
    assert.equal((await open(ack)).status, 410, 'the GET says so too');
    const after = await alert(id);
    assert.equal(after.state, 'acknowledged');
    assert.equal(after.timeline.length, a.timeline.length);
  });

  it('the resolve link resolves; a link whose action is refused by the alert state changes nothing and stays usable', async () => {
    const { id, ack, resolve } = await pagedByEmail('resolve@example.com');
    assert.equal((await open(resolve, 'POST')).status, 200);
    const resolved = await alert(id);
    assert.equal(resolved.state, 'resolved');
    const shown = await open(ack);
    assert.equal(shown.status, 409);
    assert.match(shown.html, /<h1>This alert is resolved<\/h1>/);
    assert.doesNotMatch(shown.html, /<form/);
    const refused = await open(ack, 'POST');
    assert.equal(refused.status, 409);
    assert.match(refused.html, /<h1>Nothing was changed<\/h1>.*cannot acknowledge an alert that is resolved/s);
    assert.equal((await alert(id)).timeline.length, resolved.timeline.length);
    const { rows } = await w.db.pool.query('select count(*)::int as n from reply_link_uses where alert_id = $1', [id]);
    assert.equal(rows[0].n, 1, 'only the resolve link counts as used');
    // Reopened, the alert can be acknowledged with the same, still unused link.
    assert.equal((await w.request('POST', `/alerts/${id}/reopen`, {})).status, 200);
    assert.equal((await open(ack, 'POST')).status, 200);
    assert.equal((await alert(id)).state, 'acknowledged');
  });

  it('a tampered link is refused with a clear page, and nothing changes', async () => {
    const { id, ack } = await pagedByEmail('tamper@example.com');
    const otherAlert = (await w.trigger({ service: 'svc-tamper-other' })).id;
    const variants = [
      tamper(ack, (c) => (c.action = 'resolve')),
      tamper(ack, (c) => (c.alertId = otherAlert)),
      tamper(ack, (c) => (c.exp = (c.exp as number) + 365 * 86400)),
      withToken(ack, (t) => t.slice(0, -2) + (t.endsWith('A') ? 'BB' : 'AA')),
      withToken(ack, (t) => t.replace('.', '')),
      withToken(ack, (t) => `${t.split('.')[0]}.${'A'.repeat(43)}`),
      withToken(ack, () => 'not-a-token'),
    ];
    for (const url of variants) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await open(url, method);
        assert.equal(res.status, 400, `${method} ${url}`);
        assert.match(res.html, /<h1>This link is not valid<\/h1>/);
        assert.match(res.html, /Nothing was changed\./);
      }
    }
    assert.equal((await alert(id)).state, 'new');
    assert.equal((await alert(otherAlert)).state, 'new');
    // The genuine link still works.
    assert.equal((await open(ack, 'POST')).status, 200);
  });

  it('links and reply codes of a user deleted since the page no longer act', async () => {
    const { id, userId, ack } = await pagedByEmail('gone@example.com');
    const phone = '+15551230011';
    assert.equal((await w.request('POST', `/users/${userId}/contact-methods`, { type: 'sms', address: phone })).status, 201);
    const other = await pagedBySms(phone, { userId });
    assert.equal((await w.request('DELETE', `/users/${userId}`)).status, 204);
    const res = await open(ack, 'POST');
    assert.equal(res.status, 403);
    assert.match(res.html, /<h1>This link no longer works<\/h1>/);
    const sms = await inbound(phone, `ACK ${other.code}`);
    assert.match(sms.message, /^Klaxon: the user paged for .* no longer exists; nothing changed\.$/);
    assert.deepEqual([(await alert(id)).state, (await alert(other.id)).state], ['new', 'new']);
  });

  // Last: it moves the time-skipping clock a day forward.
  it('an expired link is refused with a clear page, and nothing changes', async () => {
    const { id, ack } = await pagedByEmail('expired@example.com');
    await w.env.sleep('23 hours');
    assert.equal((await open(ack)).status, 200, 'still valid within 24 hours');
    await w.env.sleep('2 hours');
    for (const method of ['GET', 'POST'] as const) {
      const res = await open(ack, method);
      assert.equal(res.status, 410, method);
      assert.match(res.html, /<h1>This link has expired<\/h1>/);
      assert.match(res.html, /Nothing was changed\./);
    }
    const a = await alert(id);
    assert.equal(a.state, 'new');
    assert.ok(!a.timeline.some((t) => t.action === 'acknowledge'));
  });
});
