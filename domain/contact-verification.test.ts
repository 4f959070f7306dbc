import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  checkVerification,
  MAX_VERIFICATION_ATTEMPTS,
  spokenCode,
  verificationCode,
  verificationHash,
} from './contact-verification';

const KEY = Buffer.alloc(32, 3);
const M = '4b0c1c5e-8f1e-4a51-9b1e-0d5d3c6f7a10';

it('derives a six-digit code per request and method, the same on a retry', () => {
  const code = verificationCode(KEY, 'r1', M);
  assert.match(code, /^\d{6}$/);
  assert.equal(verificationCode(KEY, 'r1', M), code);
  const others = new Set(['r2', 'r3', 'r4', 'r5'].map((r) => verificationCode(KEY, r, M)));
  assert.ok(others.size >= 3, 'other requests get other codes');
});

it('accepts the code until it expires or too many wrong ones were tried', () => {
  const pending = { code_hash: verificationHash(M, '123456'), expires_at: new Date(10_000), attempts: 0 };
  assert.equal(checkVerification(M, pending, '123456', 9_999), 'ok');
  assert.equal(checkVerification(M, pending, '123457', 9_999), 'wrong');
  assert.equal(checkVerification(M, pending, '123456', 10_000), 'expired');
  assert.equal(
    checkVerification(M, { ...pending, attempts: MAX_VERIFICATION_ATTEMPTS }, '123456', 0),
    'too_many',
  );
  assert.equal(checkVerification(M, undefined, '123456', 0), 'none');
  assert.equal(
    checkVerification('00000000-0000-4000-8000-000000000000', pending, '123456', 0),
    'wrong',
    'bound to its method',
  );
});

it('reads a code digit by digit', () => {
  assert.equal(spokenCode('042917'), '0, 4, 2, 9, 1, 7');
});
