/**
 * The alert workflow's concurrent duties, each a loop that sleeps on durable timers and wakes on state
 * changes: tiered escalation, SLA marks, the ack timeout and the auto-resolve timeout. They share the
 * alert's runtime state and act through the context the main workflow gives them.
 */
import { condition, log, proxyActivities, proxySinks } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  ackTimeoutDeadline,
  ackTimeoutReason,
  afterTierFailed,
  afterTierPaged,
  autoResolveDeadline,
  autoResolveReason,
  escalateNow,
  fireTier,
  fireTime,
  responsibleTier,
  startEscalation,
  tierFailedForGood,
  type EscalationCursor,
} from '../../domain/escalation';
import { markIsLive, pendingMarks, slaMarkReason, slaPageOf, type SlaMark } from '../../domain/sla';
import { LOOKUPS, page, type SentPages } from './alert-pages';
import { activePolicy, deadlinesOf } from '../alert-state';
import type { AlertContext } from '../alert-context';
import type { KlaxonSinks } from '../sinks';

// Sink calls and log lines add nothing to the history and are skipped on replay (workflows/sinks.ts).
const { escalation } = proxySinks<KlaxonSinks>();

const MINUTE = 60_000;
// A workflow task runs a little after its timer fires (more on a loaded machine); within this slack a
// timer-driven event is dated by its deadline, beyond it (a worker was down) by when it really ran.
const LATE_TOLERANCE_MS = 30_000;

const lookups = proxyActivities<Activities>(LOOKUPS);


/** Pages the policy's tiers while the alert is `new`; acknowledge or resolve stops it, a return to `new` restarts it. */
export async function escalationLoop(ctx: AlertContext): Promise<void> {
  const { input, rt } = ctx;
  // An alert without a policy of its own may still carry its group's escalation.
  if (!input.policy && !input.group) return;
  for (;;) {
    // An alert back in `new` learns its group role again before this cycle decides whether to page.
    await condition(() => rt.closed || (rt.state === 'new' && rt.cursor !== null && !rt.regrouping));
    if (rt.closed) return;
    const cycle = rt.cycle;
    const policy = activePolicy(input, rt);
    if (rt.group?.role === 'member' || !policy) {
      // A group member stays quiet while the alert leading its group pages for it, until it is handed
      // the group's escalation (or returns to `new` and asks again).
      await condition(() => rt.closed || rt.cycle !== cycle || (rt.group?.role === 'leader' && activePolicy(input, rt) !== null));
      continue;
    }
    // A hand-over only reaches an alert in `new` and never takes the role of one leading: the policy stays.
    const stillEscalating = () => !rt.closed && rt.state === 'new' && rt.cycle === cycle && rt.group?.role !== 'member';
    // The tier that fired last and its pages: once every one of them failed for good, waiting out the
    // next tier's delay helps nobody. Pages still being retried never hold the next tier up.
    let last: { cursor: EscalationCursor; pages: SentPages } | null = null;
    const failedForGood = () => last !== null && !last.pages.legacy && tierFailedForGood(last.pages.outcomes);
    while (rt.cursor && stillEscalating()) {
      const wait = fireTime(policy, rt.cursor) - Date.now();
      if (wait > 0 && rt.escalateRequested === rt.escalateServed && !failedForGood()) {
        await condition(() => !stillEscalating() || rt.escalateRequested > rt.escalateServed || failedForGood(), wait);
      }
      if (!stillEscalating()) break;
      if (rt.escalateRequested > rt.escalateServed) rt.cursor = escalateNow(policy, rt.cursor, Date.now());
      else if (last && failedForGood() && fireTime(policy, rt.cursor) > Date.now()) {
        const fell = afterTierFailed(policy, last.cursor, rt.cursor, Date.now());
        ctx.track(ctx.audit('escalation_gap', fell.gap));
        rt.cursor = fell.cursor;
      }
      const cursor = rt.cursor;
      // Pages are dated by the instant the policy scheduled them; the log's created_at says when each was sent.
      const { at: now, next } = fireTier(policy, cursor);
      rt.lastFired = { loop: cursor.loop, tier: cursor.tier, at: now };
      rt.escalateServed = rt.escalateRequested;
      rt.cursor = next;
      escalation.tierFired(cursor.tier);
      log.info(`tier ${cursor.tier + 1} fired`, { alertId: input.alertId, tier: cursor.tier + 1, loop: cursor.loop + 1 });
      const pages = await page(ctx, policy.tiers[cursor.tier]!.targets, {
        kind: 'page',
        keyPrefix: `page:${input.alertId}:c${cycle}:l${cursor.loop}:t${cursor.tier}`,
        loop: cursor.loop,
        tier: cursor.tier,
        at: now,
        label: `tier ${cursor.tier + 1}`,
        needed: stillEscalating,
      });
      // Answered while the targets were looked up: the loop ends here.
      if (pages.skipped) continue;
      last = { cursor, pages };
      // Nobody to page (an empty schedule, a restriction gap): never a silent drop, fall through at once.
      const after = afterTierPaged(policy, cursor, rt.cursor, pages.outcomes.length, now);
      if (after.gap !== null) {
        ctx.track(ctx.audit('escalation_gap', after.gap));
        rt.cursor = after.cursor;
      }
    }
    if (!rt.cursor && stillEscalating()) {
      escalation.exhausted();
      log.warn('escalation exhausted: every tier fired and nobody acknowledged', { alertId: input.alertId });
    }
    // Exhausted, or left `new`: wait for the next return to `new` (which sets a fresh cursor).
    await condition(() => rt.closed || rt.cycle !== cycle);
  }
}

/** Starts escalation from the first tier (on trigger and on every return to `new`). */
export function restartEscalation(ctx: AlertContext, now: number): void {
  ctx.rt.cursor = activePolicy(ctx.input, ctx.rt) ? startEscalation(now) : null;
}

/** Fires each SLA mark at its exact deadline while it still matters; records it and tells the people paged. */
export async function slaLoop(ctx: AlertContext): Promise<void> {
  const { input, rt } = ctx;
  const deadlines = deadlinesOf(input, rt);
  const progress = () => ({ respondedAt: rt.respondedAt, resolved: rt.state === 'resolved', fired: rt.slaFired });
  while (!rt.closed) {
    const version = rt.stateVersion;
    const next = pendingMarks(deadlines, progress())[0];
    if (!next) {
      await condition(() => rt.closed || rt.stateVersion !== version);
      continue;
    }
    const wait = next.at - Date.now();
    if (wait > 0 && (await condition(() => rt.closed || rt.stateVersion !== version, wait))) continue;
    if (rt.closed || !markIsLive(next.mark, progress())) continue;
    await fireSlaMark(ctx, next.mark, next.at);
  }
}

async function fireSlaMark(ctx: AlertContext, mark: SlaMark, deadline: number): Promise<void> {
  const { input, rt } = ctx;
  rt.slaFired.push(mark);
  // The timer fired at the deadline; the workflow task runs a few ms later. Late beyond that slack
  // (a worker was down), the record says when it really fired.
  const firedAt = Math.max(deadline, Date.now() - LATE_TOLERANCE_MS);
  await ctx.during(lookups.recordSlaMark({ alertId: input.alertId, mark, deadline: new Date(deadline).toISOString(), firedAt: new Date(firedAt).toISOString() }));
  ctx.track(ctx.audit(`sla_${mark}`, slaMarkReason(mark, deadline)));
  const policy = activePolicy(input, rt);
  if (!policy || rt.group?.role === 'member') return;
  // The people responsible right now: the tier that fired last, or the first tier if none has yet.
  const tier = policy.tiers[responsibleTier(rt.lastFired)];
  if (!tier) return;
  const { kind, slaKind } = slaPageOf(mark);
  await page(ctx, tier.targets, {
    kind,
    keyPrefix: `sla:${input.alertId}:${mark}`,
    loop: null,
    tier: null,
    slaKind,
    deadline,
    at: deadline,
    label: `SLA mark ${mark}`,
    // Still live once fired: a TTA page matters until someone responds, a TTR page until resolved.
    needed: () => !rt.closed && markIsLive(mark, { respondedAt: rt.respondedAt, resolved: rt.state === 'resolved', fired: [] }),
  });
}

/** Sends an acknowledged alert that nobody moved on within the policy's ack timeout back to `new`. */
export async function ackTimeoutLoop(ctx: AlertContext): Promise<void> {
  const { rt } = ctx;
  const minutes = ctx.input.policy?.ackTimeoutMinutes;
  if (!minutes) return;
  // A run continued while acknowledged goes on timing from the acknowledge, not from its own start.
  let resumed = ctx.input.resume !== undefined && rt.stateChangedAt !== undefined;
  while (!rt.closed) {
    await condition(() => rt.closed || rt.state === 'acknowledged');
    if (rt.closed) return;
    const version = rt.stateVersion;
    const deadline = ackTimeoutDeadline(ctx.input.policy, resumed ? rt.stateChangedAt! : Date.now())!;
    const wait = resumed ? deadline - Date.now() : minutes * MINUTE;
    resumed = false;
    const moved = wait > 0 ? await condition(() => rt.closed || rt.stateVersion !== version, wait) : false;
    if (!moved) await ctx.systemTransition('unacknowledge', ackTimeoutReason(minutes), deadline);
  }
}

/** Resolves an alert left open for the policy's auto-resolve timeout, as the system actor. */
export async function autoResolveLoop(ctx: AlertContext): Promise<void> {
  const { rt } = ctx;
  const minutes = ctx.input.policy?.autoResolveMinutes;
  if (!minutes) return;
  while (!rt.closed) {
    await condition(() => rt.closed || rt.state !== 'resolved');
    if (rt.closed) return;
    const deadline = autoResolveDeadline(ctx.input.policy, rt.openedAt)!;
    const wait = deadline - Date.now();
    const resolved = wait > 0 ? await condition(() => rt.closed || rt.state === 'resolved', wait) : false;
    if (!resolved && !rt.closed && rt.state !== 'resolved') {
      await ctx.systemTransition('resolve', autoResolveReason(minutes), Math.max(deadline, Date.now() - LATE_TOLERANCE_MS));
    }
  }
}

