/** SQL for the alerts table: the durable record of each alert workflow. */
import type { AlertState } from '../domain/lifecycle';
import type { Severity } from '../domain/severity';
import { timelineInsert, timelineParams, type AuditEntry } from './audit';
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
  policy_id: string | null;
  policy_name: string | null;
  tta_target_ms: number | null;
  ttr_target_ms: number | null;
  tta_ms: number | null;
  ttr_ms: number | null;
  /** The group the alert is in, if any. */
  group_id: string | null;
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
  policyId: string | null;
  policyName: string | null;
  ttaTargetMs: number;
  ttrTargetMs: number;
  /** The integration the alert came in through, if any. */
  integrationId?: string | null;
}

/**
 * Inserts the alert once, and with it the entries of its timeline (each once, by its idempotency key), in
 * one statement: both or neither, without a transaction. A retried insert of the same id changes nothing
 * but the entries it did not write yet. Returns true if the alert was inserted.
 */
export async function insertAlert(db: Queryable, a: NewAlert, timeline: readonly AuditEntry[] = []): Promise<boolean> {
  const { rows } = await db.query<{ inserted: boolean }>(
    `with inserted as (
       insert into alerts (id, workflow_id, first_run_id, dedup_key, summary, severity, service, source, labels, details, links,
                           state, triggered_at, last_seen_at, policy_id, policy_name, tta_target_ms, ttr_target_ms, integration_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::jsonb, 'new', $12, $12, $13, $14, $15, $16,
               -- an integration deleted since the event arrived leaves the alert unattributed, not unrecorded
               (select id from integrations where id = $17))
       on conflict (id) do nothing
       returning id
     ), timeline as (${timelineInsert(18)})
     select exists (select 1 from inserted) as inserted`,
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
      a.policyId,
      a.policyName,
      a.ttaTargetMs,
      a.ttrTargetMs,
      a.integrationId ?? null,
      ...timelineParams(timeline),
    ],
  );
  return rows[0]!.inserted;
}

/** What an applied transition set, for the TTA/TTR metrics (ms; null when it set none). */
export interface AppliedTransition {
  severity: string;
  first_tta_ms: number | null;
  ttr_ms: number | null;
}

/**
 * Moves the record to `to` unless a later transition was already written (stateVersion guards order).
 * The first acknowledge and the resolve time are kept for TTA/TTR; a reopen clears the resolve time.
 * Returns what it set when it moved, undefined when it did not.
 */
export async function applyTransition(
  db: Queryable,
  t: { alertId: string; to: AlertState; stateVersion: number; at: Date },
): Promise<AppliedTransition | undefined> {
  const result = await db.query<AppliedTransition>(
    `with before as (select tta_ms from alerts where id = $1 for update)
     update alerts set
       state = $2,
       state_version = $3,
       acknowledged_at = case when $2 in ('acknowledged', 'investigating') then coalesce(acknowledged_at, $4)
                              else acknowledged_at end,
       resolved_at = case when $2 = 'resolved' then $4 when $2 = 'new' then null else resolved_at end,
       -- TTA: trigger to the first response (a direct resolve counts); TTR: trigger to the resolve that stuck.
       tta_ms = case when $2 in ('acknowledged', 'investigating', 'resolved')
                     then coalesce(alerts.tta_ms, (extract(epoch from $4::timestamptz - triggered_at) * 1000)::bigint)
                     else alerts.tta_ms end,
       ttr_ms = case when $2 = 'resolved' then (extract(epoch from $4::timestamptz - triggered_at) * 1000)::bigint
                     when $2 = 'new' then null else ttr_ms end,
       updated_at = now()
       from before
     where id = $1 and state_version < $3
     returning severity,
               -- Set by this transition (the first response), else null: each alert's TTA is counted once.
               case when before.tta_ms is null then alerts.tta_ms::float8 end as first_tta_ms,
               case when $2 = 'resolved' then alerts.ttr_ms::float8 end as ttr_ms`,
    [t.alertId, t.to, t.stateVersion, t.at],
  );
  return result.rows[0];
}

/**
 * Records the latest occurrence count and last-seen time of a deduplicated alert (never moves them back);
 * returns how many occurrences this call added (0 on a retry) with the alert's severity and service.
 */
export async function recordOccurrence(
  db: Queryable,
  id: string,
  occurrences: number,
  lastSeenAt: Date,
): Promise<{ count: number; severity: string; service: string } | undefined> {
  const { rows } = await db.query<{ count: number; severity: string; service: string }>(
    `with before as (select occurrences from alerts where id = $1 for update)
     update alerts set occurrences = greatest(alerts.occurrences, $2), last_seen_at = greatest(last_seen_at, $3), updated_at = now()
       from before
      where id = $1
     returning (alerts.occurrences - before.occurrences)::int as count, severity, service`,
    [id, occurrences, lastSeenAt],
  );
  return rows[0] && rows[0].count > 0 ? rows[0] : undefined;
}

/** Returns the alert with this id, or undefined. */
export async function getAlert(db: Queryable, id: string): Promise<AlertRow | undefined> {
  const { rows } = await db.query<AlertRow>('select * from alerts where id = $1', [id]);
  return rows[0];
}

/** Returns the recorded state and its version (bumped by every transition written), or undefined if unrecorded. */
export async function recordedState(db: Queryable, id: string): Promise<{ state: AlertState; stateVersion: number } | undefined> {
  const { rows } = await db.query<{ state: AlertState; state_version: number }>('select state, state_version from alerts where id = $1', [id]);
  return rows[0] && { state: rows[0].state, stateVersion: rows[0].state_version };
}

/** What the answer to a new alert's trigger says of its record: state, count, policy and group role. */
export interface RecordedAnswer {
  state: AlertState;
  occurrences: number;
  service: string;
  severity: Severity;
  has_policy: boolean;
  group_role: 'leader' | 'member' | null;
}

/** Returns a recorded alert's answer facts (its group role: whether it is its group's leader), or undefined. */
export async function recordedAnswer(db: Queryable, id: string): Promise<RecordedAnswer | undefined> {
  const { rows } = await db.query<RecordedAnswer>(
    `select a.state, a.occurrences, a.service, a.severity, a.policy_id is not null as has_policy,
            case when a.group_id is null then null when g.leader_id = a.id then 'leader' else 'member' end as group_role
       from alerts a left join alert_groups g on g.id = a.group_id
      where a.id = $1`,
    [id],
  );
  return rows[0];
}

export interface AlertFilter {
  state?: AlertState;
  /** Any of these states (the open ones, or only resolved). */
  states?: readonly AlertState[];
  /** Alerts with a page to this user in the notification log. */
  pagedUser?: string;
  severity?: Severity;
  service?: string;
  from?: Date;
  to?: Date;
  /** Keyset position: rows strictly after (triggered_at, id) in newest-first order. */
  after?: { triggeredAt: Date; id: string };
  limit: number;
}

/** Returns alerts newest first, filtered, one page after the keyset position. */
export async function listAlerts(db: Queryable, f: AlertFilter): Promise<AlertRow[]> {
  const { rows } = await db.query<AlertRow>(
    `select * from alerts
      where ($1::text is null or state = $1)
        and ($2::text is null or severity = $2)
        and ($3::text is null or service = $3)
        and ($4::timestamptz is null or triggered_at >= $4)
        and ($5::timestamptz is null or triggered_at < $5)
        and ($6::timestamptz is null or (triggered_at, id) < ($6, $7::uuid))
        and ($9::text[] is null or state = any($9))
        and ($10::uuid is null or exists (select 1 from notifications n where n.alert_id = alerts.id and n.user_id = $10))
      order by triggered_at desc, id desc
      limit $8`,
    [f.state ?? null, f.severity ?? null, f.service ?? null, f.from ?? null, f.to ?? null, f.after?.triggeredAt ?? null, f.after?.id ?? null, f.limit, f.states ?? null, f.pagedUser ?? null],
  );
  return rows;
}

/** Returns the details of the alert's first event ({} if there is no such alert). */
export async function alertDetails(db: Queryable, id: string): Promise<Record<string, unknown>> {
  const { rows } = await db.query<{ details: Record<string, unknown> }>('select details from alerts where id = $1', [id]);
  return rows[0]?.details ?? {};
}
