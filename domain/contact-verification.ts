/**
 * Verifying a contact method: a six-digit code sent to it and typed back. The code is derived from the
 * request (so a retried send carries the same one) with a key the install keeps; only its hash is
 * stored. Pure: the key and the clock are the caller's.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** How long a code works. */
export const VERIFICATION_TTL_MS = 15 * 60_000;
/** Wrong codes allowed before the code stops working (a new one must be sent). */
export const MAX_VERIFICATION_ATTEMPTS = 5;
/** The channels a code can be sent on: a webhook has nobody to read it back. */
export const VERIFIABLE = ['email', 'sms', 'voice'] as const;

/** Returns the six-digit code of one verification request to one method. */
export function verificationCode(key: Buffer, requestId: string, methodId: string): string {
  const n = createHmac('sha256', key).update(`verify\0${requestId}\0${methodId}`).digest().readUInt32BE(0);
  return String(n % 1_000_000).padStart(6, '0');
}

/** Returns the stored form of a code (bound to its method, so equal codes of two methods differ). */
export function verificationHash(methodId: string, code: string): string {
  return createHash('sha256').update(`${methodId}\0${code}`).digest('hex');
}

export interface PendingVerification {
  code_hash: string;
  expires_at: Date;
  attempts: number;
}

export type VerificationCheck = 'ok' | 'wrong' | 'expired' | 'too_many' | 'none';

/** Returns whether `code` verifies the method, given its pending verification (if any) and the time. */
export function checkVerification(
  methodId: string,
  pending: PendingVerification | undefined,
  code: string,
  nowMs: number,
): VerificationCheck {
  if (!pending) return 'none';
  if (nowMs >= pending.expires_at.getTime()) return 'expired';
  if (pending.attempts >= MAX_VERIFICATION_ATTEMPTS) return 'too_many';
  const given = Buffer.from(verificationHash(methodId, code), 'hex');
  const stored = Buffer.from(pending.code_hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored) ? 'ok' : 'wrong';
}

/** Returns the code as read out on a call: digit by digit, "1, 2, 3, 4, 5, 6". */
export function spokenCode(code: string): string {
  return [...code].join(', ');
}
