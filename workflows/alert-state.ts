/**
 * The mutable state of one alert workflow and the live view derived from it. Plain data, so it can be
 * queried at any time and carried across continue-as-new.
 */
import type { EscalationCursor, EscalationPolicy } from '../domain/escalation';
import { fireTime } from '../domain/escalation';
import type { AlertState } from '../domain/lifecycle';
import type { Recipient } from '../domain/recipients';
import { slaDeadlines, slaStatus, type SlaMark, type SlaDeadlines } from '../domain/sla';
import type { AlertInput, AlertView, NotificationView, SilenceHold } from './messages';

export interface AlertRuntime {
  state: AlertState;
  /** Bumped by every transition; activities use it to keep Postgres writes in order. */
  stateVersion: number;
  /** Bumped each time the alert returns to `new`: escalation restarts and pages get new keys. */
  cycle: number;
  triggeredAt: number;
  /** Trigger or last reopen: the auto-resolve timeout counts from here. */
  openedAt: number;
  lastSeenAt: number;
  occurrences: number;
  /** The count last written to Postgres (absent in runs from before, which wrote from each repeat). */
  occurrencesWritten?: number;
  /** First acknowledge, investigate or resolve (TTA). */
  respondedAt: number | null;
  resolvedAt: number | null;
  cursor: EscalationCursor | null;
  lastFired: { loop: number; tier: number; at: number } | null;
  /** "Escalate now" requests received and served; the escalation loop serves them in order. */
  escalateRequested: number;
  escalateServed: number;
  slaFired: SlaMark[];
  notifications: NotificationView[];
  /**
   * The alert's group, once it has its answer: a member pages nobody (its leader pages for the group).
   * `epoch` orders answers of one group (absent on groups from before hand-overs).
   */
  group: { groupId: string; role: 'leader' | 'member'; epoch?: number } | null;
  /** The group's policy, once this alert carries the escalation of a group another alert opened. */
  groupPolicy?: EscalationPolicy;
  /** A reopened member is asking its group again (the old group may have closed): escalation waits. */
  regrouping: boolean;
  /** Recent re-trigger times (within the flap window), for flap damping. */
  reopens: number[];
  /** When the current state began (absent in runs from before): a continued run times its ack timeout from it. */
  stateChangedAt?: number;
  /** While snoozed (acknowledged, back to `new` at this time) and for how long; absent otherwise. */
  snooze?: { until: number; minutes: number } | null;
  /** The silence holding (or about to hold) the alert, `started` once it began; absent otherwise. */
  silence?: (SilenceHold & { started: boolean }) | null;
  /**
   * Pages a fired tier holds back by their users' notification rules, each due at the tier's fire time
   * plus its delay; sent while the alert is still `new` in the same cycle, dropped by any transition.
   * Absent in runs without rules (and runs from before them).
   */
  scheduledPages?: ScheduledPage[];
  /** Counter behind deterministic idempotency keys for entries the workflow writes on its own. */
  auditSeq: number;
  recorded: boolean;
  closed: boolean;
}

/** A page held back by its user's notification rules: its key and recipient were fixed when its tier fired. */
export interface ScheduledPage {
  key: string;
  recipient: Recipient;
  /** When it goes out: the tier's fire time plus the rule's delay. */
  at: number;
  cycle: number;
  loop: number | null;
  tier: number | null;
  /** Its place among its tier's outcomes (after the pages sent at once). */
  slot: number;
}

/** Returns the earliest held-back page of the current cycle still to send (a silence's start moves the cycle on), or undefined. */
export function nextScheduledPage(rt: AlertRuntime): ScheduledPage | undefined {
  return rt.scheduledPages?.reduce<ScheduledPage | undefined>(
    (a, p) => (p.cycle === rt.cycle && (a === undefined || p.at < a.at) ? p : a),
    undefined,
  );
}

// The live view is a query result: keep it bounded however long a storm runs.
const MAX_NOTIFICATIONS_IN_VIEW = 200;

/** Returns the state of a freshly triggered alert. */
export function initialRuntime(now: number): AlertRuntime {
  return {
    state: 'new',
    stateVersion: 0,
    cycle: 0,
    triggeredAt: now,
    openedAt: now,
    lastSeenAt: now,
    occurrences: 1,
    respondedAt: null,
    resolvedAt: null,
    cursor: null,
    lastFired: null,
    escalateRequested: 0,
    escalateServed: 0,
    slaFired: [],
    notifications: [],
    reopens: [],
    regrouping: false,
    group: null,
    auditSeq: 0,
    recorded: false,
    closed: false,
  };
}

/** Adds or updates a notification in the view, dropping the oldest beyond the cap. */
export function noteNotification(rt: AlertRuntime, n: NotificationView): void {
  const i = rt.notifications.findIndex((x) => x.key === n.key);
  if (i >= 0) rt.notifications[i] = n;
  else rt.notifications.push(n);
  if (rt.notifications.length > MAX_NOTIFICATIONS_IN_VIEW) rt.notifications.splice(0, rt.notifications.length - MAX_NOTIFICATIONS_IN_VIEW);
}

/** Returns whether a page due at `at` is held by the alert's silence (begun, or beginning by then). */
export function silencedAt(rt: AlertRuntime, at: number): boolean {
  return !!rt.silence && (rt.silence.started || rt.silence.from <= at) && at < rt.silence.until;
}

/** Returns the policy the alert escalates with: its group's once it carries the group's escalation, else its own. */
export function activePolicy(input: AlertInput, rt: AlertRuntime): EscalationPolicy | null {
  return rt.groupPolicy ?? input.policy;
}

/** Returns the SLA deadlines of the alert. */
export function deadlinesOf(input: AlertInput, rt: AlertRuntime): SlaDeadlines {
  return slaDeadlines(rt.triggeredAt, input.sla.targets, input.sla.atRiskFraction);
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Returns the live view answered by the `view` query. */
export function viewOf(input: AlertInput, rt: AlertRuntime, now: number): AlertView {
  const deadlines = deadlinesOf(input, rt);
  const policy = activePolicy(input, rt);
  const held = rt.silence?.started ? rt.silence.until : null;
  // While silenced, escalation starts again from the first tier at the silence's end.
  const next =
    policy && rt.cursor && rt.state === 'new'
      ? held === null
        ? { loop: rt.cursor.loop, tier: rt.cursor.tier, at: new Date(fireTime(policy, rt.cursor)).toISOString() }
        : { loop: 0, tier: 0, at: new Date(held).toISOString() }
      : null;
  return {
    alertId: input.alertId,
    state: rt.state,
    severity: input.event.severity,
    service: input.event.service,
    occurrences: rt.occurrences,
    triggeredAt: new Date(rt.triggeredAt).toISOString(),
    lastSeenAt: new Date(rt.lastSeenAt).toISOString(),
    acknowledgedAt: iso(rt.respondedAt),
    resolvedAt: iso(rt.resolvedAt),
    escalation: {
      policy: policy ? { id: policy.id, name: policy.name } : null,
      cycle: rt.cycle,
      next,
      lastFired: rt.lastFired ? { ...rt.lastFired, at: new Date(rt.lastFired.at).toISOString() } : null,
    },
    sla: {
      targets: input.sla.targets,
      deadlines: Object.fromEntries(Object.entries(deadlines).map(([k, v]) => [k, new Date(v).toISOString()])) as Record<SlaMark, string>,
      fired: [...rt.slaFired],
      tta: slaStatus('tta', deadlines, rt.respondedAt, now),
      ttr: slaStatus('ttr', deadlines, rt.state === 'resolved' ? rt.resolvedAt : null, now),
    },
    notifications: [...rt.notifications],
    group: rt.group && { groupId: rt.group.groupId, role: rt.group.role },
    ...(rt.snooze ? { snoozedUntil: new Date(rt.snooze.until).toISOString() } : {}),
    ...(rt.silence?.started ? { silencedUntil: new Date(rt.silence.until).toISOString() } : {}),
  };
}
