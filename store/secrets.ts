/** Secrets an install generates for itself on first use when the operator configured none. */
import { createHmac, randomBytes } from 'node:crypto';
import type { Queryable } from './db';

/**
 * Returns the install's secret called `name`, creating a random 256-bit one on first use. Every process
 * of the install (API, workers) reads the same value from the database; the first writer wins.
 */
export async function installSecret(db: Queryable, name: string): Promise<string> {
  await db.query('insert into install_secrets (name, value) values ($1, $2) on conflict (name) do nothing', [name, randomBytes(32).toString('base64url')]);
  const { rows } = await db.query<{ value: string }>('select value from install_secrets where name = $1', [name]);
  return rows[0]!.value;
}

/**
 * Returns a function that yields the key email reply links are signed with: derived from `configured`
 * (LINK_SIGNING_SECRET) when set, else from the install's own generated secret. Read once, then cached;
 * a failed read is retried on the next call.
 */
export function replyLinkKey(db: Queryable, configured?: string): () => Promise<Buffer> {
  let key: Promise<Buffer> | undefined;
  return () => {
    key ??= (configured ? Promise.resolve(configured) : installSecret(db, 'reply-link-signing'))
      // A key for this one purpose, so the secret is never used as-is for anything else.
      .then((secret) => createHmac('sha256', secret).update('klaxon/reply-links/v1').digest())
      .catch((err: unknown) => {
        key = undefined;
        throw err;
      });
    return key;
  };
}
