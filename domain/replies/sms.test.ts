import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizePhone, parseSmsReply } from './sms';

describe('SMS reply parsing', () => {
  it('reads the action word and the code, in any case and spacing', () => {
    assert.deepEqual(parseSmsReply('ACK 4821'), { kind: 'action', action: 'acknowledge', code: '4821' });
    assert.deepEqual(parseSmsReply('  res   4821 '), { kind: 'action', action: 'resolve', code: '4821' });
    assert.deepEqual(parseSmsReply('Esc4821'), { kind: 'action', action: 'escalate', code: '4821' });
    assert.deepEqual(parseSmsReply('ack #4821.'), { kind: 'action', action: 'acknowledge', code: '4821' });
    assert.deepEqual(parseSmsReply('Acknowledge 4821'), { kind: 'action', action: 'acknowledge', code: '4821' });
    assert.deepEqual(parseSmsReply('4821 resolve'), { kind: 'action', action: 'resolve', code: '4821' });
  });

  it('accepts the word alone (the code is then inferred when the number has one open page)', () => {
    assert.deepEqual(parseSmsReply('ack'), { kind: 'action', action: 'acknowledge' });
    assert.deepEqual(parseSmsReply('RES!'), { kind: 'action', action: 'resolve' });
  });

  it('answers help, and leaves everything else unknown', () => {
    assert.deepEqual(parseSmsReply('help'), { kind: 'help' });
    for (const body of ['', 'ok', 'ACK 48211', 'ACK 482', 'ACKNOWLEDGED 4821', 'ack 4821 please', 'STOP']) {
      assert.deepEqual(parseSmsReply(body), { kind: 'unknown' }, body);
    }
  });

  it('normalizes phone numbers to E.164 digits', () => {
    assert.equal(normalizePhone('+1 (555) 123-0001'), '+15551230001');
    assert.equal(normalizePhone('+15551230001'), '+15551230001');
  });
});

describe('SMS snooze replies', () => {
  it('read the code and the minutes, either of them optional', () => {
    assert.deepEqual(parseSmsReply('SNOOZE 4821 30'), { kind: 'action', action: 'snooze', code: '4821', minutes: 30 });
    assert.deepEqual(parseSmsReply('snz #4821 45m'), { kind: 'action', action: 'snooze', code: '4821', minutes: 45 });
    assert.deepEqual(parseSmsReply('Snooze 4821'), { kind: 'action', action: 'snooze', code: '4821' });
    assert.deepEqual(parseSmsReply('snooze 15 min'), { kind: 'action', action: 'snooze', minutes: 15 });
    assert.deepEqual(parseSmsReply('snooze'), { kind: 'action', action: 'snooze' });
    assert.deepEqual(parseSmsReply('snooze later'), { kind: 'unknown' });
  });
});
