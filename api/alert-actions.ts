/**
 * Acting on an alert through its workflow's Updates, shared by every way a person can act: the API,
 * an SMS reply, an email link. A refused or too-late action comes back as a Refusal naming why, so each
 * caller can answer in its own format (a 409, a TwiML message, an HTML page).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowClient } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { decideTransition, type AlertState, type TransitionAction } from '../domain/lifecycle';
import type { AlertRow } from '../store/alerts';
import { TRANSITION_REFUSED, UPDATE_REFUSED, escalateUpdate, transitionUpdates, type TransitionRequest } from '../workflows/messages';

export type AlertAction = TransitionAction | 'escalate';

/** Why an action was not taken; `details` are the fields the API adds to its 409 answer. */
export interface Refusal {
  code: 'update_refused' | 'transition_refused';
  message: string;
  details: Record<string, unknown>;
}

/** Returns a handle on the alert's own chain of workflow runs (never a later alert with the same dedup key). */
export function alertHandle(workflows: WorkflowClient, row: Pick<AlertRow, 'workflow_id' | 'first_run_id'>) {
  return workflows.getHandle(row.workflow_id, undefined, { firstExecutionRunId: row.first_run_id });
}

/** Returns the refusal a failed Update stands for (refused, or the workflow closed), or undefined for anything else. */
export function refusalOf(err: unknown, action: AlertAction, row: AlertRow): Refusal | undefined {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === UPDATE_REFUSED) {
    // A member's escalate-now is refused naming its group.
    const [extra] = (err.cause.details ?? []) as ({ groupId?: string } | undefined)[];
    return { code: 'update_refused', message: err.cause.message, details: { action, state: row.state, ...(extra?.groupId ? { group_id: extra.groupId } : {}) } };
  }
  if (action === 'escalate') {
    return err instanceof WorkflowNotFoundError ? { code: 'update_refused', message: `alert ${row.id} is closed`, details: { action } } : undefined;
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === TRANSITION_REFUSED) {
    const [decision] = (err.cause.details ?? []) as { from: string; to: string }[];
    return { code: 'transition_refused', message: err.cause.message, details: { from: decision?.from, to: decision?.to, action } };
  }
  if (err instanceof WorkflowNotFoundError) {
    // The alert's workflow has finished (resolved and past its reopen window): decide from the record.
    const decision = decideTransition(row.state, action);
    return {
      code: 'transition_refused',
      message: decision.ok ? `alert ${row.id} is closed` : decision.message,
      details: { from: row.state, to: decision.to, action },
    };
  }
  return undefined;
}

export type ActionOutcome =
  | { ok: true; action: TransitionAction; from: AlertState; to: AlertState; at: string }
  | { ok: true; action: 'escalate'; loop: number; tier: number; at: string }
  | { ok: false; refusal: Refusal };

/**
 * Runs the action's Update on the alert's workflow and returns what happened; rethrows failures that are
 * not refusals (Temporal unreachable, ...). `updateId` makes a retried request the same Update, which
 * Temporal runs once.
 */
export async function runAlertAction(
  workflows: WorkflowClient,
  row: AlertRow,
  action: AlertAction,
  request: TransitionRequest,
  opts: { updateId?: string } = {},
): Promise<ActionOutcome> {
  const handle = alertHandle(workflows, row);
  try {
    if (action === 'escalate') {
      const fired = await handle.executeUpdate(escalateUpdate, { args: [request], updateId: opts.updateId });
      return { ok: true, action, ...fired };
    }
    const result = await handle.executeUpdate(transitionUpdates[action], { args: [request], updateId: opts.updateId });
    return { ok: true, action, from: result.from, to: result.to, at: result.at };
  } catch (err) {
    const refusal = refusalOf(err, action, row);
    if (!refusal) throw err;
    return { ok: false, refusal };
  }
}
