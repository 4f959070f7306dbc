/** SQL for integrations (routing keys stored as digests) and their raw-event counters. */
import { randomBytes } from 'node:crypto';
import type { Queryable } from './db';
import { digestsEqual, sha256Hex } from './digests';

export const INTEGRATION_TYPES = ['pagerduty', 'alertmanager', 'generic', 'anomaly'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export interface IntegrationRow {
  id: string;
  name: string;
  type: IntegrationType;
  service: string;
  key_prefix: string;
  settings: Record<string, unknown>;
  group_by: string[];
  group_window_minutes: number;
  created_at: Date;
  disabled_at: Date | null;
}

const digest = sha256Hex;

/** Stores a new integration and returns it with its routing key in clear, the only time it is shown. */
export async function createIntegration(
  db: Queryable,
  i: { name: string; type: IntegrationType; service: string; settings: Record<string, unknown>; groupBy: string[]; groupWindowMinutes: number },
): Promise<{ key: string; row: IntegrationRow }> {
  // 32 hex characters, the shape of a PagerDuty integration key, so PagerDuty clients accept it.
  const key = randomBytes(16).toString('hex');
  const { rows } = await db.query<IntegrationRow>(
    `insert into integrations (name, type, service, key_prefix, key_hash, settings, group_by, group_window_minutes)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
     returning id, name, type, service, key_prefix, settings, group_by, group_window_minutes, created_at, disabled_at`,
    [i.name, i.type, i.service, key.slice(0, 6), digest(key), JSON.stringify(i.settings), i.groupBy, i.groupWindowMinutes],
  );
  return { key, row: rows[0]! };
}

export type IntegrationRecord = IntegrationRow & { key_hash: string };

/** Returns the enabled integration stored under this routing-key digest, digest included, or undefined. */
export async function findIntegrationByDigest(db: Queryable, keyDigest: string): Promise<IntegrationRecord | undefined> {
  const { rows } = await db.query<IntegrationRecord>(
    `select id, name, type, service, key_prefix, settings, group_by, group_window_minutes, created_at, disabled_at, key_hash
       from integrations where key_hash = $1 and disabled_at is null`,
    [keyDigest],
  );
  return rows[0];
}

/**
 * Returns the integration a lookup found if its stored digest equals the caller's, else undefined.
 * Constant-time, for the reason given at digestsEqual: the comparison that admits the caller must not
 * leak, through its timing, how much of the digest matched (wherever the record came from: the
 * database, or the API's cache of it).
 */
export function admitIntegration(found: IntegrationRecord | undefined, keyDigest: string): IntegrationRow | undefined {
  if (!found || !digestsEqual(found.key_hash, keyDigest)) return undefined;
  const { key_hash: _digest, ...row } = found;
  return row;
}

/** Returns the enabled integration with this routing key, or undefined. */
export async function findIntegrationByKey(db: Queryable, key: string): Promise<IntegrationRow | undefined> {
  const keyDigest = digest(key);
  return admitIntegration(await findIntegrationByDigest(db, keyDigest), keyDigest);
}

/** Returns every integration by name. */
export async function listIntegrations(db: Queryable): Promise<IntegrationRow[]> {
  const { rows } = await db.query<IntegrationRow>(
    'select id, name, type, service, key_prefix, settings, group_by, group_window_minutes, created_at, disabled_at from integrations order by name',
  );
  return rows;
}

/** Deletes an integration; returns true if it existed. */
export async function deleteIntegration(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query('delete from integrations where id = $1', [id]);
  return (r.rowCount ?? 0) > 0;
}

export interface IngestCount {
  integrationId: string;
  /** The UTC day the events arrived, YYYY-MM-DD. */
  day: string;
  raw: number;
  triggers: number;
}

/**
 * Adds raw-event counts (and how many were triggers) per integration and day, all in one statement.
 * Counts for an integration deleted since they were taken are dropped with it.
 */
export async function addIngestCounts(db: Queryable, counts: readonly IngestCount[]): Promise<void> {
  if (counts.length === 0) return;
  await db.query(
    `insert into ingest_stats (integration_id, day, raw_events, triggers)
     select c.integration_id, c.day, sum(c.raw), sum(c.triggers)
       from unnest($1::uuid[], $2::date[], $3::bigint[], $4::bigint[]) as c (integration_id, day, raw, triggers)
       join integrations i on i.id = c.integration_id
      group by c.integration_id, c.day
     on conflict (integration_id, day) do update
       set raw_events = ingest_stats.raw_events + excluded.raw_events, triggers = ingest_stats.triggers + excluded.triggers`,
    [counts.map((c) => c.integrationId), counts.map((c) => c.day), counts.map((c) => c.raw), counts.map((c) => c.triggers)],
  );
}
