/**
 * SQL for console sessions and the first-admin set-up link. Like API keys, only a SHA-256 digest of each
 * token is stored: the cookie (or the link) is the only copy of the token itself.
 */
import { randomBytes } from 'node:crypto';
import type { ApiKeyRole } from './api-keys';
import type { Queryable } from './db';
import { sha256Hex } from './digests';

export type SignInMethod = 'password' | 'oidc' | 'setup';

/** A live session with the user it signs in. */
export interface SessionRecord {
  user_id: string;
  name: string;
  login: string | null;
  role: ApiKeyRole;
  csrf_token: string;
  method: SignInMethod;
  created_at: Date;
  expires_at: Date;
}

/** Returns a new random token (256 bits, base64url). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Stores a new session for the user and returns its token (for the cookie) and CSRF token. */
export async function createSession(
  db: Queryable,
  s: { userId: string; method: SignInMethod; maxAgeMs: number },
): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = newToken();
  const csrfToken = newToken();
  const { rows } = await db.query<{ expires_at: Date }>(
    `insert into sessions (token_hash, user_id, csrf_token, method, expires_at)
     values ($1, $2, $3, $4, now() + $5 * interval '1 millisecond') returning expires_at`,
    [sha256Hex(token), s.userId, csrfToken, s.method, s.maxAgeMs],
  );
  return { token, csrfToken, expiresAt: rows[0]!.expires_at };
}

/**
 * Returns the live session for the token, noting the request (last_seen_at), or undefined when there is
 * none: never created, signed out, past its absolute expiry, or idle longer than idleMs. The expiry rule
 * lives in this one statement.
 */
export async function touchSession(
  db: Queryable,
  token: string,
  idleMs: number,
): Promise<SessionRecord | undefined> {
  const { rows } = await db.query<SessionRecord>(
    `update sessions s set last_seen_at = now()
       from users u
      where s.token_hash = $1 and u.id = s.user_id
        and s.expires_at > now() and s.last_seen_at > now() - $2 * interval '1 millisecond'
      returning s.user_id, u.name, u.login, u.role, s.csrf_token, s.method, s.created_at, s.expires_at`,
    [sha256Hex(token), idleMs],
  );
  return rows[0];
}

/** Ends the session for the token; returns true if there was one. */
export async function deleteSession(db: Queryable, token: string): Promise<boolean> {
  const result = await db.query('delete from sessions where token_hash = $1', [sha256Hex(token)]);
  return (result.rowCount ?? 0) > 0;
}

/** Ends every session of the user but the one with `keep` (a token), e.g. after a password change. */
export async function deleteSessionsOf(db: Queryable, userId: string, keep?: string): Promise<number> {
  const result = await db.query(
    'delete from sessions where user_id = $1 and token_hash is distinct from $2',
    [userId, keep === undefined ? null : sha256Hex(keep)],
  );
  return result.rowCount ?? 0;
}

/** Deletes sessions past their absolute expiry (idle ones are refused by touchSession and expire later). */
export async function deleteExpiredSessions(db: Queryable): Promise<number> {
  const result = await db.query('delete from sessions where expires_at <= now()');
  return result.rowCount ?? 0;
}

/**
 * Returns a new first-admin set-up token when no admin can sign in yet (no admin user with a password or
 * a provider identity), replacing any earlier unused one; undefined once an admin can sign in.
 */
export async function bootstrapSetupToken(db: Queryable, ttlMs: number): Promise<string | undefined> {
  const token = newToken();
  const { rows } = await db.query<{ created: boolean }>(
    `with admin as (
       select 1 from users u
        where u.role = 'admin'
          and (exists (select 1 from user_passwords p where p.user_id = u.id)
               or exists (select 1 from user_identities i where i.user_id = u.id))
        limit 1),
     cleared as (delete from setup_tokens where used_at is null and not exists (select 1 from admin))
     insert into setup_tokens (token_hash, expires_at)
     select $1, now() + $2 * interval '1 millisecond' where not exists (select 1 from admin)
     returning true as created`,
    [sha256Hex(token), ttlMs],
  );
  return rows.length > 0 ? token : undefined;
}

/** Marks the set-up token used; returns false when it is unknown, used or expired. Call in a transaction. */
export async function useSetupToken(db: Queryable, token: string): Promise<boolean> {
  const result = await db.query(
    `update setup_tokens set used_at = now()
      where token_hash = $1 and used_at is null and expires_at > now()`,
    [sha256Hex(token)],
  );
  return (result.rowCount ?? 0) > 0;
}
