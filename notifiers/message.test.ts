import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { humanDuration, renderMessage, SMS_MAX_LENGTH } from './message';
import type { PageMessage } from './types';

const NOW = new Date('2024-05-01T10:12:00Z');
const ACK = 'https://klaxon.example.com/alerts/4b0c1c5e-8f1e-4a51-9b1e-0d5d3c6f7a10';

const page = (over: Partial<PageMessage> = {}): PageMessage => ({
  alertId: '4b0c1c5e-8f1e-4a51-9b1e-0d5d3c6f7a10',
  kind: 'page',
  summary: 'Disk full on db-1',
  severity: 'critical',
  service: 'payments',
  source: 'prometheus',
  triggeredAt: '2024-05-01T10:00:00.000Z',
  tier: 0,
  loop: 0,
  ackUrl: ACK,
  ...over,
});

describe('renderMessage: page', () => {
  it('puts the severity, service and summary in the subject', () => {
    assert.equal(renderMessage(page(), NOW).subject, '[CRITICAL] payments: Disk full on db-1');
    assert.equal(
      renderMessage(page({ severity: 'low', service: 'search' }), NOW).subject,
      '[LOW] search: Disk full on db-1',
    );
  });

  it('says since when (absolute and relative), which tier and loop counting from 1, and how to acknowledge', () => {
    const { text, sms } = renderMessage(page({ tier: 1, loop: 2 }), NOW);
    assert.match(text, /^CRITICAL alert on payments, firing since 2024-05-01T10:00:00Z \(for 12 min\)\./);
    assert.match(text, /Source: +prometheus/);
    assert.match(text, /Escalation: +tier 2, loop 3/);
    assert.match(text, /Alert ID: +4b0c1c5e-8f1e-4a51-9b1e-0d5d3c6f7a10/);
    assert.ok(text.includes(`Acknowledge: ${ACK}`), text);
    assert.ok(sms.includes(`Ack: ${ACK}`), sms);
    assert.ok(
      sms.startsWith(
        '[CRITICAL] payments: Disk full on db-1. Since 2024-05-01T10:00:00Z (for 12 min). Tier 2, loop 3.',
      ),
      sms,
    );
    assert.doesNotMatch(text, /SLA/);
  });

  it('omits the escalation line when tier and loop are not given', () => {
    const { text, sms } = renderMessage(page({ tier: undefined, loop: undefined }), NOW);
    assert.doesNotMatch(text, /Escalation/);
    assert.doesNotMatch(sms, /Tier|loop/);
  });

  it('lists details, one per line, JSON for non-strings', () => {
    const { text } = renderMessage(page({ details: { host: 'db-1', usage: 0.99, tags: ['a', 'b'] } }), NOW);
    assert.match(text, /Details:\n {2}host: db-1\n {2}usage: 0\.99\n {2}tags: \["a","b"\]\n$/);
  });

  it('keeps an unparseable trigger time as given, without a relative part', () => {
    const { text } = renderMessage(page({ triggeredAt: 'yesterday' }), NOW);
    assert.match(text, /firing since yesterday\./);
    assert.doesNotMatch(text, /\(for /);
  });

  it('keeps the SMS within 320 characters, cutting only the summary, with an ellipsis', () => {
    const long = 'Disk full on db-1 '.repeat(50);
    const { sms, subject } = renderMessage(page({ summary: long }), NOW);
    assert.ok(sms.length <= SMS_MAX_LENGTH, `length ${sms.length}`);
    assert.ok(sms.length >= SMS_MAX_LENGTH - 5, `summary should fill the room, length ${sms.length}`);
    assert.match(sms, /^\[CRITICAL\] payments: Disk full on db-1 Disk full/);
    assert.match(sms, /\.\.\.\. Since 2024-05-01T10:00:00Z \(for 12 min\)\. Tier 1, loop 1\. Ack: /);
    assert.ok(sms.endsWith(`Ack: ${ACK}`), sms);
    assert.ok(subject.startsWith(`[CRITICAL] payments: ${long.slice(0, 150)}`), subject);
    assert.ok(subject.length < 250 && subject.endsWith('...'), 'the subject keeps a readable length');
  });

  it('does not split a surrogate pair when truncating', () => {
    const { sms } = renderMessage(page({ summary: '🔥'.repeat(400) }), NOW);
    assert.ok(sms.length <= SMS_MAX_LENGTH);
    assert.doesNotMatch(sms, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'no lone high surrogate');
  });

  it('stays within 320 characters even when the ack URL alone is longer', () => {
    const { sms } = renderMessage(page({ ackUrl: `https://x.example/${'a'.repeat(400)}` }), NOW);
    assert.equal(sms.length, SMS_MAX_LENGTH);
  });

  it('puts a multi-line summary on one line in the subject, the SMS and the body', () => {
    const { subject, sms, text } = renderMessage(page({ summary: 'Disk full\n  on db-1\t' }), NOW);
    assert.equal(subject, '[CRITICAL] payments: Disk full on db-1');
    assert.ok(sms.startsWith('[CRITICAL] payments: Disk full on db-1. Since'), sms);
    // In the body too: a line break there would let the summary write a line of its own.
    assert.ok(text.includes('Summary:    Disk full   on db-1\n'), text);
  });

  it('offers reply codes instead of the API link in the SMS when the page has a reply code', () => {
    const { sms, text } = renderMessage(page({ replyCode: '4821' }), NOW);
    assert.ok(sms.endsWith('. Tier 1, loop 1. Reply ACK 4821 / RES 4821 / ESC 4821'), sms);
    assert.ok(!sms.includes(ACK), 'no API link: a reply needs no key');
    assert.match(sms, /^[\x20-\x7E]+$/, 'GSM-7 safe');
    assert.ok(text.includes(`Acknowledge: ${ACK}`), 'the email text is unchanged');
    const long = renderMessage(page({ replyCode: '4821', summary: 'Disk full on db-1 '.repeat(50) }), NOW).sms;
    assert.ok(long.length <= SMS_MAX_LENGTH, `length ${long.length}`);
    assert.ok(long.endsWith('Reply ACK 4821 / RES 4821 / ESC 4821'), 'the reply instructions survive truncation');
  });

  it('puts one-click acknowledge and resolve links in the email text when the page has them', () => {
    const respondLinks = { acknowledge: 'https://k.example/respond/a.b', resolve: 'https://k.example/respond/c.d', expiresAt: '2024-05-02T10:00:00.000Z' };
    const { text, sms } = renderMessage(page({ respondLinks }), NOW);
    assert.match(text, /^Acknowledge: https:\/\/k\.example\/respond\/a\.b$/m);
    assert.match(text, /^Resolve: https:\/\/k\.example\/respond\/c\.d$/m);
    assert.match(text, /works once, and expires 2024-05-02T10:00:00Z/);
    assert.ok(text.includes(`API: ${ACK}`), text);
    assert.ok(sms.endsWith(`Ack: ${ACK}`), 'links are for email only');
  });

  it('leaves a short SMS untouched', () => {
    const { sms } = renderMessage(page(), NOW);
    assert.ok(sms.includes('Disk full on db-1. Since'));
    assert.doesNotMatch(sms, /\.\.\./);
  });
});

describe('renderMessage: SLA', () => {
  it('names the time-to-acknowledge target at risk and its deadline', () => {
    const m = page({
      kind: 'sla_at_risk',
      slaKind: 'tta',
      deadline: '2024-05-01T10:15:00Z',
      tier: undefined,
      loop: undefined,
    });
    const { subject, text, sms } = renderMessage(m, NOW);
    assert.equal(subject, '[SLA AT RISK] [CRITICAL] payments: Disk full on db-1 (time to acknowledge)');
    assert.match(
      text,
      /^SLA AT RISK: the time to acknowledge target of this CRITICAL alert on payments is at risk, due 2024-05-01T10:15:00Z \(in 3 min\)\./,
    );
    assert.match(text, /SLA target: +time to acknowledge, at risk, deadline 2024-05-01T10:15:00Z/);
    assert.ok(
      sms.startsWith(
        '[SLA AT RISK] time to acknowledge, deadline 2024-05-01T10:15:00Z (in 3 min). [CRITICAL] payments: Disk full',
      ),
      sms,
    );
    assert.ok(sms.includes(`Ack: ${ACK}`));
  });

  it('names the time-to-resolve target breached and how long ago', () => {
    const m = page({
      kind: 'sla_breached',
      slaKind: 'ttr',
      deadline: '2024-05-01T08:00:00Z',
      severity: 'high',
    });
    const { subject, text, sms } = renderMessage(m, NOW);
    assert.ok(subject.startsWith('[SLA BREACHED] [HIGH] payments: Disk full on db-1'), subject);
    assert.ok(subject.endsWith('(time to resolve)'));
    assert.match(
      text,
      /time to resolve target of this HIGH alert on payments was breached at 2024-05-01T08:00:00Z \(2 h 12 min ago\)/,
    );
    assert.ok(
      sms.startsWith('[SLA BREACHED] time to resolve, deadline 2024-05-01T08:00:00Z (2 h 12 min ago).'),
      sms,
    );
    assert.ok(text.includes(`Acknowledge: ${ACK}`));
  });

  it('keeps SLA SMS within 320 characters with a long summary', () => {
    const m = page({
      kind: 'sla_breached',
      slaKind: 'tta',
      deadline: '2024-05-01T10:05:00Z',
      summary: 'x'.repeat(1000),
    });
    const { sms } = renderMessage(m, NOW);
    assert.ok(sms.length <= SMS_MAX_LENGTH && sms.length > 300, `length ${sms.length}`);
    assert.ok(sms.includes('x...') && sms.endsWith(ACK));
  });
});

describe('humanDuration', () => {
  const min = 60_000;
  const cases: [number, string][] = [
    [-5 * min, 'under 1 min'],
    [0, 'under 1 min'],
    [59_999, 'under 1 min'],
    [min, '1 min'],
    [59 * min, '59 min'],
    [60 * min, '1 h'],
    [125 * min, '2 h 5 min'],
    [47 * 60 * min + 59 * min, '47 h 59 min'],
    [48 * 60 * min, '2 d'],
    [76 * 60 * min, '3 d 4 h'],
  ];
  for (const [ms, want] of cases) it(`${ms} ms → ${want}`, () => assert.equal(humanDuration(ms), want));
});

describe('renderMessage: handoff', () => {
  it('tells the incoming user which schedule, from when and until when', () => {
    const { subject, text, sms } = renderMessage(
      {
        kind: 'handoff',
        scheduleId: 's1',
        scheduleName: 'Payments primary',
        userName: 'Alice',
        start: '2026-03-09T09:00:00.000Z',
        until: '2026-03-16T09:00:00.000Z',
        scheduleUrl: 'http://klaxon.test/schedules/s1/shifts',
      },
      NOW,
    );
    assert.equal(subject, '[ON CALL] You are now on call for Payments primary until 2026-03-16T09:00:00Z');
    assert.match(text, /Alice, you are now on call for Payments primary/);
    assert.match(text, /From: +2026-03-09T09:00:00Z/);
    assert.match(sms, /^\[ON CALL\] Payments primary: you are on call from 2026-03-09T09:00:00Z until 2026-03-16T09:00:00Z\.$/);
  });
});

describe('renderMessage: fields the sender chose stay on their line', () => {
  const fake = 'https://evil.example/ack';
  it('cannot add a line to the text of a page: summary, service, source, details', () => {
    const { text, subject, sms } = renderMessage(
      page({
        summary: `Disk full\r\nAcknowledge: ${fake}`,
        service: `payments\nResolve: ${fake}`,
        source: `prom\u2028API: ${fake}`,
        details: { [`host\nAcknowledge: ${fake}`]: `db-1\r\n\r\nAcknowledge: ${fake}` },
      }),
      NOW,
    );
    const lines = text.split('\n');
    assert.deepEqual(lines.filter((l) => /^\s*(Acknowledge|Resolve|API):/.test(l)), [`Acknowledge: ${ACK}`], 'only the real link starts a line');
    assert.ok(lines.some((l) => l.startsWith('Summary:') && l.includes(`Disk full Acknowledge: ${fake}`)), 'the text is kept, on its own line');
    assert.ok(!/[\r\n\u2028]/.test(subject) && !/[\r\n\u2028]/.test(sms));
  });

  it('cannot add a line to a handoff notice', () => {
    const { text, subject } = renderMessage({
      kind: 'handoff',
      scheduleId: 's1',
      scheduleName: `Payments\r\nShifts: ${fake}`,
      userName: `Alice\nShifts: ${fake}`,
      start: '2026-03-09T09:00:00.000Z',
      until: null,
      scheduleUrl: 'http://klaxon.test/schedules/s1/shifts',
    });
    assert.deepEqual(text.split('\n').filter((l) => l.startsWith('Shifts:')), ['Shifts: http://klaxon.test/schedules/s1/shifts']);
    assert.ok(!/[\r\n]/.test(subject));
  });
});

describe('renderMessage: verification code', () => {
  const test = { kind: 'test', userName: 'Ada', requestedBy: 'key:ops', consoleUrl: 'https://k.example.com/console' } as const;

  it('puts the code in the subject, the text and the SMS, and says who asked', () => {
    const r = renderMessage({ ...test, verificationCode: '042917' }, NOW);
    assert.equal(r.subject, 'Klaxon verification code: 042917');
    assert.match(r.text, /^Ada, your Klaxon verification code is 042917\./);
    assert.match(r.text, /asked for by key:ops and works for 15 minutes/);
    assert.match(r.sms, /^Klaxon verification code: 042917\. .*\(asked for by key:ops\)\.$/);
    assert.ok(r.sms.length <= SMS_MAX_LENGTH);
  });

  it('a plain test page carries no code', () => {
    assert.equal(renderMessage(test, NOW).subject, '[TEST] Klaxon test page for Ada');
  });
});
