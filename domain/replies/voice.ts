/**
 * Voice pages answered on the keypad. The call's callback URLs carry a token binding the alert, the paged
 * user and the page: base64url(JSON claims) "." base64url(HMAC-SHA256(key, "voice\0" + first part)). The
 * prefix keeps a voice token from ever verifying as an email link signed with the same key, and the other
 * way round. Twilio's own signature on each callback is checked as well (api/voice.ts). Pure.
 */
import { z } from 'zod';
import { signedTokens, type TokenCheck } from './signed-token';

/** Where Twilio posts a voice page's key press; its final status goes to the same path + "/status". */
export const TWILIO_VOICE_PATH = '/integrations/twilio/voice';

/** What each key does. */
export const VOICE_DIGITS = { '1': 'acknowledge', '2': 'escalate' } as const;
export type VoiceAction = (typeof VOICE_DIGITS)[keyof typeof VOICE_DIGITS];

/** Returns the action of the key pressed, or undefined for any other input (none, several, *, #). */
export function voiceAction(digits: string | undefined): VoiceAction | undefined {
  const d = (digits ?? '').trim();
  return d === '1' || d === '2' ? VOICE_DIGITS[d] : undefined;
}

export interface VoiceClaims {
  alertId: string;
  userId: string;
  /** Derived from the page's idempotency key (voicePageId): which page this call is. */
  page: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

const claimsSchema = z.strictObject({
  alertId: z.uuid(),
  userId: z.uuid(),
  page: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  exp: z.number().int().positive(),
});

const tokens = signedTokens(claimsSchema, 'voice');

/** Returns the page id a voice token carries: derived from the page's key, so a retried send has the same URLs. */
export function voicePageId(key: Buffer, pageKey: string): string {
  return tokens.derive(key, `page\0${pageKey}`);
}

/** Returns the signed token for the claims. */
export function signVoiceToken(key: Buffer, claims: VoiceClaims): string {
  return tokens.sign(key, claims);
}

export type VoiceTokenCheck = TokenCheck<VoiceClaims>;

/** Checks the token's signature (in constant time), its shape and its expiry against `nowMs`. */
export function verifyVoiceToken(key: Buffer, token: string, nowMs: number): VoiceTokenCheck {
  return tokens.verify(key, token, nowMs);
}

/** Why a call counts as not answered, from Twilio's status callback; undefined when it was answered by a person. */
export function unansweredReason(
  callStatus: string | undefined,
  answeredBy: string | undefined,
): string | undefined {
  if (answeredBy?.startsWith('machine_') || answeredBy === 'fax')
    return answeredBy === 'fax' ? 'a fax answered' : 'voicemail';
  switch (callStatus) {
    case 'no-answer':
      return 'no answer';
    case 'busy':
      return 'busy';
    case 'failed':
      return 'the call failed';
    case 'canceled':
      return 'cancelled';
    default:
      return undefined;
  }
}
