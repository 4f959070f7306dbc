/**
 * The alert lifecycle as a transition table: the eight valid (from, to) pairs of the spec and the action
 * that performs each. Everything else is refused. Workflow Update validators and the API both decide with
 * these functions, so the rule lives in one place.
 */
export const ALERT_STATES = ['new', 'acknowledged', 'investigating', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
/** The states of an alert still open: someone may yet have to act on it. */
export const OPEN_ALERT_STATES: readonly AlertState[] = ALERT_STATES.filter((s) => s !== 'resolved');

export const TRANSITION_ACTIONS = ['acknowledge', 'investigate', 'resolve', 'unacknowledge', 'reopen'] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

/** The state each action leads to. */
export const ACTION_TARGET: Readonly<Record<TransitionAction, AlertState>> = {
  acknowledge: 'acknowledged',
  investigate: 'investigating',
  resolve: 'resolved',
  unacknowledge: 'new',
  reopen: 'new',
};

type Pair = `${AlertState}->${AlertState}`;

// The two ways back to `new` are different actions: unacknowledge leaves `acknowledged`, reopen leaves
// `resolved`. Keying by pair and naming the action keeps "unacknowledge a resolved alert" refused.
const VALID: Readonly<Partial<Record<Pair, TransitionAction>>> = {
  'new->acknowledged': 'acknowledge',
  'new->investigating': 'investigate',
  'new->resolved': 'resolve',
  'acknowledged->investigating': 'investigate',
  'acknowledged->resolved': 'resolve',
  'investigating->resolved': 'resolve',
  'acknowledged->new': 'unacknowledge',
  'resolved->new': 'reopen',
};

export type TransitionDecision =
  | { ok: true; from: AlertState; to: AlertState; action: TransitionAction }
  | { ok: false; from: AlertState; to: AlertState; action: TransitionAction; message: string };

/** Returns whether `action` may be taken from state `from`, and the state it leads to. */
export function decideTransition(from: AlertState, action: TransitionAction): TransitionDecision {
  const to = ACTION_TARGET[action];
  if (VALID[`${from}->${to}`] === action) return { ok: true, from, to, action };
  return { ok: false, from, to, action, message: `cannot ${action} an alert that is ${from} (${from} → ${to} is not allowed)` };
}

/** Returns true when (from, to) is one of the eight valid transitions. */
export function isValidTransition(from: AlertState, to: AlertState): boolean {
  return VALID[`${from}->${to}`] !== undefined;
}

/** Returns true for the states in which nobody has taken the alert yet (escalation keeps paging). */
export function isUnacknowledged(state: AlertState): boolean {
  return state === 'new';
}

/** Returns true when the state counts as acknowledged for time-to-acknowledge. */
export function countsAsAcknowledged(state: AlertState): boolean {
  return state === 'acknowledged' || state === 'investigating';
}
