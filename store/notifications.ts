/** SQL for the notification log: one row per page, keyed by its idempotency key. */
import type { Queryable } from './db';

/** `sending` until an outcome is recorded; an outcome is final (a status moves only away from `sending`). */
export type NotificationStatus = 'sending' | 'sent' | 'failed' | 'cancelled';

export interface NotificationRow {
  id: number;
  idempotency_key: string;
  alert_id: string | null;
  schedule_id: string | null;
  kind: string;
  cycle: number | null;
  loop: number | null;
  tier: number | null;
  target: Record<string, unknown>;
  user_id: string | null;
  channel: 'email' | 'sms' | 'webhook' | 'voice';
  address: string;
  status: NotificationStatus;
  provider_id: string | null;
  error: string | null;
  attempts: number;
  /** The attempt that may call the provider now, and until when (see claimNotification). */
  lease_owner: string | null;
  lease_until: Date | null;
  scheduled_at: Date;
  created_at: Date;
  updated_at: Date;
}

export interface NewNotification {
  idempotencyKey: string;
  alertId: string | null;
  kind: string;
  cycle: number | null;
  loop: number | null;
  tier: number | null;
  target: Record<string, unknown>;
  userId: string | null;
  channel: 'email' | 'sms' | 'webhook' | 'voice';
  address: string;
  scheduleId: string | null;
  scheduledAt: Date;
}

/** Who is attempting a send: a unique id per attempt, its attempt number, and how long its lease lasts. */
export interface SendAttempt {
  owner: string;
  /** Temporal's attempt number; absent outside an activity (the count goes up by one). */
  attempt?: number;
  leaseMs: number;
}

/** What a claim reads besides the row, in the same statement: the alert's details, a webhook secret. */
export interface ClaimReads {
  /** Read the details of the row's alert (undefined when it has none). */
  alertDetails?: boolean;
  /** Read this webhook secret (undefined when there is no such secret). */
  secretId?: string;
}

export interface Claim {
  row: NotificationRow;
  fresh: boolean;
  holds: boolean;
  details?: Record<string, unknown>;
  secret?: string;
}

type ClaimedRow = NotificationRow & { claim_details: Record<string, unknown> | null; claim_secret: string | null };

// Appended to each claim statement over its `claimed` rows; parameters $first (details?) and $first+1 (secret id).
const claimReads = (first: number) =>
  `select claimed.*,
          case when $${first}::boolean then (select details from alerts where id = claimed.alert_id) end as claim_details,
          (select secret from webhook_secrets where id = $${first + 1}::uuid) as claim_secret
     from claimed`;

function claimOf(claimed: ClaimedRow, fresh: boolean, holds: boolean): Claim {
  const { claim_details: details, claim_secret: secret, ...row } = claimed;
  return { row, fresh, holds, ...(details !== null ? { details } : {}), ...(secret !== null ? { secret } : {}) };
}

/**
 * Claims the send for one attempt: inserts a `sending` row leased to it, or takes the existing row's lease
 * if the row is still `sending` and no other attempt holds a live lease. `holds` says whether this attempt
 * may call the provider; a row already `sent`, `failed` or `cancelled` means an earlier attempt finished,
 * and nobody must send again. `attempts` is the highest attempt number that reached the log (attempts
 * after a cancel excepted). What `reads` asks for comes with the row, from the same statement.
 */
export async function claimNotification(db: Queryable, n: NewNotification, a: SendAttempt, reads: ClaimReads = {}): Promise<Claim> {
  const extra = [reads.alertDetails ?? false, reads.secretId ?? null];
  const inserted = await db.query<ClaimedRow>(
    `with claimed as (
       insert into notifications (idempotency_key, alert_id, kind, cycle, loop, tier, target, user_id, channel, address, status, scheduled_at, schedule_id, attempts, lease_owner, lease_until)
       values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, 'sending', $11, $12, coalesce($13::integer, 1), $14, now() + $15::integer * interval '1 millisecond')
       on conflict (idempotency_key) do nothing returning *
     ) ${claimReads(16)}`,
    [n.idempotencyKey, n.alertId, n.kind, n.cycle, n.loop, n.tier, JSON.stringify(n.target), n.userId, n.channel, n.address, n.scheduledAt, n.scheduleId, a.attempt ?? null, a.owner, a.leaseMs, ...extra],
  );
  if (inserted.rows[0]) return claimOf(inserted.rows[0], true, true);
  // The set list reads the row as it was; under a concurrent claim Postgres re-reads the row once the
  // other commits, so two attempts can never both take a free lease.
  const { rows } = await db.query<ClaimedRow>(
    `with claimed as (
       update notifications set
         -- An attempt coming after the page was cancelled only finds that out: it is no attempt to page.
         attempts = case when status = 'cancelled' then attempts else greatest(attempts, coalesce($2::integer, attempts + 1)) end,
         lease_owner = case when status = 'sending' and (lease_until is null or lease_until <= now()) then $3 else lease_owner end,
         lease_until = case when status = 'sending' and (lease_until is null or lease_until <= now())
                            then now() + $4::integer * interval '1 millisecond' else lease_until end,
         updated_at = now()
       where idempotency_key = $1 returning *
     ) ${claimReads(5)}`,
    [n.idempotencyKey, a.attempt ?? null, a.owner, a.leaseMs, ...extra],
  );
  const row = rows[0]!;
  return claimOf(row, false, row.status === 'sending' && row.lease_owner === a.owner);
}

/** Extends the attempt's lease while its send runs; returns false if it no longer holds it. */
export async function renewLease(db: Queryable, key: string, a: SendAttempt): Promise<boolean> {
  const result = await db.query(
    `update notifications set lease_until = now() + $3::integer * interval '1 millisecond'
      where idempotency_key = $1 and status = 'sending' and lease_owner = $2`,
    [key, a.owner, a.leaseMs],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Records a failed attempt of a send that will be retried: its error, and the lease given up so the next
 * attempt need not wait for it to expire. Only the attempt holding the lease writes.
 */
export async function recordAttemptFailure(db: Queryable, key: string, owner: string, error: string): Promise<void> {
  await db.query(
    `update notifications set error = $3, lease_owner = null, lease_until = null, updated_at = now()
      where idempotency_key = $1 and status = 'sending' and lease_owner = $2`,
    [key, owner, error],
  );
}

/** Gives up a lease without recording anything (the attempt was cancelled before it sent). */
export async function releaseLease(db: Queryable, key: string, owner: string): Promise<void> {
  await db.query(
    `update notifications set lease_owner = null, lease_until = null where idempotency_key = $1 and status = 'sending' and lease_owner = $2`,
    [key, owner],
  );
}

export type NotificationOutcome = { status: 'sent'; providerId?: string } | { status: 'failed' | 'cancelled'; error: string };

/**
 * Records the outcome of a send. `failed` and `cancelled` are written only over `sending`, so a late
 * attempt never turns `sent` into `failed`; `sent` also over `cancelled`, because a send already under way
 * when its page was cancelled did go out. Returns the row as it stands afterwards (undefined: no such
 * row), and whether this call was the one that settled it.
 */
export async function finishNotification(db: Queryable, key: string, outcome: NotificationOutcome): Promise<{ row: NotificationRow | undefined; settled: boolean }> {
  const { rows } = await db.query<NotificationRow>(
    `update notifications set status = $2, provider_id = $3, error = $4, lease_owner = null, lease_until = null, updated_at = now()
      where idempotency_key = $1 and (status = 'sending' or ($2 = 'sent' and status = 'cancelled')) returning *`,
    [key, outcome.status, outcome.status === 'sent' ? (outcome.providerId ?? null) : null, outcome.status === 'sent' ? null : outcome.error],
  );
  if (rows[0]) return { row: rows[0], settled: true };
  return { row: await getNotification(db, key), settled: false };
}

/**
 * Settles a page the workflow stopped trying: over `sending`, or as a row of its own when no attempt has
 * claimed it yet, so an attempt that starts later finds the outcome and sends nothing. `attempted` says
 * whether any attempt had reached the log before.
 */
export async function settleNotification(
  db: Queryable,
  n: NewNotification,
  outcome: { status: 'failed' | 'cancelled'; error: string },
): Promise<{ row: NotificationRow; settled: boolean; attempted: boolean }> {
  const inserted = await db.query<NotificationRow>(
    `insert into notifications (idempotency_key, alert_id, kind, cycle, loop, tier, target, user_id, channel, address, status, error, scheduled_at, schedule_id, attempts)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, 0)
     on conflict (idempotency_key) do nothing returning *`,
    [n.idempotencyKey, n.alertId, n.kind, n.cycle, n.loop, n.tier, JSON.stringify(n.target), n.userId, n.channel, n.address, outcome.status, outcome.error, n.scheduledAt, n.scheduleId],
  );
  if (inserted.rows[0]) return { row: inserted.rows[0], settled: true, attempted: false };
  const { row, settled } = await finishNotification(db, n.idempotencyKey, outcome);
  return { row: row!, settled, attempted: true };
}

/** Returns the notification with this idempotency key, if any. */
export async function getNotification(db: Queryable, key: string): Promise<NotificationRow | undefined> {
  const { rows } = await db.query<NotificationRow>('select * from notifications where idempotency_key = $1', [key]);
  return rows[0];
}

/** Returns an alert's notifications, oldest first. */
export async function listNotifications(db: Queryable, alertId: string): Promise<NotificationRow[]> {
  const { rows } = await db.query<NotificationRow>('select * from notifications where alert_id = $1 order by scheduled_at, id', [alertId]);
  return rows;
}
