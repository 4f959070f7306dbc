/**
 * What the alert has to do on its own next, and when: a pure function of its state, so the scheduler
 * (alert-scheduler.ts) can sleep on one timer until it and work it out again after any change.
 */
import { ackTimeoutDeadline, autoResolveDeadline, fireTime, tierFailedForGood } from '../domain/escalation';
import { pendingMarks, type SlaMark } from '../domain/sla';
import type { AlertWork } from './alert-context';
import { activePolicy, deadlinesOf, nextScheduledPage, silencedAt, type AlertRuntime } from './alert-state';
import { DEFAULT_REOPEN_WINDOW_MS, type AlertInput } from './messages';

/** The next thing the alert has to do on its own, and when. `at` 0 means at once. */
export type Duty =
  | { kind: 'close'; at: number }
  | { kind: 'auto_resolve'; at: number }
  | { kind: 'ack_timeout'; at: number }
  | { kind: 'snooze_end'; at: number }
  | { kind: 'silence_start'; at: number }
  | { kind: 'silence_end'; at: number }
  | { kind: 'tier'; at: number }
  | { kind: 'scheduled_page'; at: number }
  | { kind: 'sla'; at: number; mark: SlaMark };

/** What of the run (not of the alert's carried state) the schedule depends on. */
export type RunFacts = Pick<AlertWork, 'lastTier' | 'tierInFlight' | 'runStartedAt'>;

/**
 * Returns the earliest duty due, or null when nothing is (the alert waits for a message). Ties go in
 * the order listed in Duty: an alert resolved at a tier's fire time pages nobody, a tier fires before
 * an SLA mark due at the same instant so the mark's page goes to the tier now responsible.
 */
export function nextDuty(input: AlertInput, rt: AlertRuntime, run: RunFacts): Duty | null {
  if (rt.closed) return null;
  const duties: Duty[] = [];
  if (rt.state === 'resolved') {
    duties.push({
      kind: 'close',
      at: (rt.resolvedAt ?? run.runStartedAt) + (input.reopenWindowMs ?? DEFAULT_REOPEN_WINDOW_MS),
    });
  } else {
    const resolveAt = autoResolveDeadline(input.policy, rt.openedAt);
    if (resolveAt !== null) duties.push({ kind: 'auto_resolve', at: resolveAt });
  }
  if (rt.state === 'acknowledged' && rt.snooze) {
    // The snooze says when to ask again; the policy's ack timeout waits until then.
    duties.push({ kind: 'snooze_end', at: rt.snooze.until });
  } else if (rt.state === 'acknowledged') {
    const unackAt = ackTimeoutDeadline(input.policy, rt.stateChangedAt ?? run.runStartedAt);
    if (unackAt !== null) duties.push({ kind: 'ack_timeout', at: unackAt });
  }
  // Only while a silence is set (runs from before never have one): it begins, then ends.
  if (rt.silence) duties.push({ kind: rt.silence.started ? 'silence_end' : 'silence_start', at: rt.silence.started ? rt.silence.until : rt.silence.from });
  const tierAt = tierDue(input, rt, run);
  // A tier due once the silence has begun waits for its end, which starts escalation again.
  if (tierAt !== null && !silencedAt(rt, tierAt)) duties.push({ kind: 'tier', at: tierAt });
  // Pages held back by notification rules go out while nobody has answered this cycle (a silence holds them too).
  const held = nextScheduledPage(rt);
  if (held && rt.state === 'new' && held.cycle === rt.cycle && rt.group?.role !== 'member' && !silencedAt(rt, held.at))
    duties.push({ kind: 'scheduled_page', at: held.at });
  const mark = pendingMarks(deadlinesOf(input, rt), slaProgress(rt))[0];
  if (mark) duties.push({ kind: 'sla', at: mark.at, mark: mark.mark });
  // Stable: among equal deadlines the earlier-listed kind wins.
  return duties.reduce<Duty | null>((best, d) => (best === null || d.at < best.at ? d : best), null);
}

/** Returns when the next tier fires, or null while escalation waits (not `new`, a member, a lookup under way). */
function tierDue(input: AlertInput, rt: AlertRuntime, run: RunFacts): number | null {
  const policy = activePolicy(input, rt);
  if (
    !policy ||
    !rt.cursor ||
    rt.state !== 'new' ||
    rt.regrouping ||
    rt.group?.role === 'member' ||
    run.tierInFlight
  )
    return null;
  // "Escalate now", or every page of the tier that fired last failed for good: waiting out the next
  // tier's delay helps nobody. Pages still being retried never hold the next tier up.
  const last = run.lastTier?.cycle === rt.cycle ? run.lastTier : null;
  if (rt.escalateRequested > rt.escalateServed || (last && tierFailedForGood(last.outcomes))) return 0;
  return fireTime(policy, rt.cursor);
}

const slaProgress = (rt: AlertRuntime) => ({
  respondedAt: rt.respondedAt,
  resolved: rt.state === 'resolved',
  fired: rt.slaFired,
});
/** Returns a key that changes whenever the duty or its time does. */
export const dutyKey = (d: Duty | null) =>
  d ? `${d.kind}:${d.at}:${d.kind === 'sla' ? d.mark : ''}` : 'none';
