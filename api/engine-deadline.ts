/**
 * Deadlines on every call the API makes to Temporal that waits on a worker (Updates, queries, describe).
 * Without one, a request waits as long as the SDK's own retries do: with every worker down an
 * acknowledge answered 500 after about 30 s, though Temporal went on to apply it.
 */
import {
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  isGrpcServiceError,
  type WorkflowClient,
} from '@temporalio/client';

/** How long an action waits for the alert's worker before answering that it is queued (202) or may apply (503). */
export const ACTION_DEADLINE_MS = 10_000;
/** How long a read waits for a workflow's live view before answering from Postgres alone. */
export const QUERY_DEADLINE_MS = 3_000;

// gRPC's UNAVAILABLE: the server could not be reached at all.
const UNAVAILABLE = 14;

/** Runs fn with every Temporal call inside it bounded by ms; a call still waiting then fails. */
export function withinDeadline<T>(workflows: WorkflowClient, ms: number, fn: () => Promise<T>): Promise<T> {
  return workflows.connection.withDeadline(Date.now() + ms, fn);
}

/**
 * True when a Temporal call failed because it ran out of time or could not reach the server, so what it
 * asked for may or may not happen: not a refusal, not a bug.
 */
export function engineDidNotAnswer(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(err) || isGrpcCancelledError(err)) return true;
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && e.code === UNAVAILABLE) return true;
  }
  return false;
}
