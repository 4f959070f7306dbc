import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signLink, verifyLink } from './links';
import { signVoiceToken, unansweredReason, verifyVoiceToken, voiceAction, voicePageId } from './voice';

const KEY = Buffer.alloc(32, 7);
const claims = {
  alertId: '4b0c1c5e-8f1e-4a51-9b1e-0d5d3c6f7a10',
  userId: '9d9b2a4e-1f7c-4c1e-8a55-2c3d4e5f6a7b',
  page: voicePageId(KEY, 'alert:1:tier:0:user:voice:+15551230001'),
  exp: 2_000_000_000,
};

describe('voice tokens', () => {
  it('verify with the key they were signed with, until they expire', () => {
    const token = signVoiceToken(KEY, claims);
    assert.deepEqual(verifyVoiceToken(KEY, token, 1_000), { ok: true, claims });
    assert.deepEqual(verifyVoiceToken(KEY, token, claims.exp * 1000), {
      ok: false,
      reason: 'expired',
      claims,
    });
    assert.deepEqual(verifyVoiceToken(Buffer.alloc(32, 8), token, 1_000), { ok: false, reason: 'invalid' });
  });

  it('refuse any change to the claims or the signature', () => {
    const token = signVoiceToken(KEY, claims);
    const [body, sig] = token.split('.') as [string, string];
    const other = Buffer.from(
      JSON.stringify({ ...claims, alertId: '00000000-0000-4000-8000-000000000000' }),
    ).toString('base64url');
    for (const bad of [
      `${other}.${sig}`,
      `${body}.${sig.slice(0, -1)}A`,
      body,
      `${token}.x`,
      '',
      'a.b',
      `${body}.${sig}=`,
    ]) {
      assert.equal(verifyVoiceToken(KEY, bad, 1_000).ok, false, bad);
    }
  });

  it('are not email links, and email links are not voice tokens, though signed with the same key', () => {
    const link = signLink(KEY, {
      alertId: claims.alertId,
      userId: claims.userId,
      action: 'acknowledge',
      exp: claims.exp,
      nonce: 'n'.repeat(24),
    });
    assert.equal(verifyVoiceToken(KEY, link, 1_000).ok, false);
    assert.equal(verifyLink(KEY, signVoiceToken(KEY, claims), 1_000).ok, false);
  });

  it('carry a page id that is the same for the same page key and differs between pages', () => {
    assert.equal(voicePageId(KEY, 'a'), voicePageId(KEY, 'a'));
    assert.notEqual(voicePageId(KEY, 'a'), voicePageId(KEY, 'b'));
  });
});

describe('voice keys and call outcomes', () => {
  it('1 acknowledges, 2 escalates, anything else does nothing', () => {
    assert.equal(voiceAction('1'), 'acknowledge');
    assert.equal(voiceAction('2'), 'escalate');
    for (const d of [undefined, '', '3', '12', '#', '*', '0'])
      assert.equal(voiceAction(d), undefined, String(d));
  });

  it('counts voicemail, fax, no answer, busy, failed and cancelled as not answered; a person as answered', () => {
    assert.equal(unansweredReason('completed', 'machine_start'), 'voicemail');
    assert.equal(unansweredReason('completed', 'machine_end_beep'), 'voicemail');
    assert.equal(unansweredReason('completed', 'fax'), 'a fax answered');
    assert.equal(unansweredReason('no-answer', undefined), 'no answer');
    assert.equal(unansweredReason('busy', undefined), 'busy');
    assert.equal(unansweredReason('failed', undefined), 'the call failed');
    assert.equal(unansweredReason('canceled', undefined), 'cancelled');
    assert.equal(unansweredReason('completed', 'human'), undefined);
    assert.equal(unansweredReason('completed', 'unknown'), undefined);
    assert.equal(unansweredReason('completed', undefined), undefined);
  });
});
