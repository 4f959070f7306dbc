/**
 * Forward-only migrations: numbered plain SQL files in sql/, each applied in its own transaction and
 * recorded with a checksum, so an edited landed migration is caught instead of silently skipped.
 *
 * Written here rather than taken from node-pg-migrate: that library is built around JavaScript
 * migrations with down steps (which we do not want) and its current major is ESM-only; what we need is
 * the forty lines below. A session-level advisory lock makes concurrent starts safe: the second process
 * waits, then finds everything applied.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { PROJECT_ROOT } from '../runtime/project-root';

export const SQL_DIR = path.join(PROJECT_ROOT, 'sql');
const MIGRATION_FILE = /^(\d{6})-[a-z0-9-]+\.sql$/;
// Arbitrary but fixed: every Klaxon process must take the same lock.
const MIGRATION_LOCK_ID = 0x6b6c6178; // "klax"

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** Returns the migration files in version order; throws on a misnamed file or a duplicate version. */
export function readMigrations(dir: string = SQL_DIR): MigrationFile[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const seen = new Set<number>();
  return files.map((name) => {
    const match = MIGRATION_FILE.exec(name);
    if (!match?.[1]) throw new Error(`migration file ${name} must be named NNNNNN-some-name.sql`);
    const version = Number(match[1]);
    if (seen.has(version)) throw new Error(`two migrations share version ${version}`);
    seen.add(version);
    const sql = readFileSync(path.join(dir, name), 'utf8');
    return { version, name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

/** Applies every pending migration; returns the names of those applied by this call. */
export async function migrate(pool: pg.Pool, dir: string = SQL_DIR): Promise<string[]> {
  const migrations = readMigrations(dir);
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    // A migration may rewrite a big table, and a second process waits here for the first one's:
    // neither is bound by DATABASE_STATEMENT_TIMEOUT_MS (reset below, before the connection goes back).
    await client.query('set statement_timeout = 0');
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await client.query(`
      create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`);
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      'select version, name, checksum from schema_migrations',
    );
    const done = new Map(rows.map((r) => [r.version, r]));
    for (const m of migrations) {
      const previous = done.get(m.version);
      if (previous) {
        if (previous.checksum !== m.checksum) {
          throw new Error(`migration ${m.name} was edited after it was applied; add a new migration instead`);
        }
        continue;
      }
      try {
        await client.query('begin');
        await client.query(m.sql);
        await client.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw new Error(`migration ${m.name} failed`, { cause: err });
      }
      applied.push(m.name);
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
    await client.query('reset statement_timeout').catch(() => {});
    client.release();
  }
  return applied;
}
