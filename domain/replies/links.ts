/**
 * One-click email links: a token is base64url(JSON claims) "." base64url(HMAC-SHA256(key, first part)),
 * bound to an alert, an action and the paged user, with an expiry and a nonce that makes each link single
 * use. Pure: the key and the clock are the caller's.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_SNOOZE_MINUTES } from '../snooze';

export const LINK_ACTIONS = ['acknowledge', 'resolve', 'snooze'] as const;
/** How long a link works unless configured otherwise (REPLY_LINK_TTL_HOURS). */
export const DEFAULT_LINK_TTL_MS = 24 * 60 * 60_000;
export type LinkAction = (typeof LINK_ACTIONS)[number];
/** How a link's action is named on its button, and what it did (a snooze link snoozes for the default minutes). */
export const LINK_VERB: Record<LinkAction, string> = { acknowledge: 'Acknowledge', resolve: 'Resolve', snooze: `Snooze ${DEFAULT_SNOOZE_MINUTES} min` };
export const LINK_DONE: Record<LinkAction, string> = { acknowledge: 'acknowledged', resolve: 'resolved', snooze: 'snoozed' };

export interface LinkClaims {
  alertId: string;
  action: LinkAction;
  userId: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  nonce: string;
}

const claimsSchema = z.strictObject({
  alertId: z.uuid(),
  action: z.enum(LINK_ACTIONS),
  userId: z.uuid(),
  exp: z.number().int().positive(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
});

const B64URL = /^[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 1024;

function mac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Returns the signed token for the claims. */
export function signLink(key: Buffer, claims: LinkClaims): string {
  const body = Buffer.from(JSON.stringify(claimsSchema.parse(claims))).toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

/**
 * Returns the nonce of the link for (page, action): derived, not random, so a retried send of the same
 * page (same idempotency key) carries the very same links.
 */
export function linkNonce(key: Buffer, pageKey: string, action: LinkAction): string {
  return mac(key, `nonce\0${pageKey}\0${action}`).subarray(0, 18).toString('base64url');
}

export type LinkCheck =
  | { ok: true; claims: LinkClaims }
  /** `invalid`: malformed or not signed with this key (tampered); `expired`: genuine but too old. */
  | { ok: false; reason: 'invalid' | 'expired'; claims?: LinkClaims };

/** Checks the token's signature (in constant time), its shape and its expiry against `nowMs`. */
export function verifyLink(key: Buffer, token: string, nowMs: number): LinkCheck {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'invalid' };
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'invalid' };
  const [body, sig] = parts as [string, string];
  if (!B64URL.test(body) || !B64URL.test(sig)) return { ok: false, reason: 'invalid' };
  const expected = mac(key, body);
  const given = Buffer.from(sig, 'base64url');
  // Canonical encoding only: a different spelling of the same bytes is not the link that was sent.
  if (given.length !== expected.length || given.toString('base64url') !== sig || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'invalid' };
  }
  let claims: LinkClaims;
  try {
    const parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    if (!parsed.success) return { ok: false, reason: 'invalid' };
    claims = parsed.data;
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (nowMs >= claims.exp * 1000) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}
