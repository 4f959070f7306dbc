/** SQL and hashing for API keys. Only a SHA-256 digest of each key is stored. */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inTransaction, type Queryable } from './db';
import { digestsEqual, sha256Hex } from './digests';

/** Roles in increasing order of power: each role may do everything the ones before it may. */
export const API_KEY_ROLES = ['viewer', 'responder', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** Returns true when a key with role `has` may use a route that needs role `needs`. */
export function roleAtLeast(has: ApiKeyRole, needs: ApiKeyRole): boolean {
  return API_KEY_ROLES.indexOf(has) >= API_KEY_ROLES.indexOf(needs);
}

export interface ApiKeyRow {
  id: string;
  name: string;
  role: ApiKeyRole;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  /** The user whose personal key this is (never above their role), or null for the install's keys. */
  user_id: string | null;
}

// Every column but key_hash: the digest never leaves this module.
const COLUMNS = 'id, name, role, prefix, created_at, last_used_at, revoked_at, user_id';
// Advisory lock taken by whatever must not race key bootstrapping or the last-admin check.
const BOOTSTRAP_LOCK = 0x6b6c6b79;

/** Returns the hex SHA-256 digest under which a key is stored and looked up. */
export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

/** Returns a new random key: `kx_` and 43 base64url characters (256 bits). */
export function generateApiKey(): string {
  return `kx_${randomBytes(32).toString('base64url')}`;
}

/** Stores a new key and returns it in clear, the only time it is ever available. */
export async function createApiKey(
  db: Queryable,
  opts: { name: string; role: ApiKeyRole; userId?: string },
): Promise<{ key: string; row: ApiKeyRow }> {
  const key = generateApiKey();
  const { rows } = await db.query<ApiKeyRow>(
    `insert into api_keys (name, role, prefix, key_hash, user_id) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
    [opts.name, opts.role, key.slice(0, 7), hashApiKey(key), opts.userId ?? null],
  );
  return { key, row: rows[0]! };
}

export type ApiKeyRecord = ApiKeyRow & { key_hash: string };

/** Returns the active key stored under this digest, digest included, or undefined. */
export async function findActiveApiKeyByDigest(db: Queryable, digest: string): Promise<ApiKeyRecord | undefined> {
  const { rows } = await db.query<ApiKeyRecord>(
    `select ${COLUMNS}, key_hash from api_keys where key_hash = $1 and revoked_at is null`,
    [digest],
  );
  return rows[0];
}

/** Returns the key a lookup found if its stored digest equals the caller's (constant-time: see digestsEqual), else undefined. */
export function admitApiKey(found: ApiKeyRecord | undefined, digest: string): ApiKeyRow | undefined {
  if (!found || !digestsEqual(found.key_hash, digest)) return undefined;
  const { key_hash: _digest, ...row } = found;
  return row;
}

/** Returns the active key whose digest matches, or undefined. */
export async function findActiveApiKey(db: Queryable, key: string): Promise<ApiKeyRow | undefined> {
  const digest = hashApiKey(key);
  return admitApiKey(await findActiveApiKeyByDigest(db, digest), digest);
}

/** Records that a key was used, at most once a minute per key so that reads do not each cost a write. */
export async function touchApiKey(db: Queryable, row: ApiKeyRow, now = new Date()): Promise<void> {
  if (row.last_used_at && now.getTime() - row.last_used_at.getTime() < 60_000) return;
  await db.query('update api_keys set last_used_at = $2 where id = $1', [row.id, now]);
}

/** Returns every key (or one user's), newest first, revoked ones included. */
export async function listApiKeys(db: Queryable, userId?: string): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `select ${COLUMNS} from api_keys where ($1::uuid is null or user_id = $1) order by created_at desc, id`,
    [userId ?? null],
  );
  return rows;
}

/** Returns one key by id, or undefined. */
export async function getApiKey(db: Queryable, id: string): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(`select ${COLUMNS} from api_keys where id = $1`, [id]);
  return rows[0];
}

/**
 * Lowers the user's personal keys to `role` where they are above it: called whenever a user's role
 * changes, so that no key does more than its owner may. The comparison is roleAtLeast's.
 */
export async function capPersonalKeys(db: Queryable, userId: string, role: ApiKeyRole): Promise<number> {
  const above = API_KEY_ROLES.filter((r) => !roleAtLeast(role, r));
  if (above.length === 0) return 0;
  const result = await db.query('update api_keys set role = $2 where user_id = $1 and role = any($3)', [userId, role, above]);
  return result.rowCount ?? 0;
}

export class LastAdminKeyError extends Error {
  constructor() {
    super('this is the last active admin key; create another admin key before revoking it');
    this.name = 'LastAdminKeyError';
  }
}

/**
 * Revokes a key (idempotent: an already revoked key keeps its first revocation time); returns it, or
 * undefined if there is no such key. Refuses, with LastAdminKeyError, to revoke the last active admin key:
 * nobody could then manage keys through the API. Serialised with key bootstrapping by the same lock.
 */
export async function revokeApiKey(pool: pg.Pool, id: string): Promise<ApiKeyRow | undefined> {
  return inTransaction(pool, async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
    const { rows } = await tx.query<ApiKeyRow>(`select ${COLUMNS} from api_keys where id = $1`, [id]);
    const row = rows[0];
    if (!row || row.revoked_at) return row;
    if (row.role === 'admin') {
      const others = await tx.query<{ n: number }>(
        `select count(*)::int as n from api_keys where role = 'admin' and revoked_at is null and id <> $1`,
        [id],
      );
      if ((others.rows[0]?.n ?? 0) === 0) throw new LastAdminKeyError();
    }
    const revoked = await tx.query<ApiKeyRow>(`update api_keys set revoked_at = now() where id = $1 returning ${COLUMNS}`, [id]);
    return revoked.rows[0];
  });
}

/**
 * Creates the first admin key if the table is empty; returns it in clear, or undefined when keys exist.
 * Serialised by a transaction-level advisory lock so two processes starting together make one key.
 */
export async function bootstrapAdminKey(pool: pg.Pool): Promise<string | undefined> {
  return inTransaction(pool, async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
    const { rows } = await tx.query<{ n: number }>('select count(*)::int as n from api_keys');
    if ((rows[0]?.n ?? 0) > 0) return undefined;
    const { key } = await createApiKey(tx, { name: 'bootstrap admin', role: 'admin' });
    return key;
  });
}
