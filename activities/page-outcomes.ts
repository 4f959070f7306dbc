/**
 * What one page attempt leaves besides its row in the notification log: the klaxon_pages_total /
 * klaxon_handoff_notices_total counts, the delivery-latency sample, and a line in the worker's log with
 * the alert id (the SDK's activity logger adds the workflow id). Counted when the outcome is recorded,
 * so a retry that finds the outcome already recorded counts nothing again.
 */
import { isAlertMessage, type Delivery } from '../notifiers';
import { handoffNotices, pageDelivery, pages, pagesRetried } from '../runtime/metrics';
import type { NewNotification } from '../store/notifications';
import { activityLog } from './activity-log';
import type { PageAttempt } from './page-attempt';

export type PageOutcome = 'sent' | 'failed_permanent' | 'failed_transient';

/**
 * Returns when the page fell due: the alert's acceptance for the first tier's first page (so the sample
 * is ingest → provider, backlog included), else the moment the workflow decided to send it.
 */
function dueAt(claim: NewNotification, message: Delivery['message']): number {
  if (message.kind === 'page' && claim.tier === 0 && (claim.loop ?? 0) === 0) return Date.parse(message.triggeredAt);
  return claim.scheduledAt.getTime();
}

/** Counts and logs one attempt's outcome; `error` is the stored error text (never a provider's answer body). */
export function notePageOutcome(claim: NewNotification, message: Delivery['message'], outcome: PageOutcome, attempt: PageAttempt, error?: string): void {
  const { channel } = claim;
  const meta = { alertId: claim.alertId ?? undefined, scheduleId: claim.scheduleId ?? undefined, channel, kind: claim.kind, tier: claim.tier ?? undefined, attempt: attempt.number };
  if (message.kind === 'handoff') {
    if (outcome !== 'failed_transient') handoffNotices.inc({ outcome: outcome === 'sent' ? 'sent' : 'failed' });
  } else if (isAlertMessage(message)) {
    // Test pages are left out: the page metrics and their alert rules are about alerts.
    pages.inc({ channel, outcome });
    if ((attempt.number ?? 1) > 1) pagesRetried.inc({ channel });
    if (outcome === 'sent') pageDelivery.observe({ channel }, Math.max(0, Date.now() - dueAt(claim, message)) / 1000);
  }
  if (outcome === 'sent') activityLog('info', `${claim.kind} sent by ${channel}`, meta);
  else activityLog(outcome === 'failed_transient' ? 'warn' : 'error', `${claim.kind} by ${channel} failed${outcome === 'failed_transient' ? ', will retry' : ' for good'}: ${error}`, { ...meta, error });
}
