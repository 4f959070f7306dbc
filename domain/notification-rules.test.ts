import assert from 'node:assert/strict';
import { test } from 'node:test';
import { methodsByRules, rulesProblem } from './notification-rules';

const sms = { id: 'm-sms', type: 'sms' };
const voice = { id: 'm-voice', type: 'voice' };
const email = { id: 'm-email', type: 'email' };
const rule = (contact_method_id: string, delay_minutes: number) => ({
  user_id: 'u',
  contact_method_id,
  delay_minutes,
});

test('without rules every method pages at once, in the order given', () => {
  assert.deepEqual(methodsByRules([sms, voice, email], []), [
    { method: sms, delayMinutes: 0 },
    { method: voice, delayMinutes: 0 },
    { method: email, delayMinutes: 0 },
  ]);
});

test('with rules only the named methods page, in rule order, at their delays', () => {
  assert.deepEqual(methodsByRules([email, sms, voice], [rule('m-voice', 2), rule('m-sms', 0)]), [
    { method: voice, delayMinutes: 2 },
    { method: sms, delayMinutes: 0 },
  ]);
});

test('a rule whose method is gone pages nothing for it', () => {
  assert.deepEqual(methodsByRules([sms], [rule('m-gone', 0), rule('m-sms', 5)]), [
    { method: sms, delayMinutes: 5 },
  ]);
});

test('rules must name the user own methods, each once', () => {
  const own = new Set(['m-sms', 'm-voice']);
  assert.equal(rulesProblem([], own), null);
  assert.equal(
    rulesProblem(
      [
        { contact_method_id: 'm-sms', delay_minutes: 0 },
        { contact_method_id: 'm-voice', delay_minutes: 2 },
      ],
      own,
    ),
    null,
  );
  assert.deepEqual(
    rulesProblem(
      [
        { contact_method_id: 'm-sms', delay_minutes: 0 },
        { contact_method_id: 'other', delay_minutes: 1 },
      ],
      own,
    ),
    {
      index: 1,
      field: 'contact_method_id',
      message: "not one of this user's contact methods",
    },
  );
  assert.deepEqual(
    rulesProblem(
      [
        { contact_method_id: 'm-sms', delay_minutes: 0 },
        { contact_method_id: 'm-sms', delay_minutes: 3 },
      ],
      own,
    ),
    {
      index: 1,
      field: 'contact_method_id',
      message: 'this contact method already has a rule',
    },
  );
});
