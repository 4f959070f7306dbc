/**
 * The alert's one scheduler. Escalation tiers, SLA marks, the ack timeout, the auto-resolve timeout and
 * the end of the reopen window are all deadlines on the same state; the scheduler works out the earliest
 * one still due (`nextDuty`, pure), sleeps on one durable timer until it, and acts. Any change that
 * moves the earliest deadline (an acknowledge, an escalate-now, a page failing for good) wakes it, and
 * it works the deadline out again. One timer at a time instead of a loop per duty: each state change
 * wakes one waiter, and a new alert's first timer starts in its first workflow task.
 */
import { condition, log, proxyLocalActivities, proxySinks } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  ackTimeoutReason,
  afterTierFailed,
  afterTierPaged,
  autoResolveReason,
  escalateNow,
  fireTier,
  fireTime,
  responsibleTier,
  startEscalation,
  tierFailedForGood,
} from '../domain/escalation';
import { markIsLive, slaMarkReason, slaPageOf, type SlaMark } from '../domain/sla';
import { silenceEndedReason, silencedReason } from '../domain/silence';
import { snoozeEndedReason } from '../domain/snooze';
import type { AlertContext, AlertWork } from './alert-context';
import { pageTargets, sendScheduledPage } from './alert-paging';
import { dutyKey, nextDuty, type Duty } from './alert-duties';
import { activePolicy, nextScheduledPage, silencedAt } from './alert-state';
import type { KlaxonSinks } from './sinks';

// Sink calls and log lines add nothing to the history and are skipped on replay (workflows/sinks.ts).
const { escalation } = proxySinks<KlaxonSinks>();
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A workflow task runs a little after its timer fires (more on a loaded machine); within this slack a
// timer-driven event is dated by its deadline, beyond it (a worker was down) by when it really ran.
const LATE_TOLERANCE_MS = 30_000;

/** Starts escalation from the first tier (on trigger and on every return to `new`). */
export function restartEscalation(ctx: AlertContext, now: number): void {
  ctx.rt.cursor = activePolicy(ctx.input, ctx.rt) ? startEscalation(now) : null;
}

/** Runs the alert's duties until its reopen window closes; returns then (rt.closed is set). */
export async function runScheduler(work: AlertWork): Promise<void> {
  const { input, rt } = work;
  for (;;) {
    const duty = nextDuty(input, rt, work);
    const wait = duty ? duty.at - Date.now() : undefined;
    if (duty === null || wait! > 0) {
      const key = dutyKey(duty);
      // Wakes when the earliest duty changes (a message moved the state), else when it falls due.
      await condition(() => dutyKey(nextDuty(input, rt, work)) !== key, wait);
      continue;
    }
    if (duty.kind === 'close') {
      rt.closed = true;
      return;
    }
    act(work, duty);
  }
}

/** Starts the duty's work; its effect on the state is immediate, so the next duty can be worked out at once. */
function act(work: AlertWork, duty: Exclude<Duty, { kind: 'close' }>): void {
  const { input } = work;
  const now = Date.now();
  switch (duty.kind) {
    case 'auto_resolve':
      work.track(
        work.systemTransition(
          'resolve',
          autoResolveReason(input.policy!.autoResolveMinutes!),
          Math.max(duty.at, now - LATE_TOLERANCE_MS),
        ),
      );
      return;
    case 'ack_timeout':
      work.track(
        work.systemTransition('unacknowledge', ackTimeoutReason(input.policy!.ackTimeoutMinutes!), duty.at),
      );
      return;
    case 'snooze_end':
      work.track(work.systemTransition('unacknowledge', snoozeEndedReason(work.rt.snooze!.minutes), duty.at));
      return;
    case 'silence_start':
      return startSilence(work);
    case 'silence_end':
      return endSilence(work, duty.at);
    case 'tier':
      return fireNextTier(work, now);
    case 'scheduled_page':
      return sendHeldPage(work);
    case 'sla':
      return fireSlaMark(work, duty.mark, duty.at, now);
  }
}

/** The silence begins: the alert's timeline says so; tiers and SLA pages wait until it ends. */
export function startSilence(work: AlertWork): void {
  const { rt } = work;
  const s = rt.silence!;
  s.started = true;
  // A new escalation cycle: pages of the held one still being sent or retried are no longer needed, and
  // the escalation the silence's end starts pages under new keys.
  if (rt.state === 'new') rt.cycle += 1;
  work.track(work.audit('silenced', silencedReason(s.id, s.until, s.reason)));
}

/** The silence (or its occurrence) ends, or was deleted: a still-new alert escalates from the first tier, as if triggered at `at`. */
export function endSilence(work: AlertWork, at: number, deleted = false): void {
  const { rt } = work;
  const s = rt.silence!;
  // A recurring silence's next occurrence holds the alert from its start, if the alert is still open then.
  const [next, ...rest] = deleted ? [] : (s.then ?? []);
  rt.silence = next ? { ...s, from: next.from, until: next.until, then: rest, started: false } : null;
  if (!s.started) return;
  const escalating = rt.state === 'new';
  if (escalating) restartEscalation(work, at);
  work.track(work.audit('unsilenced', silenceEndedReason(s.id, escalating)));
}

function fireNextTier(work: AlertWork, now: number): void {
  const { input, rt } = work;
  const policy = activePolicy(input, rt)!;
  const cycle = rt.cycle;
  const last = work.lastTier?.cycle === cycle ? work.lastTier : null;
  if (rt.escalateRequested > rt.escalateServed) rt.cursor = escalateNow(policy, rt.cursor!, now);
  else if (last && tierFailedForGood(last.outcomes) && fireTime(policy, rt.cursor!) > now) {
    const fell = afterTierFailed(policy, last.cursor, rt.cursor!, now);
    work.track(work.audit('escalation_gap', fell.gap));
    rt.cursor = fell.cursor;
  }
  const cursor = rt.cursor!;
  // Pages are dated by the instant the policy scheduled them; the log's created_at says when each was sent.
  const { at, next } = fireTier(policy, cursor);
  rt.lastFired = { loop: cursor.loop, tier: cursor.tier, at };
  rt.escalateServed = rt.escalateRequested;
  rt.cursor = next;
  escalation.tierFired(cursor.tier);
  log.info(`tier ${cursor.tier + 1} fired`, {
    alertId: input.alertId,
    tier: cursor.tier + 1,
    loop: cursor.loop + 1,
  });
  const stillEscalating = () =>
    !rt.closed && rt.state === 'new' && rt.cycle === cycle && rt.group?.role !== 'member';
  work.tierInFlight = true;
  work.track(
    pageTargets(work, policy.tiers[cursor.tier]!.targets, {
      kind: 'page',
      keyPrefix: `page:${input.alertId}:c${cycle}:l${cursor.loop}:t${cursor.tier}`,
      loop: cursor.loop,
      tier: cursor.tier,
      at,
      label: `tier ${cursor.tier + 1}`,
      needed: stillEscalating,
      neededWhile: { stateVersion: rt.stateVersion },
    })
      .then((pages) => {
        // Answered while the targets were looked up: nobody was paged, and escalation has ended anyway.
        if (pages.skipped || rt.cycle !== cycle) return;
        work.lastTier = { cycle, cursor, outcomes: pages.outcomes };
        // Nobody to page (an empty schedule, a restriction gap): never a silent drop, fall through at once.
        const after = afterTierPaged(policy, cursor, rt.cursor, pages.outcomes.length, at);
        if (after.gap !== null) {
          work.track(work.audit('escalation_gap', after.gap));
          rt.cursor = after.cursor;
        }
        if (!rt.cursor && stillEscalating()) {
          escalation.exhausted();
          log.warn('escalation exhausted: every tier fired and nobody acknowledged', {
            alertId: input.alertId,
          });
        }
      })
      .finally(() => (work.tierInFlight = false)),
  );
}

/** Sends the earliest page held back by notification rules; its tier's outcomes fill in as it settles. */
function sendHeldPage(work: AlertWork): void {
  const { rt } = work;
  const page = nextScheduledPage(rt)!;
  // Sent now, with any left from an earlier cycle (never due again).
  rt.scheduledPages = rt.scheduledPages!.filter((p) => p !== page && p.cycle === rt.cycle);
  if (rt.scheduledPages.length === 0) delete rt.scheduledPages;
  const cycle = page.cycle;
  // Its tier's outcomes hold it as pending: filled in when it settles, if that tier is still the last one.
  const last = work.lastTier;
  const ofLast = last?.cycle === cycle && last.cursor.loop === page.loop && last.cursor.tier === page.tier;
  const needed = () => !rt.closed && rt.state === 'new' && rt.cycle === cycle && rt.group?.role !== 'member';
  work.track(
    sendScheduledPage(work, page, needed).then((r) => {
      if (ofLast && last) last.outcomes[page.slot] = r.status;
    }),
  );
}

/** Fires an SLA mark at its deadline: recorded, on the timeline, and paged to the people responsible now. */
function fireSlaMark(work: AlertWork, mark: SlaMark, deadline: number, now: number): void {
  const { input, rt } = work;
  rt.slaFired.push(mark);
  // Late beyond the slack (a worker was down), the record says when it really fired.
  const firedAt = Math.max(deadline, now - LATE_TOLERANCE_MS);
  work.track(
    work.during(
      local.recordSlaMark({
        alertId: input.alertId,
        mark,
        deadline: new Date(deadline).toISOString(),
        firedAt: new Date(firedAt).toISOString(),
      }),
    ),
  );
  work.track(work.audit(`sla_${mark}`, slaMarkReason(mark, deadline)));
  const policy = activePolicy(input, rt);
  if (!policy || rt.group?.role === 'member' || silencedAt(rt, deadline)) return;
  // The people responsible right now: the tier that fired last, or the first tier if none has yet.
  const tier = policy.tiers[responsibleTier(rt.lastFired)];
  if (!tier) return;
  const { kind, slaKind } = slaPageOf(mark);
  work.track(
    pageTargets(work, tier.targets, {
      kind,
      keyPrefix: `sla:${input.alertId}:${mark}`,
      loop: null,
      tier: null,
      slaKind,
      deadline,
      at: deadline,
      label: `SLA mark ${mark}`,
      // Still live once fired: a TTA page matters until someone responds, a TTR page until resolved.
      needed: () =>
        !rt.closed &&
        markIsLive(mark, { respondedAt: rt.respondedAt, resolved: rt.state === 'resolved', fired: [] }),
      neededWhile: slaKind === 'tta' ? { stateVersion: rt.stateVersion } : 'unresolved',
    }),
  );
}
