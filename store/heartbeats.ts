/** SQL for heartbeat monitors (keys stored as digests, like integrations' routing keys). */
import { randomBytes } from 'node:crypto';
import type { Severity } from '../domain/severity';
import type { Queryable } from './db';
import { digestsEqual, sha256Hex } from './digests';

export interface HeartbeatRow {
  id: string;
  name: string;
  service: string;
  severity: Severity;
  interval_seconds: number;
  grace_seconds: number;
  key_prefix: string;
  created_at: Date;
  last_ping_at: Date | null;
  overdue_since: Date | null;
}

const COLUMNS =
  'id, name, service, severity, interval_seconds, grace_seconds, key_prefix, created_at, last_ping_at, overdue_since';

export interface HeartbeatFields {
  name: string;
  service: string;
  severity: Severity;
  intervalSeconds: number;
  graceSeconds: number;
}

/** Stores a new monitor and returns it with its key in clear, the only time it is shown. */
export async function createHeartbeat(
  db: Queryable,
  f: HeartbeatFields,
): Promise<{ key: string; row: HeartbeatRow }> {
  const key = randomBytes(16).toString('hex');
  const { rows } = await db.query<HeartbeatRow>(
    `insert into heartbeat_monitors (name, service, severity, interval_seconds, grace_seconds, key_prefix, key_hash)
     values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
    [f.name, f.service, f.severity, f.intervalSeconds, f.graceSeconds, key.slice(0, 6), sha256Hex(key)],
  );
  return { key, row: rows[0]! };
}

export async function listHeartbeats(db: Queryable): Promise<HeartbeatRow[]> {
  return (await db.query<HeartbeatRow>(`select ${COLUMNS} from heartbeat_monitors order by name`)).rows;
}

export async function getHeartbeat(db: Queryable, id: string): Promise<HeartbeatRow | undefined> {
  return (await db.query<HeartbeatRow>(`select ${COLUMNS} from heartbeat_monitors where id = $1`, [id]))
    .rows[0];
}

/** Changes the fields given; returns the monitor as it now is, or undefined when there is none. */
export async function updateHeartbeat(
  db: Queryable,
  id: string,
  f: Partial<HeartbeatFields>,
): Promise<HeartbeatRow | undefined> {
  const { rows } = await db.query<HeartbeatRow>(
    `update heartbeat_monitors set
       name = coalesce($2, name), service = coalesce($3, service), severity = coalesce($4, severity),
       interval_seconds = coalesce($5, interval_seconds), grace_seconds = coalesce($6, grace_seconds)
     where id = $1 returning ${COLUMNS}`,
    [
      id,
      f.name ?? null,
      f.service ?? null,
      f.severity ?? null,
      f.intervalSeconds ?? null,
      f.graceSeconds ?? null,
    ],
  );
  return rows[0];
}

export async function deleteHeartbeat(db: Queryable, id: string): Promise<boolean> {
  return ((await db.query('delete from heartbeat_monitors where id = $1', [id])).rowCount ?? 0) > 0;
}

/** Returns the monitor whose key this is, or undefined; the digest is compared in constant time. */
export async function findHeartbeatByKey(db: Queryable, key: string): Promise<HeartbeatRow | undefined> {
  const keyDigest = sha256Hex(key);
  const { rows } = await db.query<HeartbeatRow & { key_hash: string }>(
    `select ${COLUMNS}, key_hash from heartbeat_monitors where key_hash = $1`,
    [keyDigest],
  );
  const found = rows[0];
  if (!found || !digestsEqual(found.key_hash, keyDigest)) return undefined;
  const { key_hash: _digest, ...row } = found;
  return row;
}

/** Moves last-seen forward (never back: two API processes may write out of order). */
export async function touchHeartbeat(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('update heartbeat_monitors set last_ping_at = greatest(last_ping_at, $2) where id = $1', [
    id,
    at,
  ]);
}

/** Records the monitor going overdue (a time) or recovering (null), as its workflow decided. */
export async function setHeartbeatOverdue(db: Queryable, id: string, since: Date | null): Promise<void> {
  await db.query('update heartbeat_monitors set overdue_since = $2 where id = $1', [id, since]);
}
