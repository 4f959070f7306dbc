/**
 * Grouping as one incident, as PagerDuty runs it: alerts sharing a group key within the window join one
 * group, and the group escalates while any of its alerts is open and unacknowledged. One alert, the
 * leader, carries the group's escalation; when it stops escalating (acknowledged alone, resolved), the
 * earliest alert still `new` takes over where it stood. Pure: the store reads the open group under a row
 * lock, asks these functions, and writes what they decided, so two alerts can never both lead.
 */
import type { EscalationCursor, EscalationPolicy } from './escalation';
import type { AlertState } from './lifecycle';

export type GroupRole = 'leader' | 'member';

/** The group an alert belongs in: its key, and how long a group of that key takes alerts after its last. */
export interface GroupRef {
  service: string;
  groupKey: string;
  windowMs: number;
}

/** Where a group's escalation stands, handed from one leader to the next. */
export interface GroupEscalation {
  /** The policy of the alert that opened the group: the group's, whoever carries it. */
  policy: EscalationPolicy;
  cursor: EscalationCursor | null;
  lastFired: { loop: number; tier: number; at: number } | null;
}

/** An alert's place in its group; `epoch` orders answers (a later leader change has a larger one). */
export interface GroupRoleAnswer {
  groupId: string;
  role: GroupRole;
  epoch: number;
  /** For a leader taking over: where the group's escalation stands. Null: escalate afresh. */
  escalation: GroupEscalation | null;
}

/** The open group of a key as the store sees it, locked. */
export interface OpenGroup {
  id: string;
  leaderId: string | null;
  /** The leader's recorded state (null: no leader). */
  leaderState: AlertState | null;
  lastAt: number;
  /** When the last alert was put in the group, by the clock of the workflows that record them. */
  lastJoinAt: number;
  windowMs: number;
  acknowledged: boolean;
}

/** Returns whether the group still takes new alerts at `now`: its window since the last one has not passed. */
export function takesAlerts(g: OpenGroup, now: number): boolean {
  return now < g.lastAt + g.windowMs;
}

/**
 * Returns when the group may stop taking alerts for want of new ones: a window after its last alert's
 * trigger, and a window after the last join was recorded. Membership goes by trigger time, but an
 * alert accepted inside the window may be recorded minutes later behind a backlog: closing before it
 * is would split the incident in two.
 */
export function quietCloseAt(g: Pick<OpenGroup, 'lastAt' | 'lastJoinAt' | 'windowMs'>): number {
  return Math.max(g.lastAt, g.lastJoinAt) + g.windowMs;
}

/** Returns whether nobody carries the group's escalation although it should: not acknowledged, leader not `new`. */
export function needsLeader(g: Pick<OpenGroup, 'acknowledged' | 'leaderState'>): boolean {
  return !g.acknowledged && g.leaderState !== 'new';
}

export type JoinDecision =
  /** Open a new group and lead it (none is open for the key, or the open one's window has passed). */
  | { kind: 'open' }
  /** Join the open group; lead it if nobody is escalating for it (taking over where it stood). */
  | { kind: 'join'; role: GroupRole };

/** Decides how a triggered alert joins the group open for its key (undefined: none is open). */
export function decideJoin(open: OpenGroup | undefined, now: number): JoinDecision {
  if (!open || !takesAlerts(open, now)) return { kind: 'open' };
  return { kind: 'join', role: needsLeader(open) ? 'leader' : 'member' };
}

export type ReturnDecision =
  /** Stay in the alert's own group; a leader escalates afresh, since the alert fired again. */
  | { kind: 'stay'; role: GroupRole }
  /** Its group takes no more alerts: join or open the group open for the key, as a new alert would. */
  | { kind: 'rejoin' };

/**
 * Decides the group role of an alert returning to `new` (reopened, unacknowledged, ack timeout). It is
 * the same problem firing again: while its group takes alerts it stays there and leads if it led or
 * nobody else is escalating (a group acknowledged as a whole is re-triggered by it); otherwise it goes
 * to the group now open for its key.
 */
export function decideReturn(own: OpenGroup | undefined, alertId: string, now: number): ReturnDecision {
  if (!own || !takesAlerts(own, now)) return { kind: 'rejoin' };
  const leads = own.leaderId === alertId || own.leaderState !== 'new';
  return { kind: 'stay', role: leads ? 'leader' : 'member' };
}

/**
 * Returns who carries the escalation when the leader stops escalating: the earliest alert still `new`
 * (`candidate`, found by the store), or nobody while the group is acknowledged as a whole.
 */
export function successor(g: Pick<OpenGroup, 'acknowledged'>, candidate: string | undefined): string | null {
  if (g.acknowledged) return null;
  return candidate ?? null;
}

/**
 * Returns whether `next` replaces the alert's current answer. The store's answers (on record and on each
 * transition) follow the alert into another group; a hand-over signal counts only for the alert's current
 * group (or before it has heard from the store), and only if it is no older than what the alert knows.
 */
export function takesAnswer(
  current: GroupRoleAnswer | null,
  next: GroupRoleAnswer,
  from: 'store' | 'handover',
): boolean {
  if (!current) return true;
  if (current.groupId !== next.groupId) return from === 'store';
  return next.epoch >= current.epoch;
}
