/**
 * What a page's attempts and outcome write on its alert's timeline. Each entry is keyed by the page's
 * idempotency key (and the attempt number), so a retried write adds nothing.
 */
import type pg from 'pg';
import { withoutUrlCredentials } from '../domain/outbound-address';
import { humanDuration } from '../notifiers';
import { insertAudit } from '../store/audit';
import type { NewNotification } from '../store/notifications';

const SYSTEM = 'system:klaxon';

type Described = Pick<NewNotification, 'kind' | 'tier' | 'loop' | 'channel' | 'address'>;

/** Returns how the timeline names a page, e.g. "tier 2 email page to alice@example.com". */
export function pageLabel(n: Described): string {
  const what =
    n.kind === 'page'
      ? `tier ${(n.tier ?? 0) + 1}${n.loop ? ` (loop ${n.loop + 1})` : ''} ${n.channel} page`
      : n.kind === 'sla_at_risk'
        ? `SLA at-risk ${n.channel} page`
        : n.kind === 'sla_breached'
          ? `SLA breach ${n.channel} page`
          : `${n.kind} ${n.channel} notice`;
  // A webhook URL stored before credentials in URLs were refused: the timeline is every viewer's.
  return `${what} to ${n.channel === 'webhook' ? withoutUrlCredentials(n.address) : n.address}`;
}

export type PageEvent =
  | { kind: 'attempt_failed'; attempt: number; error: string }
  | { kind: 'sent'; attempt: number | undefined }
  | { kind: 'failed'; error: string }
  | { kind: 'cancelled'; attempts: number; reason: string; lastError: string | null };

const ACTIONS = {
  attempt_failed: 'page_attempt_failed',
  sent: 'page_sent',
  failed: 'page_failed',
  cancelled: 'page_cancelled',
} as const;

/** Returns the timeline line of a page event. */
export function pageEventReason(n: Described, e: PageEvent): string {
  const label = pageLabel(n);
  switch (e.kind) {
    case 'attempt_failed':
      return `attempt ${e.attempt} of the ${label} failed: ${e.error}; trying again`;
    case 'sent':
      return `${label} delivered${e.attempt ? ` on attempt ${e.attempt}` : ''}, after failed attempts`;
    case 'failed':
      return `${label} failed for good: ${e.error}`;
    case 'cancelled':
      return `${label} stopped after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}: ${e.reason}${e.lastError ? ` (last error: ${e.lastError})` : ''}`;
  }
}

/** Writes a page event on its alert's timeline, once per page and attempt; pages without an alert write nothing. */
export async function notePageEvent(
  pool: pg.Pool,
  n: Described & { idempotencyKey: string; alertId: string | null },
  e: PageEvent,
  at: Date,
): Promise<void> {
  if (!n.alertId) return;
  // One outcome per page; one entry per failed attempt.
  const suffix = e.kind === 'attempt_failed' ? `attempt:${e.attempt}` : 'outcome';
  await insertAudit(pool, {
    alertId: n.alertId,
    action: ACTIONS[e.kind],
    fromState: null,
    toState: null,
    actor: SYSTEM,
    reason: pageEventReason(n, e),
    at,
    idempotencyKey: `${n.idempotencyKey}:${suffix}`,
  });
}

/** Returns the line a page that ran out of time records: how long and how many attempts, and the last error. */
export function gaveUpError(attempts: number | undefined, elapsedMs: number, lastError: string): string {
  return `gave up after ${attempts ?? 'several'} attempts over ${humanDuration(elapsedMs)}: ${lastError}`;
}
