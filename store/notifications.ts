/** SQL for the notification log: one row per page, keyed by its idempotency key. */
import type { Queryable } from './db';

export type NotificationStatus = 'sending' | 'sent' | 'failed';

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
  channel: 'email' | 'sms' | 'webhook';
  address: string;
  status: NotificationStatus;
  provider_id: string | null;
  error: string | null;
  attempts: number;
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
  channel: 'email' | 'sms' | 'webhook';
  address: string;
  scheduleId: string | null;
  scheduledAt: Date;
}

/**
 * Claims the send: inserts a `sending` row, or returns the existing row. A row already `sent` or `failed`
 * means an earlier attempt finished, and the caller must not send again.
 */
export async function claimNotification(db: Queryable, n: NewNotification): Promise<{ row: NotificationRow; fresh: boolean }> {
  const inserted = await db.query<NotificationRow>(
    `insert into notifications (idempotency_key, alert_id, kind, cycle, loop, tier, target, user_id, channel, address, status, scheduled_at, schedule_id)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, 'sending', $11, $12)
     on conflict (idempotency_key) do nothing returning *`,
    [n.idempotencyKey, n.alertId, n.kind, n.cycle, n.loop, n.tier, JSON.stringify(n.target), n.userId, n.channel, n.address, n.scheduledAt, n.scheduleId],
  );
  if (inserted.rows[0]) return { row: inserted.rows[0], fresh: true };
  const { rows } = await db.query<NotificationRow>(
    `update notifications set attempts = attempts + 1, updated_at = now() where idempotency_key = $1 returning *`,
    [n.idempotencyKey],
  );
  return { row: rows[0]!, fresh: false };
}

/** Records the outcome of a send. */
export async function finishNotification(
  db: Queryable,
  key: string,
  outcome: { status: 'sent'; providerId?: string } | { status: 'failed'; error: string },
): Promise<void> {
  await db.query(
    `update notifications set status = $2, provider_id = $3, error = $4, updated_at = now() where idempotency_key = $1`,
    [key, outcome.status, outcome.status === 'sent' ? (outcome.providerId ?? null) : null, outcome.status === 'failed' ? outcome.error : null],
  );
}

/** Returns an alert's notifications, oldest first. */
export async function listNotifications(db: Queryable, alertId: string): Promise<NotificationRow[]> {
  const { rows } = await db.query<NotificationRow>('select * from notifications where alert_id = $1 order by scheduled_at, id', [alertId]);
  return rows;
}
