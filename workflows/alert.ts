/**
 * One alert, one workflow: it holds the lifecycle state, takes Updates for each transition (refused ones
 * are rejected by the validator, so they never reach history), and records everything in Postgres
 * through activities. Deterministic: no I/O here, time comes from the workflow clock.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  currentUpdateInfo,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { decideTransition, type AlertState, type TransitionAction } from '../domain/lifecycle';
import {
  AlertSeverityKey,
  AlertStateKey,
  ServiceKey,
  DEFAULT_REOPEN_WINDOW_MS,
  TRANSITION_REFUSED,
  transitionUpdates,
  triggerSignal,
  viewQuery,
  recordedUpdate,
  type AlertInput,
  type AlertView,
  type TransitionRequest,
  type TransitionResult,
} from './messages';

// Postgres writes retry until they succeed: an outage of the database delays the record, never loses it.
const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function alertWorkflow(input: AlertInput): Promise<AlertView> {
  const { alertId, event } = input;
  const triggeredAt = Date.now();
  let state: AlertState = 'new';
  let stateVersion = 0;
  let occurrences = 1;
  let lastSeenAt = triggeredAt;
  let acknowledgedAt: number | null = null;
  let resolvedAt: number | null = null;
  let recorded = false;

  const view = (): AlertView => ({
    alertId,
    state,
    severity: event.severity,
    service: event.service,
    occurrences,
    triggeredAt: new Date(triggeredAt).toISOString(),
    lastSeenAt: new Date(lastSeenAt).toISOString(),
    acknowledgedAt: acknowledgedAt === null ? null : new Date(acknowledgedAt).toISOString(),
    resolvedAt: resolvedAt === null ? null : new Date(resolvedAt).toISOString(),
  });

  // Handlers are registered before the first await, so no early message is dropped.
  setHandler(viewQuery, view);
  setHandler(recordedUpdate, async () => {
    await condition(() => recorded);
    return view();
  });

  setHandler(triggerSignal, (duplicate) => {
    // Signal-with-start delivers the starting event as a signal too; only later events are duplicates.
    if (duplicate.eventId === event.eventId) return;
    occurrences += 1;
    lastSeenAt = Date.now();
  });

  const transition = async (action: TransitionAction, req: TransitionRequest): Promise<TransitionResult> => {
    // Re-decided here because another Update may have moved the state since this one was validated.
    const decision = decideTransition(state, action);
    if (!decision.ok) throw ApplicationFailure.create({ type: TRANSITION_REFUSED, message: decision.message, nonRetryable: true, details: [decision] });
    const at = Date.now();
    // State changes synchronously, before any await, so the next Update's validator sees it.
    state = decision.to;
    stateVersion += 1;
    if ((state === 'acknowledged' || state === 'investigating') && acknowledgedAt === null) acknowledgedAt = at;
    if (state === 'resolved') resolvedAt = at;
    if (state === 'new') resolvedAt = null;
    upsertSearchAttributes([{ key: AlertStateKey, value: state }]);
    await store.recordTransition({
      alertId,
      action,
      from: decision.from,
      to: decision.to,
      stateVersion,
      actor: req.actor,
      reason: req.reason,
      at: new Date(at).toISOString(),
      idempotencyKey: `update:${currentUpdateInfo()?.id ?? `${workflowInfo().runId}:${stateVersion}`}`,
    });
    return { alertId, from: decision.from, to: decision.to, at: new Date(at).toISOString() };
  };

  for (const [action, update] of Object.entries(transitionUpdates) as [TransitionAction, (typeof transitionUpdates)[TransitionAction]][]) {
    setHandler(update, (req) => transition(action, req), {
      validator: (req) => {
        if (typeof req?.actor !== 'string' || req.actor.length === 0) throw new Error('actor is required');
        const decision = decideTransition(state, action);
        if (!decision.ok) throw ApplicationFailure.create({ type: TRANSITION_REFUSED, message: decision.message, details: [decision] });
      },
    });
  }

  upsertSearchAttributes([
    { key: AlertStateKey, value: state },
    { key: AlertSeverityKey, value: event.severity },
    { key: ServiceKey, value: event.service },
  ]);
  await store.recordAlert({
    alertId,
    workflowId: workflowInfo().workflowId,
    firstRunId: workflowInfo().firstExecutionRunId,
    event,
    triggeredAt: new Date(triggeredAt).toISOString(),
  });
  recorded = true;

  // A resolved alert stays open for the reopen window; a reopen inside it sends the loop round again.
  const reopenWindowMs = input.reopenWindowMs ?? DEFAULT_REOPEN_WINDOW_MS;
  for (;;) {
    await condition(() => state === 'resolved');
    const reopened = await condition(() => state !== 'resolved', reopenWindowMs);
    if (!reopened) break;
  }
  await condition(allHandlersFinished);
  return view();
}
