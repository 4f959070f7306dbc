/**
 * Signed tokens for links that act without an API key (email links, voice callbacks):
 * base64url(JSON claims) "." base64url(HMAC-SHA256(key, [domain "\0"] first part)), with an expiry in
 * the claims. A domain keeps one kind of token from verifying as another signed with the same key.
 * Pure: the key and the clock are the caller's.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';

const B64URL = /^[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 1024;

export type TokenCheck<T> =
  | { ok: true; claims: T }
  /** `invalid`: malformed or not signed with this key (tampered); `expired`: genuine but too old. */
  | { ok: false; reason: 'invalid' | 'expired'; claims?: T };

/** Returns sign, verify and a keyed derivation (`derive`, for nonces) for tokens with these claims. */
export function signedTokens<T extends { exp: number }>(schema: z.ZodType<T>, domain?: string) {
  const mac = (key: Buffer, data: string) =>
    createHmac('sha256', key)
      .update(domain === undefined ? data : `${domain}\0${data}`)
      .digest();
  return {
    sign(key: Buffer, claims: T): string {
      const body = Buffer.from(JSON.stringify(schema.parse(claims))).toString('base64url');
      return `${body}.${mac(key, body).toString('base64url')}`;
    },

    /** Checks the signature (in constant time), the claims' shape and their expiry against `nowMs`. */
    verify(key: Buffer, token: string, nowMs: number): TokenCheck<T> {
      if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'invalid' };
      const parts = token.split('.');
      if (parts.length !== 2) return { ok: false, reason: 'invalid' };
      const [body, sig] = parts as [string, string];
      if (!B64URL.test(body) || !B64URL.test(sig)) return { ok: false, reason: 'invalid' };
      const expected = mac(key, body);
      const given = Buffer.from(sig, 'base64url');
      // Canonical encoding only: a different spelling of the same bytes is not the token that was sent.
      if (
        given.length !== expected.length ||
        given.toString('base64url') !== sig ||
        !timingSafeEqual(given, expected)
      )
        return { ok: false, reason: 'invalid' };
      let claims: T;
      try {
        const parsed = schema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
        if (!parsed.success) return { ok: false, reason: 'invalid' };
        claims = parsed.data;
      } catch {
        return { ok: false, reason: 'invalid' };
      }
      if (nowMs >= claims.exp * 1000) return { ok: false, reason: 'expired', claims };
      return { ok: true, claims };
    },

    /** A short value derived from `data` with the key: the same for the same page, so retries match. */
    derive(key: Buffer, data: string): string {
      return mac(key, data).subarray(0, 18).toString('base64url');
    },
  };
}
