/**
 * One-click email links: a token is base64url(JSON claims) "." base64url(HMAC-SHA256(key, first part)),
 * bound to an alert, an action and the paged user, with an expiry and a nonce that makes each link single
 * use. Pure: the key and the clock are the caller's.
 */
import { z } from 'zod';
import { DEFAULT_SNOOZE_MINUTES } from '../snooze';
import { signedTokens, type TokenCheck } from './signed-token';

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

const tokens = signedTokens(claimsSchema);

/** Returns the signed token for the claims. */
export function signLink(key: Buffer, claims: LinkClaims): string {
  return tokens.sign(key, claims);
}

/**
 * Returns the nonce of the link for (page, action): derived, not random, so a retried send of the same
 * page (same idempotency key) carries the very same links.
 */
export function linkNonce(key: Buffer, pageKey: string, action: LinkAction): string {
  return tokens.derive(key, `nonce\0${pageKey}\0${action}`);
}

export type LinkCheck = TokenCheck<LinkClaims>;

/** Checks the token's signature (in constant time), its shape and its expiry against `nowMs`. */
export function verifyLink(key: Buffer, token: string, nowMs: number): LinkCheck {
  return tokens.verify(key, token, nowMs);
}
