import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkNonce, signLink, verifyLink, type LinkClaims } from './links';

const key = Buffer.alloc(32, 7);
const otherKey = Buffer.alloc(32, 8);
const NOW = Date.parse('2024-05-01T10:00:00Z');
const claims = (over: Partial<LinkClaims> = {}): LinkClaims => ({
  alertId: '7d7f0c36-1f7e-4c43-a3a5-5a1f1c1f2b10',
  action: 'acknowledge',
  userId: '0b1c2d3e-4f50-4617-8899-aabbccddeeff',
  exp: NOW / 1000 + 3600,
  nonce: linkNonce(key, 'page:a:b:c', 'acknowledge'),
  ...over,
});

describe('email reply links', () => {
  it('verifies a link it signed and returns its claims', () => {
    const token = signLink(key, claims());
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(verifyLink(key, token, NOW), { ok: true, claims: claims() });
  });

  it('derives the same nonce for the same page and action, and different ones otherwise', () => {
    assert.equal(linkNonce(key, 'page:1', 'acknowledge'), linkNonce(key, 'page:1', 'acknowledge'));
    assert.notEqual(linkNonce(key, 'page:1', 'acknowledge'), linkNonce(key, 'page:1', 'resolve'));
    assert.notEqual(linkNonce(key, 'page:1', 'acknowledge'), linkNonce(key, 'page:2', 'acknowledge'));
    assert.notEqual(linkNonce(key, 'page:1', 'acknowledge'), linkNonce(otherKey, 'page:1', 'acknowledge'));
    assert.equal(signLink(key, claims()), signLink(key, claims()), 'a retried send carries the same link');
  });

  it('refuses a link signed with another key', () => {
    assert.deepEqual(verifyLink(otherKey, signLink(key, claims()), NOW), { ok: false, reason: 'invalid' });
  });

  it('refuses a link whose claims were changed, even with the old signature', () => {
    const [, sig] = signLink(key, claims()).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ action: 'resolve' }))).toString('base64url');
    assert.equal(verifyLink(key, `${forged}.${sig}`, NOW).ok, false);
  });

  it('refuses malformed tokens', () => {
    const token = signLink(key, claims());
    for (const bad of ['', 'abc', `${token}.x`, token.replace('.', ''), `${token}=`, `${token.slice(0, -1)}`, `a b.${token.split('.')[1]}`, 'x'.repeat(5000)]) {
      assert.deepEqual(verifyLink(key, bad, NOW), { ok: false, reason: 'invalid' }, bad.slice(0, 40));
    }
  });

  it('refuses an expired link, after checking that it is genuine', () => {
    const token = signLink(key, claims());
    assert.equal(verifyLink(key, token, NOW + 3600_000 - 1).ok, true);
    const late = verifyLink(key, token, NOW + 3600_000);
    assert.equal(late.ok, false);
    assert.equal(!late.ok && late.reason, 'expired');
    assert.deepEqual(verifyLink(otherKey, token, NOW + 3600_000), { ok: false, reason: 'invalid' });
  });
});
