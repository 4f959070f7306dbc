/**
 * Paging from the alert workflow: a tier's (or an SLA mark's) targets are looked up, then one page goes
 * to each address. Each page keeps trying until it is delivered, fails for good, or is no longer needed
 * because the alert was answered; its outcome is noted in the live view and handed to escalation.
 */
import {
  ActivityCancellationType,
  type ActivityOptions,
  ActivityFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, SendPageInput, SendPageResult } from '../../activities';
import { shownTarget, type PageOutcome, type Target } from '../../domain/escalation';
import { splitTargets, type Recipient } from '../../domain/recipients';
import type { AlertContext } from '../alert-context';
import { noteNotification } from '../alert-state';
import { pagesTaskQueue, type NotificationView } from '../messages';

// Lookups retry until Postgres answers.
export const LOOKUPS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
// Runs from before: transient provider errors retried for about five minutes, then recorded as failed.
const PAGER_BEFORE = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
  },
} as const;
// A page is retried until it is delivered, fails for good, or is cancelled because the alert was
// answered; the worker's PAGE_RETRY_CAP_HOURS (at most 7 days) ends it sooner, and scheduleToClose only
// bounds a page that no worker ever picks up. startToClose is longer than any send can take (every client
// timeout in notifiers/ added up), so a live attempt is never timed out and retried beside itself; a dead
// worker is noticed by its missing heartbeats.
// Cancelling abandons the activity rather than asking the server to cancel it: the page is settled as
// cancelled in the notification log at once, and any attempt that comes after finds it there and sends
// nothing (one already sending is let finish, and records `sent`). A cancel request racing an attempt's
// completion is something the time-skipping test server refuses outright, wedging the workflow.
const PAGER = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  scheduleToCloseTimeout: '8 days',
  cancellationType: ActivityCancellationType.ABANDON,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
} as const;

/** Returns the activities that page: on their own task queue, so a storm's records never hold a page up. */
function paging(untilAnswered: boolean, override: Pick<ActivityOptions, 'cancellationType'> = {}) {
  // Runs from before paged on the alerts' own queue; a change of queue would not match their history.
  const taskQueue = patched('pages-own-queue') ? pagesTaskQueue(workflowInfo().taskQueue) : undefined;
  const queue = taskQueue ? { taskQueue } : {};
  return {
    pager: proxyActivities<Activities>({ ...(untilAnswered ? PAGER : PAGER_BEFORE), ...override, ...queue }),
    lookups: proxyActivities<Activities>({ ...LOOKUPS, ...queue }),
  };
}

export interface PageSpec {
  kind: NotificationView['kind'];
  keyPrefix: string;
  loop: number | null;
  tier: number | null;
  slaKind?: 'tta' | 'ttr';
  deadline?: number;
  /** When the page was decided (a tier's fire time, an SLA mark's deadline): the workflow clock. */
  at: number;
  /** How the timeline names what pages ("tier 2", "SLA mark tta_breached"). */
  label: string;
  /** Whether the page still matters (nobody answered the alert yet): checked after the lookup and while it is tried. */
  needed(): boolean;
}

/** The pages one tier (or SLA mark) sent, each outcome filled in as it settles. */
export interface SentPages {
  outcomes: PageOutcome[];
  /** Sent by runs from before: their outcomes never move escalation on. */
  legacy: boolean;
  /** The alert was answered while the targets were looked up: nobody was paged, and that is no gap. */
  skipped: boolean;
}

function requestOf(ctx: AlertContext, r: Recipient, spec: PageSpec, entry: NotificationView): SendPageInput {
  const { input, rt } = ctx;
  // The page reads the alert's details from its record: they may be 512 KB, and would be written into
  // history again with every page.
  const byId = patched('page-details-from-store');
  return {
    idempotencyKey: entry.key,
    alertId: input.alertId,
    event: byId ? { ...input.event, details: {} } : input.event,
    ...(byId ? { detailsFromStore: true } : {}),
    triggeredAt: new Date(rt.triggeredAt).toISOString(),
    kind: spec.kind,
    cycle: rt.cycle,
    loop: spec.loop,
    tier: spec.tier,
    slaKind: spec.slaKind,
    deadline: spec.deadline === undefined ? undefined : new Date(spec.deadline).toISOString(),
    scheduledAt: entry.at,
    recipient: r,
  };
}

/** Sends one page as runs from before did: a few tries, then failed; never cancelled. */
async function sendBefore(request: SendPageInput): Promise<SendPageResult> {
  const { pager, lookups } = paging(false);
  try {
    return await pager.sendPage(request);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const error = `gave up after retries: ${err.cause?.message ?? err.message}`;
    await lookups.failPage({ idempotencyKey: request.idempotencyKey, error });
    return { status: 'failed', error };
  }
}

/** Sends one page until it is delivered, fails for good, or stops being needed (then it is cancelled). */
async function sendUntilAnswered(
  ctx: AlertContext,
  request: SendPageInput,
  spec: PageSpec,
): Promise<SendPageResult> {
  const { pager: abandoning, lookups } = paging(true);
  // Runs that began paging this way before pages were abandoned waited for the cancel to complete.
  const pager = patched('pages-abandoned-on-answer')
    ? abandoning
    : paging(true, { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED }).pager;
  const scope = new CancellationScope();
  let done = false;
  let stoppedBecause = '';
  void condition(() => done || !spec.needed()).then(() => {
    if (done) return;
    const state = ctx.rt.state === 'new' ? 'back in new, escalating again' : ctx.rt.state;
    stoppedBecause = `not needed any more: the alert is ${state}`;
    scope.cancel();
  });
  let failure: unknown;
  try {
    return await scope.run(() => pager.sendPage(request));
  } catch (err) {
    failure = err;
  } finally {
    done = true;
  }
  if (!(failure instanceof ActivityFailure) && !isCancellation(failure)) throw failure;
  // Stopped because it was not needed, whatever the failure says.
  const cancelled = stoppedBecause !== '' || isCancellation(failure);
  const reason = cancelled
    ? stoppedBecause || 'not needed any more'
    : `gave up: ${failure instanceof ActivityFailure ? (failure.cause?.message ?? failure.message) : String(failure)}`;
  const { event: _event, triggeredAt: _triggeredAt, ...page } = request;
  return await lookups.settlePage({
    page,
    status: cancelled ? 'cancelled' : 'failed',
    reason,
    at: new Date(Date.now()).toISOString(),
  });
}

async function sendOne(
  ctx: AlertContext,
  r: Recipient,
  spec: PageSpec,
  untilAnswered: boolean,
): Promise<PageOutcome> {
  const { rt } = ctx;
  const entry: NotificationView = {
    key: `${spec.keyPrefix}:${r.targetKey}:${r.channel}:${r.address}`,
    kind: spec.kind,
    cycle: rt.cycle,
    loop: spec.loop,
    tier: spec.tier,
    // The view is readable by queries and the API; the secret travels only in the recipient.
    target: shownTarget(r.target),
    channel: r.channel,
    address: r.address,
    status: 'sending',
    at: new Date(spec.at).toISOString(),
  };
  noteNotification(rt, entry);
  const request = requestOf(ctx, r, spec, entry);
  const result = untilAnswered ? await sendUntilAnswered(ctx, request, spec) : await sendBefore(request);
  noteNotification(rt, {
    ...entry,
    status: result.status,
    ...(result.status === 'sent' ? {} : { error: result.error }),
  });
  return result.status;
}

/**
 * Resolves targets to addresses and starts one page per address; gaps go on the timeline. Returns the
 * pages, whose outcomes fill in as they settle; none when the alert was answered during the lookup.
 */
export async function page(ctx: AlertContext, targets: Target[], spec: PageSpec): Promise<SentPages> {
  // Runs from before keep paging as they did: a few tries, no cancellation, no re-check after the lookup.
  const untilAnswered = patched('pages-until-answered');
  // Webhook targets carry their address; users and schedules need a lookup activity.
  const { direct, lookup } = splitTargets(targets);
  const { lookups } = paging(untilAnswered);
  const { recipients, gaps } = lookup.length
    ? await ctx.during(lookups.resolveTargets({ targets: lookup, at: new Date(spec.at).toISOString() }))
    : { recipients: [], gaps: [] };
  if (untilAnswered && !spec.needed()) {
    ctx.track(
      ctx.audit(
        'page_skipped',
        `${spec.label} not paged: the alert was ${ctx.rt.state} by the time its targets were looked up`,
      ),
    );
    return { outcomes: [], legacy: false, skipped: true };
  }
  recipients.unshift(...direct);
  for (const gap of gaps) ctx.track(ctx.audit('escalation_gap', gap));
  const sent: SentPages = {
    outcomes: recipients.map(() => 'pending'),
    legacy: !untilAnswered,
    skipped: false,
  };
  recipients.forEach((r, i) =>
    ctx.track(
      sendOne(ctx, r, spec, untilAnswered).then((outcome) => {
        sent.outcomes[i] = outcome;
      }),
    ),
  );
  return sent;
}
