/**
 * Paging a whole tier (or SLA mark) in one activity: resolve its targets, then send every page's first
 * attempt. The common case (each page delivered or refused for good) costs the alert one activity
 * instead of a lookup and one per page. A page whose first attempt fails transiently comes back
 * `retrying` and the workflow retries it on its own (sendPage, same key), where it can be cancelled once
 * the alert is answered. A retry of this activity resends nothing: each page's recorded outcome stands.
 */
import type { Target } from '../domain/escalation';
import type { AlertState } from '../domain/lifecycle';
import { splitTargets, type Recipient } from '../domain/recipients';
import type { Queryable } from '../store/db';
import { recordedState } from '../store/alerts';
import { currentAttempt, type EarlierAttempts } from './page-attempt';
import { pageKey, type createPageActivities, type SendPageInput, type SendPageResult } from './pages';

/** The pages of one tier share everything but the recipient and the key. */
export interface PageTargetsInput extends Omit<
  SendPageInput,
  'idempotencyKey' | 'recipient' | 'earlier' | 'detailsFromStore'
> {
  /** Each page's idempotency key is this prefix and its recipient (pageKey). */
  keyPrefix: string;
  targets: Target[];
  /**
   * While the pages still matter: the alert's recorded state still at this version (a tier's pages and
   * TTA marks: any transition from `new` answers them), or not yet resolved (TTR marks). Checked as the
   * targets are read (the activity may have waited long enough for someone to answer), just before the
   * pages go out.
   */
  neededWhile: { stateVersion: number } | 'unresolved';
}

/** One page of a tier: its first attempt's outcome, or `retrying` when that attempt failed transiently. */
export interface TargetPage {
  key: string;
  recipient: Recipient;
  result: SendPageResult | { status: 'retrying'; error: string };
}

export interface PageTargetsResult {
  pages: TargetPage[];
  /** The alert was answered while its targets were looked up (its recorded state then): nobody was paged. */
  skipped?: AlertState;
  /** A line for each target that yielded nobody (empty schedule, no contact method), for the timeline. */
  gaps: string[];
  /** Where a page retried on its own goes on counting its attempts and its retry cap from. */
  earlier: EarlierAttempts;
  /**
   * A tier's pages that its users' notification rules hold back (`recipient.delayMinutes` after the
   * tier fires), not sent: the workflow sends each when it falls due. Absent when there are none.
   */
  scheduled?: { key: string; recipient: Recipient }[];
}

/** Returns the activity that pages a tier, built on the single-page activities. */
export function createTierPageActivities(
  pool: Queryable,
  pages: Pick<ReturnType<typeof createPageActivities>, 'resolveTargets' | 'sendPage'>,
) {
  return {
    async pageTargets(input: PageTargetsInput): Promise<PageTargetsResult> {
      const attempt = currentAttempt();
      attempt.heartbeat();
      const { keyPrefix, targets, neededWhile, ...page } = input;
      // Webhook targets carry their address and are paged first; users and schedules are looked up.
      const { direct, lookup } = splitTargets(targets);
      const { recipients, gaps, recorded } = lookup.length
        ? await pages.resolveTargets({ targets: lookup, at: input.scheduledAt, alertId: input.alertId })
        : { recipients: [], gaps: [], recorded: undefined };
      const earlier = { attempts: attempt.number ?? 1, firstScheduledMs: attempt.firstScheduledMs };
      if (lookup.length) {
        // Read with the targets, in the lookup's statement; a lookup that does not say (a test's) is followed by a read.
        const now =
          recorded === undefined ? await recordedState(pool, input.alertId) : (recorded ?? undefined);
        const answered =
          now &&
          (neededWhile === 'unresolved'
            ? now.state === 'resolved'
            : now.stateVersion > neededWhile.stateVersion);
        if (answered) return { pages: [], gaps: [], earlier, skipped: now.state };
      }
      // Only a tier's pages wait for their rules' delays; an SLA mark's go to every method the rules name at once.
      const later = input.kind === 'page' ? recipients.filter((r) => (r.delayMinutes ?? 0) > 0) : [];
      const atOnce = recipients.filter((r) => !later.includes(r)).map(({ delayMinutes: _d, ...r }) => r);
      const sent = await Promise.all(
        [...direct, ...atOnce].map(async (recipient): Promise<TargetPage> => {
          const key = pageKey(keyPrefix, recipient);
          try {
            // The page reads the alert's details from its record: they are not carried through history.
            return {
              key,
              recipient,
              result: await pages.sendPage({
                ...page,
                idempotencyKey: key,
                recipient,
                detailsFromStore: true,
              }),
            };
          } catch (err) {
            // Transient (already on the row and the timeline), or another attempt still holds the claim.
            return {
              key,
              recipient,
              result: { status: 'retrying', error: err instanceof Error ? err.message : String(err) },
            };
          }
        }),
      );
      const scheduled = later.map((recipient) => ({ key: pageKey(keyPrefix, recipient), recipient }));
      return { pages: sent, gaps, earlier, ...(scheduled.length ? { scheduled } : {}) };
    },
  };
}
