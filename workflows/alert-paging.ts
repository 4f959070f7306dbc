/**
 * Paging from the alert workflow: one activity resolves a tier's (or an SLA mark's) targets and sends
 * each page's first attempt (activities/tier-pages.ts). A page whose first attempt failed transiently
 * keeps trying on its own until it is delivered, fails for good, or is no longer needed because the
 * alert was answered; its outcome is noted in the live view and handed to escalation.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, PageTargetsInput, SendPageInput, SendPageResult, TargetPage } from '../activities';
import { shownTarget, type PageOutcome, type Target } from '../domain/escalation';
import type { AlertContext } from './alert-context';
import { noteNotification, type ScheduledPage } from './alert-state';
import { pagesTaskQueue, type NotificationView } from './messages';

// Resolving and first attempts: retried until Postgres answers (the directory and the notification log
// live there). A retry resends nothing already recorded. Longer than any one send can take (every client
// timeout in notifiers/ added up); a dead worker is noticed by its missing heartbeats.
const TIER = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
// A page retried on its own: until it is delivered, fails for good, or is cancelled because the alert was
// answered; the worker's PAGE_RETRY_CAP_HOURS ends it sooner, and scheduleToClose only bounds a page no
// worker ever picks up. Cancelling abandons the activity rather than asking the server to cancel it: the
// page is settled as cancelled in the notification log at once, and an attempt that comes after finds it
// there and sends nothing (a cancel request racing an attempt's completion wedges the time-skipping server).
const PAGER = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  scheduleToCloseTimeout: '8 days',
  cancellationType: ActivityCancellationType.ABANDON,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
} as const;
const SETTLE = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

/** Returns the paging activities, on the pages' own queue: a storm's records never hold a page up. */
function paging() {
  const queue = { taskQueue: pagesTaskQueue(workflowInfo().taskQueue) };
  return {
    tier: proxyActivities<Activities>({ ...TIER, ...queue }),
    pager: proxyActivities<Activities>({ ...PAGER, ...queue }),
    settle: proxyActivities<Activities>({ ...SETTLE, ...queue }),
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
  /** Whether the page still matters: checked by a page retried on its own. */
  needed(): boolean;
  /** The same rule as the store sees it, checked by the activity after its lookup. */
  neededWhile: PageTargetsInput['neededWhile'];
}

/** The pages one tier (or SLA mark) sent, each outcome filled in as it settles. */
export interface SentPages {
  outcomes: PageOutcome[];
  /** The alert was answered while the targets were looked up: nobody was paged, and that is no gap. */
  skipped: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Resolves targets and sends every page's first attempt; gaps go on the timeline. Returns once that
 * activity has; pages still retrying fill their outcomes in as they settle.
 */
export async function pageTargets(ctx: AlertContext, targets: Target[], spec: PageSpec): Promise<SentPages> {
  const { input, rt } = ctx;
  const page: Omit<SendPageInput, 'idempotencyKey' | 'recipient'> = {
    alertId: input.alertId,
    // The details are read from the alert's record: they may be 512 KB, and would be written into
    // history again with every page.
    event: { ...input.event, details: {} },
    triggeredAt: iso(rt.triggeredAt),
    kind: spec.kind,
    cycle: rt.cycle,
    loop: spec.loop,
    tier: spec.tier,
    slaKind: spec.slaKind,
    deadline: spec.deadline === undefined ? undefined : iso(spec.deadline),
    scheduledAt: iso(spec.at),
  };
  const result = await ctx.during(
    paging().tier.pageTargets({ ...page, keyPrefix: spec.keyPrefix, targets, neededWhile: spec.neededWhile }),
  );
  if (result.skipped) {
    ctx.track(
      ctx.audit(
        'page_skipped',
        `${spec.label} not paged: the alert was ${rt.state} by the time its targets were looked up`,
      ),
    );
    return { outcomes: [], skipped: true };
  }
  for (const gap of result.gaps) ctx.track(ctx.audit('escalation_gap', gap));
  // A run whose history was made by a worker from before rules ignored any held-back pages: replaying it
  // must too. Asked only when there are some, so histories without rules carry no marker.
  const held = result.scheduled?.length && patched('notification-rules') ? result.scheduled : [];
  // Held-back pages count as pending: a tier whose user pages only later is no tier that reached nobody.
  const sent: SentPages = { outcomes: [...result.pages, ...held].map(() => 'pending'), skipped: false };
  if (held.length) {
    rt.scheduledPages = [
      ...(rt.scheduledPages ?? []),
      ...held.map(({ key, recipient }, i) => ({
        key,
        recipient,
        at: spec.at + (recipient.delayMinutes ?? 0) * 60_000,
        cycle: rt.cycle,
        loop: spec.loop,
        tier: spec.tier,
        slot: result.pages.length + i,
      })),
    ];
  }
  result.pages.forEach((p, i) => {
    const entry = viewEntry(rt.cycle, spec, p);
    const first = p.result;
    if (first.status !== 'retrying') {
      sent.outcomes[i] = first.status;
      noteNotification(rt, {
        ...entry,
        status: first.status,
        ...(first.status === 'sent' ? {} : { error: first.error }),
      });
      return;
    }
    noteNotification(rt, { ...entry, status: 'sending', error: first.error });
    const request: SendPageInput = {
      ...page,
      idempotencyKey: p.key,
      recipient: p.recipient,
      detailsFromStore: true,
      earlier: result.earlier,
    };
    ctx.track(
      retryUntilAnswered(ctx, request, spec).then((r) => {
        sent.outcomes[i] = r.status;
        noteNotification(rt, {
          ...entry,
          status: r.status,
          ...(r.status === 'sent' ? {} : { error: r.error }),
        });
      }),
    );
  });
  return sent;
}

function viewEntry(cycle: number, spec: PageSpec, p: TargetPage): Omit<NotificationView, 'status'> {
  return {
    key: p.key,
    kind: spec.kind,
    cycle,
    loop: spec.loop,
    tier: spec.tier,
    // The view is readable by queries and the API; the secret's id travels only in the recipient.
    target: shownTarget(p.recipient.target),
    channel: p.recipient.channel,
    address: p.recipient.address,
    at: iso(spec.at),
  };
}

/**
 * Sends a page a tier held back by its user's notification rules, now that it is due: tried until it is
 * delivered, fails for good, or is cancelled because the alert was answered. Returns its outcome.
 */
export async function sendScheduledPage(
  ctx: AlertContext,
  page: ScheduledPage,
  needed: () => boolean,
): Promise<SendPageResult> {
  const { input, rt } = ctx;
  const request: SendPageInput = {
    alertId: input.alertId,
    event: { ...input.event, details: {} },
    triggeredAt: iso(rt.triggeredAt),
    kind: 'page',
    cycle: page.cycle,
    loop: page.loop,
    tier: page.tier,
    scheduledAt: iso(page.at),
    idempotencyKey: page.key,
    recipient: page.recipient,
    detailsFromStore: true,
  };
  const entry: Omit<NotificationView, 'status'> = {
    key: page.key,
    kind: 'page',
    cycle: page.cycle,
    loop: page.loop,
    tier: page.tier,
    target: shownTarget(page.recipient.target),
    channel: page.recipient.channel,
    address: page.recipient.address,
    at: iso(page.at),
  };
  noteNotification(rt, { ...entry, status: 'sending' });
  const r = await retryUntilAnswered(ctx, request, { needed });
  noteNotification(rt, { ...entry, status: r.status, ...(r.status === 'sent' ? {} : { error: r.error }) });
  return r;
}

/** Retries one page until it is delivered, fails for good, or stops being needed (then it is cancelled). */
async function retryUntilAnswered(
  ctx: AlertContext,
  request: SendPageInput,
  spec: Pick<PageSpec, 'needed'>,
): Promise<SendPageResult> {
  const { pager, settle } = paging();
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
  const { event: _event, triggeredAt: _triggeredAt, earlier: _earlier, ...ref } = request;
  return await settle.settlePage({
    page: ref,
    status: cancelled ? 'cancelled' : 'failed',
    reason,
    at: iso(Date.now()),
  });
}
