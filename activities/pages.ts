/**
 * Activities that page people: resolve a tier's targets to addresses, and send one page exactly once per
 * idempotency key. A send is claimed in the notification log before the provider is called and its
 * outcome recorded after; a retry that finds the outcome recorded returns it without sending again.
 */
import type pg from 'pg';
import { shownTarget, type Target } from '../domain/escalation';
import type { Schedule } from '../domain/oncall';
import type { Recipient } from '../domain/recipients';
import { linkNonce, signLink, type LinkAction } from '../domain/replies/links';
import { onCallForTargets, recipientsForTargets, userIdsToLookUp, type Resolution } from '../domain/resolve-targets';
import { PermanentDeliveryError, type Channel, type Delivery, type Notifier, type PageMessage } from '../notifiers';
import { claimNotification, finishNotification, type NewNotification } from '../store/notifications';
import { alertDetails } from '../store/alerts';
import { loadSchedule } from '../store/schedules';
import { smsReplyCode } from '../store/replies';
import { contactMethodsOf, existingUserIds } from '../store/users';
import type { AlertEvent } from '../workflows/messages';

export interface PageDeps {
  pool: pg.Pool;
  notifiers: Record<Channel, Notifier>;
  /** Base URL for links in pages. */
  publicUrl: string;
  /** Signs the one-click links of email pages; without it email pages carry none. */
  replyLinks?: { key: () => Promise<Buffer>; ttlMs: number };
  /** Test seam: runs after an outcome is recorded, before the activity returns (a crash at the worst moment). */
  afterRecorded?: (key: string) => void;
}

export type { Recipient };

export interface SendPageInput {
  idempotencyKey: string;
  alertId: string;
  event: AlertEvent;
  triggeredAt: string;
  kind: PageMessage['kind'];
  cycle: number;
  loop: number | null;
  tier: number | null;
  slaKind?: 'tta' | 'ttr';
  deadline?: string;
  /** The workflow's clock when it decided to page. */
  scheduledAt: string;
  recipient: Recipient;
  /** The event's details are in the alert's record, not in `event` (runs from before sent them along). */
  detailsFromStore?: boolean;
}

export type SendPageResult = { status: 'sent'; providerId?: string; resent: boolean } | { status: 'failed'; error: string };

/**
 * Sends one message unless its idempotency key already has a recorded outcome: claims the key in the
 * notification log, calls the provider, records the outcome. Permanent provider errors are recorded as
 * failed; transient ones are thrown for Temporal to retry.
 */
export async function deliverOnce(
  { pool, notifiers, afterRecorded }: PageDeps,
  d: { claim: NewNotification; message: Delivery['message']; secret?: string },
): Promise<SendPageResult> {
  const { row, fresh } = await claimNotification(pool, d.claim);
  if (!fresh && row.status === 'sent') return { status: 'sent', providerId: row.provider_id ?? undefined, resent: false };
  if (!fresh && row.status === 'failed') return { status: 'failed', error: row.error ?? 'failed' };
  // `sending` left by a crashed attempt: the provider may or may not have it. Sending again is the safe
  // side for a page (a missed page is worse than a repeat), and the stable idempotency key / Message-ID
  // lets the receiver drop the repeat.
  const key = d.claim.idempotencyKey;
  let result: SendPageResult;
  try {
    const sent = await notifiers[d.claim.channel].send({ channel: d.claim.channel, address: d.claim.address, idempotencyKey: key, message: d.message, secret: d.secret });
    await finishNotification(pool, key, { status: 'sent', providerId: sent.providerId });
    result = { status: 'sent', providerId: sent.providerId, resent: !fresh };
  } catch (err) {
    if (!(err instanceof PermanentDeliveryError)) throw err; // transient: Temporal retries with backoff
    await finishNotification(pool, key, { status: 'failed', error: err.message });
    result = { status: 'failed', error: err.message };
  }
  afterRecorded?.(key);
  return result;
}

/** Returns the paging activities. */
export function createPageActivities(deps: PageDeps) {
  const { pool, publicUrl } = deps;

  /**
   * The reply code (SMS) or one-click links (email) that let the paged user answer from where the page
   * reached them. Both come out the same on a retry: the code is stored per (alert, user, number), the
   * links are signed from the page's idempotency key and its scheduled time.
   */
  async function respondOptions(input: SendPageInput): Promise<Pick<PageMessage, 'replyCode' | 'respondLinks'>> {
    const { recipient: r } = input;
    if (!r.userId) return {};
    if (r.channel === 'sms') {
      const code = await smsReplyCode(pool, { alertId: input.alertId, userId: r.userId, address: r.address });
      return code ? { replyCode: code } : {};
    }
    if (r.channel === 'email' && deps.replyLinks) {
      const key = await deps.replyLinks.key();
      const exp = Math.floor((Date.parse(input.scheduledAt) + deps.replyLinks.ttlMs) / 1000);
      const link = (action: LinkAction) =>
        `${publicUrl.replace(/\/$/, '')}/respond/${signLink(key, { alertId: input.alertId, action, userId: r.userId!, exp, nonce: linkNonce(key, input.idempotencyKey, action) })}`;
      return { respondLinks: { acknowledge: link('acknowledge'), resolve: link('resolve'), expiresAt: new Date(exp * 1000).toISOString() } };
    }
    return {};
  }

  return {
    /**
     * Returns the addresses behind a tier's targets at this moment, and a line for each target that
     * yields nobody (unknown user, no contact methods), so the gap shows on the timeline.
     */
    async resolveTargets(input: { targets: Target[]; at: string }): Promise<Resolution> {
      const at = Date.parse(input.at);
      const schedules = new Map<string, Schedule | undefined>();
      for (const target of input.targets) {
        if (target.type === 'schedule') schedules.set(target.id, await loadSchedule(pool, target.id));
      }
      const { onCall, gaps } = onCallForTargets(input.targets, at, (id) => schedules.get(id));
      const userIds = userIdsToLookUp(input.targets, onCall);
      const [known, methods] = await Promise.all([existingUserIds(pool, userIds), contactMethodsOf(pool, userIds)]);
      const resolved = recipientsForTargets(input.targets, onCall, known, methods);
      return { recipients: resolved.recipients, gaps: [...gaps, ...resolved.gaps] };
    },

    /** Sends one page unless its idempotency key already has a recorded outcome. */
    async sendPage(input: SendPageInput): Promise<SendPageResult> {
      const { recipient: r } = input;
      const message: PageMessage = {
        alertId: input.alertId,
        kind: input.kind,
        summary: input.event.summary,
        severity: input.event.severity,
        service: input.event.service,
        source: input.event.source,
        triggeredAt: input.triggeredAt,
        tier: input.tier ?? undefined,
        loop: input.loop ?? undefined,
        slaKind: input.slaKind,
        deadline: input.deadline,
        ackUrl: `${publicUrl.replace(/\/$/, '')}/alerts/${input.alertId}`,
        details: input.detailsFromStore ? await alertDetails(pool, input.alertId) : input.event.details,
        ...(await respondOptions(input)),
      };
      return deliverOnce(deps, {
        claim: {
          idempotencyKey: input.idempotencyKey,
          alertId: input.alertId,
          kind: input.kind,
          cycle: input.cycle,
          loop: input.loop,
          tier: input.tier,
          // The notification log is readable through the API: never the webhook's secret.
          target: shownTarget(r.target),
          userId: r.userId,
          channel: r.channel,
          address: r.address,
          scheduleId: r.scheduleId ?? null,
          scheduledAt: new Date(input.scheduledAt),
        },
        message,
        secret: r.secret,
      });
    },

    /** Records a page whose retries ran out as failed, so the log never stays `sending`. */
    async failPage(input: { idempotencyKey: string; error: string }): Promise<void> {
      await finishNotification(pool, input.idempotencyKey, { status: 'failed', error: input.error });
    },
  };
}
