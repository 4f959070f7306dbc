/** SQL for how people sign in: their login and role, password hashes, and OpenID Connect identities. */
import { capPersonalKeys, type ApiKeyRole } from './api-keys';
import type { Queryable } from './db';
import type { UserRow } from './users';

/** A user found by login, with their password hash when they have one. */
export interface SignInCandidate {
  user: UserRow;
  hash: string | null;
}

/** Returns the user whose login this is (any case), with their password hash, or undefined. */
export async function findByLogin(db: Queryable, login: string): Promise<SignInCandidate | undefined> {
  const { rows } = await db.query<UserRow & { hash: string | null }>(
    `select u.*, p.hash from users u left join user_passwords p on p.user_id = u.id
      where lower(u.login) = lower($1)`,
    [login],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { hash, ...user } = row;
  return { user, hash };
}

/** Stores (or replaces) the user's password hash; returns false when the user does not exist. */
export async function setPasswordHash(db: Queryable, userId: string, hash: string): Promise<boolean> {
  const result = await db.query(
    `insert into user_passwords (user_id, hash) select id, $2 from users where id = $1
     on conflict (user_id) do update set hash = excluded.hash, updated_at = now()`,
    [userId, hash],
  );
  return (result.rowCount ?? 0) > 0;
}

/** Returns the user's password hash, or undefined when they have none. */
export async function passwordHashOf(db: Queryable, userId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ hash: string }>('select hash from user_passwords where user_id = $1', [
    userId,
  ]);
  return rows[0]?.hash;
}

/** Returns the user linked to this provider identity, or undefined. */
export async function findByIdentity(
  db: Queryable,
  issuer: string,
  subject: string,
): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `select u.* from users u join user_identities i on i.user_id = u.id where i.issuer = $1 and i.subject = $2`,
    [issuer, subject],
  );
  return rows[0];
}

/** Links a provider identity to a user (a no-op when already linked to them). */
export async function linkIdentity(
  db: Queryable,
  l: { issuer: string; subject: string; userId: string },
): Promise<void> {
  await db.query(
    `insert into user_identities (issuer, subject, user_id) values ($1, $2, $3)
     on conflict (issuer, subject) do nothing`,
    [l.issuer, l.subject, l.userId],
  );
}

/** Sets the user's role (a provider's claim decides it at each sign-in), and caps their keys; returns the user. */
export async function setRole(db: Queryable, userId: string, role: ApiKeyRole): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    'update users set role = $2, updated_at = now() where id = $1 returning *',
    [userId, role],
  );
  if (rows[0]) await capPersonalKeys(db, userId, role);
  return rows[0];
}

/** Returns the ids among `userIds` that have a password. */
export async function withPasswords(db: Queryable, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const { rows } = await db.query<{ user_id: string }>(
    'select user_id from user_passwords where user_id = any($1::uuid[])',
    [userIds],
  );
  return new Set(rows.map((r) => r.user_id));
}
