/**
 * Activities that page people: resolve a tier's targets to addresses, and send one page exactly once per
 * idempotency key. A send is claimed in the notification log before the provider is called and its
 * outcome recorded after; a retry that finds the outcome recorded returns it without sending again.
 */
import type pg from 'pg';
import { targetKey, type Target } from '../domain/escalation';
import { webhookRecipient, type Recipient } from '../domain/recipients';
import { linkNonce, signLink, type LinkAction } from '../domain/replies/links';
import { PermanentDeliveryError, type Channel, type Delivery, type Notifier, type PageMessage } from '../notifiers';
import { claimNotification, finishNotification, type NewNotification } from '../store/notifications';
import { onCallAt } from '../domain/oncall';
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
    async resolveTargets(input: { targets: Target[]; at: string }): Promise<{ recipients: Recipient[]; gaps: string[] }> {
      const recipients: Recipient[] = [];
      const gaps: string[] = [];
      const at = Date.parse(input.at);
      // Schedules resolve to whoever is on call at the instant the tier fires (not when this activity runs).
      const onCall = new Map<string, string[]>();
      for (const target of input.targets) {
        if (target.type !== 'schedule') continue;
        const schedule = await loadSchedule(pool, target.id);
        onCall.set(target.id, schedule ? onCallAt(schedule, at).map((e) => e.userId) : []);
        if (!schedule) gaps.push(`schedule ${target.id} no longer exists`);
        else if (onCall.get(target.id)!.length === 0) gaps.push(`schedule ${target.id}: nobody on call at ${input.at}`);
      }
      const userIds = [
        ...input.targets.flatMap((t) => (t.type === 'user' ? [t.id] : [])),
        ...[...onCall.values()].flat(),
      ];
      const [known, methods] = await Promise.all([existingUserIds(pool, userIds), contactMethodsOf(pool, userIds)]);
      for (const target of input.targets) {
        const key = targetKey(target);
        if (target.type === 'webhook') {
          recipients.push(webhookRecipient(target));
        } else if (target.type === 'user') {
          if (!known.has(target.id)) {
            gaps.push(`user ${target.id} no longer exists`);
            continue;
          }
          const mine = methods.filter((m) => m.user_id === target.id);
          if (mine.length === 0) gaps.push(`user ${target.id} has no contact methods`);
          for (const m of mine) {
            recipients.push({ target, targetKey: key, userId: target.id, channel: m.type, address: m.address, secret: m.secret ?? undefined });
          }
        } else {
          for (const userId of onCall.get(target.id) ?? []) {
            const mine = methods.filter((m) => m.user_id === userId);
            if (mine.length === 0) gaps.push(`user ${userId}, on call for schedule ${target.id}, has no contact methods`);
            for (const m of mine) {
              recipients.push({ target, targetKey: `${key}:${userId}`, userId, channel: m.type, address: m.address, secret: m.secret ?? undefined, scheduleId: target.id });
            }
          }
        }
      }
      return { recipients, gaps };
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
        details: input.event.details,
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
          target: r.target,
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
