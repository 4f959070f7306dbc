/** SQL for silences: the row is the silence and its audit trail (created by, deleted by, why). */
import type { Matcher } from '../domain/silence';
import type { Recurrence } from '../domain/silence-recurrence';
import type { Severity } from '../domain/severity';
import type { Queryable } from './db';

export interface SilenceRow {
  id: string;
  matchers: Matcher[];
  starts_at: Date;
  ends_at: Date;
  recurrence: Recurrence | null;
  reason: string;
  created_by: string;
  created_at: Date;
  deleted_by: string | null;
  deleted_at: Date | null;
}

const COLUMNS =
  'id, matchers, starts_at, ends_at, recurrence, reason, created_by, created_at, deleted_by, deleted_at';

export interface NewSilence {
  matchers: Matcher[];
  startsAt: Date;
  endsAt: Date;
  recurrence: Recurrence | null;
  reason: string;
  createdBy: string;
}

/** Stores a silence and returns it. */
export async function createSilence(db: Queryable, s: NewSilence): Promise<SilenceRow> {
  const { rows } = await db.query<SilenceRow>(
    `insert into silences (matchers, starts_at, ends_at, recurrence, reason, created_by)
     values ($1::jsonb, $2::timestamptz, $3::timestamptz, $4::jsonb, $5, $6) returning ${COLUMNS}`,
    [
      JSON.stringify(s.matchers),
      s.startsAt,
      s.endsAt,
      s.recurrence && JSON.stringify(s.recurrence),
      s.reason,
      s.createdBy,
    ],
  );
  return rows[0]!;
}

/** Returns every silence, newest first (deleted and expired ones included: they are the audit trail). */
export async function listSilences(db: Queryable, limit = 500): Promise<SilenceRow[]> {
  return (
    await db.query<SilenceRow>(`select ${COLUMNS} from silences order by created_at desc, id limit $1`, [
      limit,
    ])
  ).rows;
}

/** Returns the silences not deleted whose end is after `now`: the ones that hold or will hold alerts. */
export async function listLiveSilences(db: Queryable, now: Date): Promise<SilenceRow[]> {
  return (
    await db.query<SilenceRow>(
      `select ${COLUMNS} from silences where deleted_at is null and ends_at > $1::timestamptz order by starts_at, id`,
      [now],
    )
  ).rows;
}

export async function getSilence(db: Queryable, id: string): Promise<SilenceRow | undefined> {
  return (await db.query<SilenceRow>(`select ${COLUMNS} from silences where id = $1`, [id])).rows[0];
}

/** Marks the silence deleted by `actor`; returns it, or undefined when there is none or it was deleted already. */
export async function deleteSilence(
  db: Queryable,
  id: string,
  actor: string,
  at: Date,
): Promise<SilenceRow | undefined> {
  const { rows } = await db.query<SilenceRow>(
    `update silences set deleted_by = $2, deleted_at = $3::timestamptz where id = $1 and deleted_at is null returning ${COLUMNS}`,
    [id, actor, at],
  );
  return rows[0];
}

export interface OpenAlertRow {
  id: string;
  workflow_id: string;
  first_run_id: string;
  summary: string;
  service: string;
  severity: Severity;
  labels: Record<string, string>;
  state: string;
  triggered_at: Date;
}

/** Returns the alerts not resolved (the ones a silence created now can hold), newest first. */
export async function listOpenAlerts(db: Queryable, limit = 10_000): Promise<OpenAlertRow[]> {
  return (
    await db.query<OpenAlertRow>(
      `select id, workflow_id, first_run_id, summary, service, severity, labels, state, triggered_at
       from alerts where state <> 'resolved' order by triggered_at desc limit $1`,
      [limit],
    )
  ).rows;
}
