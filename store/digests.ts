/** Secrets (API keys, routing keys) are stored and looked up as SHA-256 digests, never in clear. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Returns the hex SHA-256 digest of a secret. */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Returns true when two hex SHA-256 digests are equal, in time that does not depend on where they differ.
 * Callers find the row by an index lookup on the digest, so the database has already compared it; this
 * last comparison is the one that admits the caller, and it must not be a short-circuiting `===` whose
 * timing a probe could walk byte by byte should the lookup ever become looser (a prefix match, a
 * case-insensitive collation, a cache keyed on part of the digest).
 */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  // Well-formed digests are 32 bytes; timingSafeEqual throws on unequal lengths, which are no secret.
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}
