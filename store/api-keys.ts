/** SQL and hashing for API keys. Only a SHA-256 digest of each key is stored. */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inTransaction, type Queryable } from './db';

export const API_KEY_ROLES = ['viewer', 'responder', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export interface ApiKeyRow {
  id: string;
  name: string;
  role: ApiKeyRole;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** Returns the hex SHA-256 digest under which a key is stored and looked up. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Returns a new random key: `kx_` and 43 base64url characters (256 bits). */
export function generateApiKey(): string {
  return `kx_${randomBytes(32).toString('base64url')}`;
}

/** Stores a new key and returns it in clear, the only time it is ever available. */
export async function createApiKey(
  db: Queryable,
  opts: { name: string; role: ApiKeyRole },
): Promise<{ key: string; row: ApiKeyRow }> {
  const key = generateApiKey();
  const { rows } = await db.query<ApiKeyRow>(
    `insert into api_keys (name, role, prefix, key_hash) values ($1, $2, $3, $4)
     returning id, name, role, prefix, created_at, last_used_at, revoked_at`,
    [opts.name, opts.role, key.slice(0, 7), hashApiKey(key)],
  );
  return { key, row: rows[0]! };
}

/** Returns the active key whose digest matches, or undefined. */
export async function findActiveApiKey(db: Queryable, key: string): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    `select id, name, role, prefix, created_at, last_used_at, revoked_at
       from api_keys where key_hash = $1 and revoked_at is null`,
    [hashApiKey(key)],
  );
  return rows[0];
}

/**
 * Creates the first admin key if the table is empty; returns it in clear, or undefined when keys exist.
 * Serialised by a transaction-level advisory lock so two processes starting together make one key.
 */
export async function bootstrapAdminKey(pool: pg.Pool): Promise<string | undefined> {
  return inTransaction(pool, async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [0x6b6c6b79]);
    const { rows } = await tx.query<{ n: number }>('select count(*)::int as n from api_keys');
    if ((rows[0]?.n ?? 0) > 0) return undefined;
    const { key } = await createApiKey(tx, { name: 'bootstrap admin', role: 'admin' });
    return key;
  });
}
