/**
 * What the parts of an alert workflow share: its input, its runtime state, and the ways they act on
 * the alert (a system transition, a timeline entry, background work the workflow must wait for).
 */
import type { EscalationCursor, PageOutcome } from '../domain/escalation';
import type { TransitionAction } from '../domain/lifecycle';
import type { AlertRuntime } from './alert-state';
import type { AlertInput, TransitionRequest, TransitionResult } from './messages';

export interface AlertContext {
  input: AlertInput;
  rt: AlertRuntime;
  /** A transition made by Klaxon itself (ack timeout, auto-resolve), dated `at` (default: now). */
  systemTransition(action: TransitionAction, reason: string, at?: number): Promise<void>;
  /** A timeline entry written by the workflow (escalation gaps, SLA marks). */
  audit(action: string, reason: string): Promise<void>;
  /** Keeps a background promise (a page being sent) so the workflow waits for it before completing. */
  track(p: Promise<unknown>): void;
  /** Marks work under way (a lookup, a write) that a continue-as-new must wait for; returns p's result. */
  during<T>(p: Promise<T>): Promise<T>;
}

/** What the lean alert's handlers, scheduler and pages share beyond the AlertContext. */
export interface AlertWork extends AlertContext {
  /** Applies a transition: state at once, then the record (and the group's answer) in Postgres. */
  transition(
    action: TransitionAction,
    req: TransitionRequest,
    idempotencyKey: string,
    at?: number,
    escalateFrom?: number,
  ): Promise<TransitionResult>;
  /** The tier fired last in this run and its pages, whose outcomes fill in as they settle. */
  lastTier: { cycle: number; cursor: EscalationCursor; outcomes: PageOutcome[] } | null;
  /** A tier's pageTargets activity is under way: the next tier waits for its lookup (a gap falls through at once). */
  tierInFlight: boolean;
  /** When this run began: a run continued from one that never dated its state times from here. */
  runStartedAt: number;
}
