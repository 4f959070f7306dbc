/** SQL for the alerts table: the durable record of each alert workflow. */
import type { AlertState } from '../domain/lifecycle';
import type { Severity } from '../domain/severity';
import type { Queryable } from './db';

export interface AlertRow {
  id: string;
  workflow_id: string;
  first_run_id: string;
  dedup_key: string;
  summary: string;
  severity: Severity;
  service: string;
  source: string;
  labels: Record<string, string>;
  details: Record<string, unknown>;
  links: { href: string; text?: string }[];
  state: AlertState;
  state_version: number;
  occurrences: number;
  triggered_at: Date;
  last_seen_at: Date;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
}

export interface NewAlert {
  id: string;
  workflowId: string;
  firstRunId: string;
  dedupKey: string;
  summary: string;
  severity: Severity;
  service: string;
  source: string;
  labels: Record<string, string>;
  details: Record<string, unknown>;
  links: { href: string; text?: string }[];
  triggeredAt: Date;
}

/** Inserts the alert once; a retried insert of the same id changes nothing. Returns true if inserted. */
export async function insertAlert(db: Queryable, a: NewAlert): Promise<boolean> {
  const result = await db.query(
    `insert into alerts (id, workflow_id, first_run_id, dedup_key, summary, severity, service, source, labels, details, links,
                         state, triggered_at, last_seen_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::jsonb, 'new', $12, $12)
     on conflict (id) do nothing`,
    [
      a.id,
      a.workflowId,
      a.firstRunId,
      a.dedupKey,
      a.summary,
      a.severity,
      a.service,
      a.source,
      JSON.stringify(a.labels),
      JSON.stringify(a.details),
      JSON.stringify(a.links),
      a.triggeredAt,
    ],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Moves the record to `to` unless a later transition was already written (stateVersion guards order).
 * The first acknowledge and the resolve time are kept for TTA/TTR; a reopen clears the resolve time.
 */
export async function applyTransition(
  db: Queryable,
  t: { alertId: string; to: AlertState; stateVersion: number; at: Date },
): Promise<void> {
  await db.query(
    `update alerts set
       state = $2,
       state_version = $3,
       acknowledged_at = case when $2 in ('acknowledged', 'investigating') then coalesce(acknowledged_at, $4)
                              else acknowledged_at end,
       resolved_at = case when $2 = 'resolved' then $4 when $2 = 'new' then null else resolved_at end,
       updated_at = now()
     where id = $1 and state_version < $3`,
    [t.alertId, t.to, t.stateVersion, t.at],
  );
}

/** Returns the alert with this id, or undefined. */
export async function getAlert(db: Queryable, id: string): Promise<AlertRow | undefined> {
  const { rows } = await db.query<AlertRow>('select * from alerts where id = $1', [id]);
  return rows[0];
}
