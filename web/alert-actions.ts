/**
 * Which actions the alert page offers: the lifecycle's transition rule (domain/lifecycle.ts, the one the
 * workflow and the API decide with), snooze where domain/snooze.ts allows it, escalate-now while
 * escalation is still to run, and the role the access table asks for each.
 */
import {
  decideTransition,
  isUnacknowledged,
  TRANSITION_ACTIONS,
  type AlertState,
  type TransitionAction,
} from '../domain/lifecycle.js';
import { snoozeRefusal } from '../domain/snooze.js';
import type { Role } from './api/access.js';
import { may } from './api/roles.js';

export type AlertAction = TransitionAction | 'snooze' | 'escalate';

/** Each action's button text and what the page says once it is done. */
export const ACTION_TEXT: Readonly<Record<AlertAction, { label: string; done: string }>> = {
  acknowledge: { label: 'Acknowledge', done: 'Acknowledged' },
  investigate: { label: 'Investigate', done: 'Marked as investigating' },
  resolve: { label: 'Resolve', done: 'Resolved' },
  unacknowledge: { label: 'Unacknowledge', done: 'Unacknowledged' },
  reopen: { label: 'Reopen', done: 'Reopened' },
  snooze: { label: 'Snooze', done: 'Snoozed' },
  escalate: { label: 'Escalate now', done: 'Escalated' },
};

export interface ActionFacts {
  state: AlertState;
  /** Whether the alert's workflow still runs (null live view: closed, nothing can be done). */
  running: boolean;
  /** Whether the live view names a next tier (a policy with tiers left, while the alert is new). */
  nextTier: boolean;
  /** Whether the alert follows its group's leader (its escalation runs there). */
  groupMember: boolean;
}

/** Returns the actions `role` may take on an alert in this state, in the order the buttons show. */
export function availableActions(role: Role, facts: ActionFacts): AlertAction[] {
  if (!facts.running) return [];
  const transitions = TRANSITION_ACTIONS.filter(
    (a) => decideTransition(facts.state, a).ok && may(role, `POST /alerts/{id}/${a}`),
  );
  const snooze = snoozeRefusal(facts.state) === null && may(role, 'POST /alerts/{id}/snooze');
  const escalate =
    isUnacknowledged(facts.state) &&
    facts.nextTier &&
    !facts.groupMember &&
    may(role, 'POST /alerts/{id}/escalate');
  return [
    ...transitions,
    ...(snooze ? (['snooze'] as const) : []),
    ...(escalate ? (['escalate'] as const) : []),
  ];
}

/** Returns whether `role` may add a note: while the alert's workflow runs (open or within its reopen window). */
export function mayAddNote(role: Role, running: boolean): boolean {
  return running && may(role, 'POST /alerts/{id}/notes');
}
