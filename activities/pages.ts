/**
 * Activities that page people: resolve a tier's targets to addresses, and send one page exactly once per
 * idempotency key. A send is claimed in the notification log before the provider is called and its
 * outcome recorded after; a retry that finds the outcome recorded returns it without sending again.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { shownTarget, type Target } from '../domain/escalation';
import type { Recipient } from '../domain/recipients';
import { linkNonce, signLink, type LinkAction } from '../domain/replies/links';
import { signVoiceToken, TWILIO_VOICE_PATH, voicePageId } from '../domain/replies/voice';
import { resolveTargetsIn, type Resolution } from '../domain/resolve-targets';
import { isAlertMessage, PermanentDeliveryError, type Channel, type Delivery, type Notifier, type PageMessage } from '../notifiers';
import {
  claimNotification,
  finishNotification,
  getNotification,
  recordAttemptFailure,
  releaseLease,
  renewLease,
  settleNotification,
  type NewNotification,
  type NotificationRow,
  type SendAttempt,
} from '../store/notifications';
import { loadDirectory, type RecordedState } from '../store/directory';
import { smsReplyCode } from '../store/replies';
import type { AlertEvent } from '../workflows/messages';
import { attemptTime, currentAttempt, type EarlierAttempts, type PageAttempt } from './page-attempt';
import { notePageOutcome } from './page-outcomes';
import { gaveUpError, notePageEvent } from './page-timeline';

export interface PageDeps {
  pool: pg.Pool;
  notifiers: Record<Channel, Notifier>;
  /** Base URL for links in pages. */
  publicUrl: string;
  /** Signs the one-click links of email pages; without it email pages carry none. */
  replyLinks?: { key: () => Promise<Buffer>; ttlMs: number };
  /**
   * How long a page to a channel that is down keeps being retried, counted from its first attempt
   * (PAGE_RETRY_CAP_HOURS, default 24 h). Read here, by the worker, so changing it changes no workflow.
   */
  pageRetryCapMs?: number;
  /** Test seam: runs after an outcome is recorded, before the activity returns (a crash at the worst moment). */
  afterRecorded?: (key: string) => void;
}

export const DEFAULT_PAGE_RETRY_CAP_MS = 24 * 3_600_000;
// An attempt's claim on a send lasts this long and is renewed while the send runs, so a crashed worker's
// claim lapses quickly while a slow live attempt keeps its own.
const LEASE_MS = 30_000;
// Longer than any one send can take (each client gives up within its timeouts, notifiers/*.ts): past this
// the attempt stops renewing and its claim lapses. Equal to the pages' startToCloseTimeout.
const MAX_SEND_MS = 120_000;

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
  /** Tried before within its tier's pageTargets activity (activities/tier-pages.ts): attempts count on from there. */
  earlier?: EarlierAttempts;
}

/** Returns a page's idempotency key: one per alert, cycle, tier (or SLA mark) and address. */
export function pageKey(keyPrefix: string, r: Pick<Recipient, 'targetKey' | 'channel' | 'address'>): string {
  return `${keyPrefix}:${r.targetKey}:${r.channel}:${r.address}`;
}

export type SendPageResult =
  | { status: 'sent'; providerId?: string; resent: boolean }
  | { status: 'failed'; error: string }
  | { status: 'cancelled'; error: string };

/** Another attempt of the same page holds its claim and may be sending right now: retried, never sent beside it. */
export class PageInFlightError extends Error {
  constructor(key: string) {
    super(`another attempt of ${key} is still sending it`);
    this.name = 'PageInFlightError';
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Returns the outcome a row already records (a finished send), or null while it is `sending`. */
function recordedOutcome(row: NotificationRow): SendPageResult | null {
  if (row.status === 'sent') return { status: 'sent', providerId: row.provider_id ?? undefined, resent: false };
  if (row.status === 'failed' || row.status === 'cancelled') return { status: row.status, error: row.error ?? row.status };
  return null;
}

/** Keeps the attempt visible while its send runs: heartbeats to Temporal, and its claim renewed in Postgres. */
function keepAlive(pool: pg.Pool, key: string, a: SendAttempt, attempt: PageAttempt): () => void {
  attempt.heartbeat();
  const started = Date.now();
  const timer = setInterval(() => {
    attempt.heartbeat();
    // A failed renewal only shortens the claim; the send itself goes on.
    if (Date.now() - started < MAX_SEND_MS) renewLease(pool, key, a).catch(() => {});
  }, LEASE_MS / 3);
  return () => clearInterval(timer);
}

/** Returns the webhook secret a claim read; one that is gone cannot sign, and a page signed with nothing would be refused. */
function secretOf(id: string, secret: string | undefined): string {
  if (secret === undefined) throw new PermanentDeliveryError(`webhook secret ${id} no longer exists: the page cannot be signed`, { code: 'ENOSECRET' });
  return secret;
}

/**
 * Sends one message unless its idempotency key already has a recorded outcome: claims the key in the
 * notification log (with a lease only one attempt holds at a time), calls the provider, records the
 * outcome. Permanent provider errors are recorded as failed; a transient error is recorded on the row
 * and the timeline and thrown for Temporal to retry, until the retry cap passes and the page is
 * recorded as failed. An attempt finding another one still sending throws PageInFlightError.
 */
export async function deliverOnce(
  { pool, notifiers, afterRecorded, pageRetryCapMs = DEFAULT_PAGE_RETRY_CAP_MS }: PageDeps,
  d: {
    claim: NewNotification;
    message: Delivery['message'];
    secretId?: string;
    secret?: string;
    /** The page's details are its alert's (read with the claim, into message.details). */
    detailsFromStore?: boolean;
    earlier?: EarlierAttempts;
  },
): Promise<SendPageResult> {
  const attempt = currentAttempt(d.earlier);
  const lease: SendAttempt = { owner: randomUUID(), attempt: attempt.number, leaseMs: LEASE_MS };
  const key = d.claim.idempotencyKey;
  // The webhook secret is read with the claim, just before signing; a secret given along (runs from
  // before secrets moved out) needs no read.
  const reads = { alertDetails: d.detailsFromStore === true && isAlertMessage(d.message), secretId: d.secret === undefined ? d.secretId : undefined };
  const { row, fresh, holds, details, secret: stored } = await claimNotification(pool, d.claim, lease, reads);
  const message = reads.alertDetails ? { ...d.message, details: details ?? {} } : d.message;
  const recorded = recordedOutcome(row);
  if (recorded) return recorded;
  if (!holds) throw new PageInFlightError(key);
  // Asked to stop before sending (the alert was answered): the claim goes back, nothing is sent.
  if (attempt.signal?.aborted) {
    await releaseLease(pool, key, lease.owner);
    throw attempt.signal.reason;
  }
  // `sending` left by a crashed attempt: the provider may or may not have it. Sending again is the safe
  // side for a page (a missed page is worse than a repeat), and the stable idempotency key / Message-ID
  // lets the receiver drop the repeat.
  const failedBefore = !fresh && row.error !== null;
  let result: SendPageResult;
  const stop = keepAlive(pool, key, lease, attempt);
  try {
    // A send under way is not aborted when the page is cancelled: what it did is recorded either way.
    const secret = d.secret ?? (d.secretId === undefined ? undefined : secretOf(d.secretId, stored));
    const sent = await notifiers[d.claim.channel].send({ channel: d.claim.channel, address: d.claim.address, idempotencyKey: key, message, secret });
    stop();
    await finishNotification(pool, key, { status: 'sent', providerId: sent.providerId });
    notePageOutcome(d.claim, message, 'sent', attempt);
    if (failedBefore) await notePageEvent(pool, d.claim, { kind: 'sent', attempt: attempt.number }, attemptTime(attempt));
    result = { status: 'sent', providerId: sent.providerId, resent: !fresh };
  } catch (err) {
    stop();
    const elapsed = attempt.scheduledMs - attempt.firstScheduledMs;
    if (err instanceof PermanentDeliveryError || elapsed >= pageRetryCapMs) {
      const error = err instanceof PermanentDeliveryError ? err.message : gaveUpError(attempt.number, elapsed, errorText(err));
      const { settled } = await finishNotification(pool, key, { status: 'failed', error });
      if (settled) await notePageEvent(pool, d.claim, { kind: 'failed', error }, attemptTime(attempt));
      if (settled) notePageOutcome(d.claim, message, 'failed_permanent', attempt, error);
      result = { status: 'failed', error };
    } else {
      // Transient: on the row and the timeline, then Temporal retries with backoff.
      await recordAttemptFailure(pool, key, lease.owner, errorText(err));
      notePageOutcome(d.claim, message, 'failed_transient', attempt, errorText(err));
      if (attempt.number !== undefined) await notePageEvent(pool, d.claim, { kind: 'attempt_failed', attempt: attempt.number, error: errorText(err) }, attemptTime(attempt));
      throw attempt.signal?.aborted ? attempt.signal.reason : err;
    }
  }
  afterRecorded?.(key);
  return result;
}

/** What identifies a page in the notification log: its SendPageInput without the alert's event. */
export type PageRef = Omit<SendPageInput, 'event' | 'triggeredAt' | 'earlier'>;

/** Returns the notification-log row a page claims. */
function claimOf(p: PageRef): NewNotification {
  const r = p.recipient;
  return {
    idempotencyKey: p.idempotencyKey,
    alertId: p.alertId,
    kind: p.kind,
    cycle: p.cycle,
    loop: p.loop,
    tier: p.tier,
    // The notification log is readable through the API: never the webhook's secret.
    target: shownTarget(r.target),
    userId: r.userId,
    channel: r.channel,
    address: r.address,
    scheduleId: r.scheduleId ?? null,
    scheduledAt: new Date(p.scheduledAt),
  };
}

/** Returns the paging activities. */
export function createPageActivities(deps: PageDeps) {
  const { pool, publicUrl } = deps;

  /**
   * The reply code (SMS) or one-click links (email) that let the paged user answer from where the page
   * reached them. Both come out the same on a retry: the code is stored per (alert, user, number), the
   * links are signed from the page's idempotency key and its scheduled time.
   */
  async function respondOptions(input: SendPageInput): Promise<Pick<PageMessage, 'replyCode' | 'respondLinks' | 'voiceCallbacks'>> {
    const { recipient: r } = input;
    if (!r.userId) return {};
    if (r.channel === 'sms') {
      const code = await smsReplyCode(pool, { alertId: input.alertId, userId: r.userId, address: r.address });
      return code ? { replyCode: code } : {};
    }
    if (r.channel === 'voice' && deps.replyLinks) {
      // Signed like the email links, with the same expiry: the keypad works for as long as a link would.
      const key = await deps.replyLinks.key();
      const exp = Math.floor((Date.parse(input.scheduledAt) + deps.replyLinks.ttlMs) / 1000);
      const token = signVoiceToken(key, { alertId: input.alertId, userId: r.userId, page: voicePageId(key, input.idempotencyKey), exp });
      const base = `${publicUrl.replace(/\/$/, '')}${TWILIO_VOICE_PATH}/${token}`;
      return { voiceCallbacks: { gather: base, status: `${base}/status` } };
    }
    if (r.channel === 'email' && deps.replyLinks) {
      const key = await deps.replyLinks.key();
      const exp = Math.floor((Date.parse(input.scheduledAt) + deps.replyLinks.ttlMs) / 1000);
      const link = (action: LinkAction) =>
        `${publicUrl.replace(/\/$/, '')}/respond/${signLink(key, { alertId: input.alertId, action, userId: r.userId!, exp, nonce: linkNonce(key, input.idempotencyKey, action) })}`;
      return { respondLinks: { acknowledge: link('acknowledge'), resolve: link('resolve'), snooze: link('snooze'), expiresAt: new Date(exp * 1000).toISOString() } };
    }
    return {};
  }

  return {
    /**
     * Returns the addresses behind a tier's targets at this moment, and a line for each target that
     * yields nobody (unknown user, no contact methods), so the gap shows on the timeline. Given the
     * alert's id, also its recorded state as read with them (null: not recorded).
     */
    async resolveTargets(input: { targets: Target[]; at: string; alertId?: string }): Promise<Resolution & { recorded?: RecordedState | null }> {
      const directory = await loadDirectory(pool, input.targets, input.alertId);
      const resolution = resolveTargetsIn(directory, input.targets, Date.parse(input.at));
      return directory.recorded === undefined ? resolution : { ...resolution, recorded: directory.recorded };
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
        // In the alert's record: read with the claim.
        ...(input.detailsFromStore ? {} : { details: input.event.details }),
        ...(await respondOptions(input)),
      };
      return deliverOnce(deps, {
        claim: claimOf(input),
        message,
        detailsFromStore: input.detailsFromStore,
        // The id travels through Temporal; the secret is read here, just before signing. (A secret
        // itself comes only from runs that began before secrets moved out.)
        secretId: r.secretId,
        secret: r.secret,
        earlier: input.earlier,
      });
    },

    /** Records a page whose retries ran out as failed, so the log never stays `sending` (runs from before). */
    async failPage(input: { idempotencyKey: string; error: string }): Promise<void> {
      await finishNotification(pool, input.idempotencyKey, { status: 'failed', error: input.error });
    },

    /**
     * Records the outcome the workflow gave a page it stopped trying (cancelled: the alert was answered;
     * failed: it ran out of time), unless an attempt recorded one first; a page no attempt has claimed
     * yet gets a row of its own, so none sends it later. Returns the outcome that stands.
     */
    async settlePage(input: { page: PageRef; status: 'failed' | 'cancelled'; reason: string; at: string }): Promise<SendPageResult> {
      const claim = claimOf(input.page);
      const before = await getNotification(pool, claim.idempotencyKey);
      const { row, settled, attempted } = await settleNotification(pool, claim, { status: input.status, error: input.reason });
      // A page never attempted says nothing on the timeline: the acknowledge already does.
      if (settled && attempted) {
        const event =
          input.status === 'cancelled'
            ? ({ kind: 'cancelled', attempts: row.attempts, reason: input.reason, lastError: before?.error ?? null } as const)
            : ({ kind: 'failed', error: input.reason } as const);
        await notePageEvent(pool, claim, event, new Date(input.at));
      }
      return recordedOutcome(row) ?? { status: input.status, error: input.reason };
    },
  };
}
