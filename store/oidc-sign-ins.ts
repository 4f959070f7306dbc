/**
 * SQL for sign-ins through an OpenID Connect provider that are under way: what the callback must check
 * the provider's answer against, keyed by a digest of the browser's cookie like sessions are.
 */
import type { Queryable } from './db';
import { sha256Hex } from './digests';

/** What the callback checks the provider's answer against, and where the person goes afterwards. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

/**
 * Stores a sign-in under way for the cookie value `key`, valid for ttlMs. Expired ones are deleted on the
 * way: each start pays for the ones abandoned before it, so the table stays small without a sweeper.
 */
export async function createPendingSignIn(
  db: Queryable,
  key: string,
  p: PendingSignIn & { ttlMs: number },
): Promise<void> {
  await db.query('delete from oidc_sign_ins where expires_at <= now()');
  await db.query(
    `insert into oidc_sign_ins (key_hash, state, nonce, code_verifier, return_to, expires_at)
     values ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond')`,
    [sha256Hex(key), p.state, p.nonce, p.codeVerifier, p.returnTo, p.ttlMs],
  );
}

/**
 * Returns the live sign-in for the cookie value and deletes it, so a second callback with the same
 * cookie finds nothing; undefined when there is none (never started, used, or expired).
 */
export async function takePendingSignIn(db: Queryable, key: string): Promise<PendingSignIn | undefined> {
  const { rows } = await db.query<PendingSignIn & { live: boolean }>(
    `delete from oidc_sign_ins where key_hash = $1
     returning state, nonce, code_verifier as "codeVerifier", return_to as "returnTo", expires_at > now() as live`,
    [sha256Hex(key)],
  );
  const row = rows[0];
  if (!row?.live) return undefined;
  const { live: _live, ...pending } = row;
  return pending;
}
