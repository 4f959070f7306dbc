/** SQL for the audit trail: one row per transition or note, written exactly once. */
import type { AlertState } from '../domain/lifecycle';
import type { Queryable } from './db';

export interface AuditEntry {
  alertId: string;
  action: string;
  fromState: AlertState | null;
  toState: AlertState | null;
  actor: string;
  reason: string | null;
  at: Date;
  /** A business id (the Temporal Update id, or the event id) that makes a retried write a no-op. */
  idempotencyKey: string;
}

export interface AuditRow {
  id: number;
  alert_id: string;
  action: string;
  from_state: AlertState | null;
  to_state: AlertState | null;
  actor: string;
  reason: string | null;
  at: Date;
}

/** Inserts the entry unless one with the same idempotency key exists. Returns true if inserted. */
export async function insertAudit(db: Queryable, e: AuditEntry): Promise<boolean> {
  const result = await db.query(
    `insert into alert_audit (alert_id, action, from_state, to_state, actor, reason, at, idempotency_key)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (idempotency_key) do nothing`,
    [e.alertId, e.action, e.fromState, e.toState, e.actor, e.reason, e.at, e.idempotencyKey],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Returns an insert of several entries from array parameters $first..$first+7 (see timelineParams), in
 * their order, each skipped if one with its idempotency key exists: for a statement that writes an
 * alert's record and its timeline together.
 */
export function timelineInsert(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `insert into alert_audit (alert_id, action, from_state, to_state, actor, reason, at, idempotency_key)
     select alert_id, action, from_state, to_state, actor, reason, at, idempotency_key
       from unnest(${p(0)}::uuid[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::text[], ${p(6)}::timestamptz[], ${p(7)}::text[])
            with ordinality as e(alert_id, action, from_state, to_state, actor, reason, at, idempotency_key, n)
      order by n
     on conflict (idempotency_key) do nothing`;
}

/** Returns the parameters of timelineInsert for these entries. */
export function timelineParams(entries: readonly AuditEntry[]): unknown[] {
  return [
    entries.map((e) => e.alertId),
    entries.map((e) => e.action),
    entries.map((e) => e.fromState),
    entries.map((e) => e.toState),
    entries.map((e) => e.actor),
    entries.map((e) => e.reason),
    entries.map((e) => e.at),
    entries.map((e) => e.idempotencyKey),
  ];
}

/** Returns the alert's audit trail, oldest first. */
export async function listAudit(db: Queryable, alertId: string): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `select id, alert_id, action, from_state, to_state, actor, reason, at
       from alert_audit where alert_id = $1 order by at, id`,
    [alertId],
  );
  return rows;
}
