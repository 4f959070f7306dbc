/**
 * Acting on an alert through its workflow's Updates, shared by every way a person can act: the API,
 * an SMS reply, an email link. A refused or too-late action comes back as a Refusal naming why, so each
 * caller can answer in its own format (a 409, a TwiML message, an HTML page).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowClient } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { decideTransition, type AlertState, type TransitionAction } from '../domain/lifecycle';
import { DEFAULT_SNOOZE_MINUTES } from '../domain/snooze';
import type { AlertRow } from '../store/alerts';
import {
  TRANSITION_REFUSED,
  UPDATE_REFUSED,
  escalateUpdate,
  integrationActionSignal,
  noteUpdate,
  snoozeUpdate,
  transitionUpdates,
  type TransitionRequest,
} from '../workflows/messages';
import { ACTION_DEADLINE_MS, engineDidNotAnswer, withinDeadline } from './engine-deadline';

export type AlertAction = TransitionAction | 'escalate' | 'snooze';

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
  if (action === 'escalate' || action === 'snooze') {
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

/**
 * No worker answered in time. `queued`: the action is durable in Temporal and applies when a worker runs
 * the alert (202); otherwise it may or may not apply, and repeating it with the same update id is safe (503).
 */
export interface Pending {
  queued: boolean;
  message: string;
  updateId: string;
}

export type ActionOutcome =
  | { ok: true; action: TransitionAction; from: AlertState; to: AlertState; at: string; pending?: undefined; refusal?: undefined }
  | { ok: true; action: 'escalate'; loop: number; tier: number; at: string; pending?: undefined; refusal?: undefined }
  | { ok: true; action: 'snooze'; from: AlertState; to: AlertState; until: string; at: string; pending?: undefined; refusal?: undefined }
  | { ok: false; refusal: Refusal; pending?: undefined }
  | { ok: false; pending: Pending; refusal?: undefined };

/**
 * Runs the action's Update on the alert's workflow, within a deadline, and returns what happened;
 * rethrows failures that are neither refusals nor the engine not answering. `updateId` makes a retried
 * request the same Update, which Temporal runs once.
 *
 * When no worker answers in time, a lifecycle action is also sent as a signal, which Temporal keeps
 * without a worker: it applies when one runs the alert, and whichever of the two arrives second is
 * refused by the alert's state, so it still happens once.
 */
export async function runAlertAction(
  workflows: WorkflowClient,
  row: AlertRow,
  action: AlertAction,
  request: TransitionRequest & { minutes?: number },
  opts: { updateId?: string; deadlineMs?: number } = {},
): Promise<ActionOutcome> {
  const handle = alertHandle(workflows, row);
  const updateId = opts.updateId ?? randomUUID();
  const deadlineMs = opts.deadlineMs ?? ACTION_DEADLINE_MS;
  try {
    return await withinDeadline(workflows, deadlineMs, async (): Promise<ActionOutcome> => {
      if (action === 'escalate') {
        const fired = await handle.executeUpdate(escalateUpdate, { args: [request], updateId });
        return { ok: true, action, ...fired };
      }
      if (action === 'snooze') {
        const snoozed = await handle.executeUpdate(snoozeUpdate, { args: [{ ...request, minutes: request.minutes ?? DEFAULT_SNOOZE_MINUTES }], updateId });
        return { ok: true, action, ...snoozed };
      }
      const result = await handle.executeUpdate(transitionUpdates[action], { args: [request], updateId });
      return { ok: true, action, from: result.from, to: result.to, at: result.at };
    });
  } catch (err) {
    if (engineDidNotAnswer(err)) return { ok: false, pending: await queueAction(workflows, row, action, request, updateId, deadlineMs) };
    const refusal = refusalOf(err, action, row);
    if (!refusal) throw err;
    return { ok: false, refusal };
  }
}

/** Adds a note to the alert's timeline through its workflow, within the same deadline as an action. */
export async function addNote(
  workflows: WorkflowClient,
  row: AlertRow,
  note: { actor: string; text: string },
  opts: { updateId?: string; deadlineMs?: number } = {},
): Promise<{ ok: true; at: string } | { ok: false; pending: Pending }> {
  const updateId = opts.updateId ?? randomUUID();
  const deadlineMs = opts.deadlineMs ?? ACTION_DEADLINE_MS;
  try {
    const { at } = await withinDeadline(workflows, deadlineMs, () => alertHandle(workflows, row).executeUpdate(noteUpdate, { args: [note], updateId }));
    return { ok: true, at };
  } catch (err) {
    if (!engineDidNotAnswer(err)) throw err;
    return { ok: false, pending: notAnswered('note', deadlineMs, updateId) };
  }
}

const notAnswered = (what: string, deadlineMs: number, updateId: string): Pending => ({
  queued: false,
  updateId,
  message: `no worker answered within ${deadlineMs / 1000} s; the ${what} may still apply. Repeat the request with the same Idempotency-Key to be sure it applies once`,
});

/** Hands a lifecycle action to Temporal as a durable signal; escalate-now waits for a worker instead. */
async function queueAction(workflows: WorkflowClient, row: AlertRow, action: AlertAction, request: TransitionRequest, updateId: string, deadlineMs: number): Promise<Pending> {
  // Escalate-now and snooze need the workflow's answer (the tier fired, the snooze's end): no signal.
  if (action === 'escalate') return notAnswered('escalation', deadlineMs, updateId);
  if (action === 'snooze') return notAnswered('snooze', deadlineMs, updateId);
  try {
    await withinDeadline(workflows, deadlineMs, () =>
      alertHandle(workflows, row).signal(integrationActionSignal, { action, actor: request.actor, eventId: updateId, ...(request.reason ? { reason: request.reason } : {}) }),
    );
  } catch (err) {
    if (!engineDidNotAnswer(err)) throw err;
    return notAnswered(action, deadlineMs, updateId);
  }
  return {
    queued: true,
    updateId,
    message: `no worker answered within ${deadlineMs / 1000} s; the ${action} is queued in Temporal and applies when a worker runs the alert (repeating it is harmless)`,
  };
}
