/** SQL for users and their contact methods (how a page reaches them). */
import type { ApiKeyRole } from './api-keys';
import type { Queryable } from './db';

export type ContactType = 'email' | 'sms' | 'webhook' | 'voice';

export interface UserRow {
  id: string;
  name: string;
  time_zone: string;
  /** The name they sign in to the console with (usually an email address); null: no sign-in. */
  login: string | null;
  /** What they may do when signed in: the roles API keys have. */
  role: ApiKeyRole;
  created_at: Date;
  updated_at: Date;
}

export interface ContactMethodRow {
  id: string;
  user_id: string;
  type: ContactType;
  address: string;
  /** The webhook secret's row (store/webhook-secrets.ts); the secret itself is never read with the method. */
  secret_id: string | null;
  /** When a code sent to it was typed back (null: never verified). */
  verified_at: Date | null;
  created_at: Date;
}

/** Inserts a user and returns it. */
export async function insertUser(
  db: Queryable,
  u: { name: string; timeZone: string; login?: string | null; role?: ApiKeyRole },
): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `insert into users (name, time_zone, login, role) values ($1, $2, $3, coalesce($4, 'responder')) returning *`,
    [u.name, u.timeZone, u.login ?? null, u.role ?? null],
  );
  return rows[0]!;
}

/** Returns the user, or undefined. */
export async function getUser(db: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>('select * from users where id = $1', [id]);
  return rows[0];
}

/** Returns all users by name. */
export async function listUsers(db: Queryable): Promise<UserRow[]> {
  const { rows } = await db.query<UserRow>('select * from users order by name, id');
  return rows;
}

/** Returns the ids among `ids` that exist. */
export async function existingUserIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>('select id from users where id = any($1::uuid[])', [ids]);
  return new Set(rows.map((r) => r.id));
}

/** Updates the given fields; returns the user, or undefined if absent. */
export async function updateUser(
  db: Queryable,
  id: string,
  u: { name?: string; timeZone?: string; login?: string | null; role?: ApiKeyRole },
): Promise<UserRow | undefined> {
  // login: undefined leaves it, null removes it (the user can no longer sign in with a password).
  const { rows } = await db.query<UserRow>(
    `update users set name = coalesce($2, name), time_zone = coalesce($3, time_zone),
            login = case when $4 then $5 else login end, role = coalesce($6, role), updated_at = now()
      where id = $1 returning *`,
    [id, u.name ?? null, u.timeZone ?? null, u.login !== undefined, u.login ?? null, u.role ?? null],
  );
  return rows[0];
}

/** Deletes the user and their contact methods; returns true if it existed. */
export async function deleteUser(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query('delete from users where id = $1', [id]);
  return (result.rowCount ?? 0) > 0;
}

/** Inserts a contact method and returns it. */
export async function insertContactMethod(
  db: Queryable,
  c: { userId: string; type: ContactType; address: string; secret?: string | null },
): Promise<ContactMethodRow> {
  // One statement, so a method is never stored without its secret (or the secret without its method).
  const { rows } = await db.query<ContactMethodRow>(
    `with s as (insert into webhook_secrets (secret) select $4::text where coalesce($4::text, '') <> '' returning id)
     insert into contact_methods (user_id, type, address, secret_id) values ($1, $2, $3, (select id from s)) returning *`,
    [c.userId, c.type, c.address, c.secret ?? null],
  );
  return rows[0]!;
}

/** Returns the contact methods of the given users, oldest first. */
export async function contactMethodsOf(db: Queryable, userIds: string[]): Promise<ContactMethodRow[]> {
  if (userIds.length === 0) return [];
  const { rows } = await db.query<ContactMethodRow>(
    'select * from contact_methods where user_id = any($1::uuid[]) order by created_at, id',
    [userIds],
  );
  return rows;
}

/** Deletes one contact method of a user; returns true if it existed. */
export async function deleteContactMethod(db: Queryable, userId: string, id: string): Promise<boolean> {
  const result = await db.query('delete from contact_methods where id = $1 and user_id = $2', [id, userId]);
  return (result.rowCount ?? 0) > 0;
}
