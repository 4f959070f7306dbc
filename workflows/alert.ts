/**
 * One alert, one workflow: it holds the lifecycle state, takes Updates for each transition, escalates
 * through the snapshotted policy, watches SLA deadlines, and records everything in Postgres.
 * Deterministic: no I/O here, time comes from the workflow clock.
 *
 * Lean by design, since a storm is thousands of these at once: the record is a local activity in the
 * first workflow task, the search attributes come from signal-with-start, one scheduler keeps one timer
 * (alert-scheduler.ts), and a tier's lookup and first sends are one activity (alert-paging.ts). A paging
 * alert reaches its first page in one workflow task and the one after its pages return.
 *
 * A workflow type of its own (`alert`), not the old one behind patched(): runs of the old type keep
 * replaying the code they began with (workflows/legacy/), and a new alert carries no patch marker (with
 * the search attribute the SDK upserts beside each one, two events per alert). Changes to this workflow
 * from here on go behind patched().
 */
import {
  allHandlersFinished,
  condition,
  makeContinueAsNewFunc,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AlertContext, AlertWork } from './alert-context';
import { groupRefOf, noteMembership, takeRole } from './alert-group';
import { auditKeys, local, registerHandlers, transitions, type RunCounts } from './alert-handlers';
import { restartEscalation, runScheduler } from './alert-scheduler';
import { initialRuntime, viewOf } from './alert-state';
import { AlertSeverityKey, AlertStateKey, ServiceKey, type AlertInput, type AlertView } from './messages';

const SYSTEM = 'system:klaxon';
// Temporal allows 2,000 Updates and 10,000 signals per run; a run continues as new well before either,
// and while its history is short enough that a replay of it (after a cache eviction or a failed task)
// stays well inside a workflow task's timeout on a loaded worker.
const MAX_UPDATES_PER_RUN = 500;
const MAX_SIGNALS_PER_RUN = 1_000;
const RUN_HISTORY_EVENTS = 4_000;

export async function alert(input: AlertInput): Promise<AlertView> {
  const { alertId, event } = input;
  // A continued run picks up the state of the last one. A new alert is triggered when the API accepted
  // it (never later: a worker backlog must not shift its tiers; never ahead of this clock either).
  const rt = input.resume ?? initialRuntime(Math.min(event.acceptedAt ?? Date.now(), Date.now()));
  const inflight = new Set<Promise<unknown>>();
  const counts: RunCounts = { updates: 0, signals: 0, asking: 0 };
  // Work under way (lookups, writes) that a continue-as-new must not cut short; handlers are counted by the SDK.
  let busy = 0;
  const nextKey = auditKeys(rt);

  const base: Omit<AlertWork, 'transition'> = {
    input,
    rt,
    lastTier: null,
    tierInFlight: false,
    runStartedAt: Date.now(),
    systemTransition: (action, reason, at) =>
      work
        .during(work.transition(action, { actor: SYSTEM, reason }, nextKey('system'), at))
        .then(() => undefined),
    async during(p) {
      busy += 1;
      try {
        return await p;
      } finally {
        busy -= 1;
      }
    },
    audit: (action, reason) =>
      local.recordAuditEntry({
        alertId,
        action,
        actor: SYSTEM,
        reason,
        at: new Date(Date.now()).toISOString(),
        idempotencyKey: nextKey('audit'),
      }),
    track(p) {
      const tracked = p.finally(() => inflight.delete(tracked));
      inflight.add(tracked);
    },
  };
  const work: AlertWork = Object.assign(base, { transition: transitions(base, counts) });
  registerHandlers(work, counts, nextKey);

  if (input.resume) {
    // Signal-with-start set these for the first run; a continued one sets them again, as runs always have.
    upsertSearchAttributes([
      { key: AlertStateKey, value: rt.state },
      { key: AlertSeverityKey, value: event.severity },
      { key: ServiceKey, value: event.service },
    ]);
  } else {
    await record(work);
  }

  /** True once this run nears one of Temporal's per-run limits: it continues as new at its next quiet point. */
  const limits = () => {
    const now = workflowInfo();
    return (
      now.continueAsNewSuggested ||
      now.historyLength > (input.historyLimit ?? RUN_HISTORY_EVENTS) ||
      counts.updates >= (input.runLimits?.updates ?? MAX_UPDATES_PER_RUN) ||
      counts.signals >= (input.runLimits?.signals ?? MAX_SIGNALS_PER_RUN)
    );
  };
  // Quiet: nothing in flight that the next run could not pick up from the state it is handed.
  const quiet = () =>
    rt.recorded &&
    busy === 0 &&
    inflight.size === 0 &&
    counts.asking === 0 &&
    !rt.regrouping &&
    allHandlersFinished();

  const duties = [runScheduler(work), occurrenceWriter(work, limits)];
  await condition(() => rt.closed || (limits() && quiet()));
  if (!rt.closed) {
    // Hands the alert's whole state to a fresh run of the same workflow (same id, same memo); never returns.
    await makeContinueAsNewFunc<typeof alert>({ memo: workflowInfo().memo })({
      ...input,
      resume: { ...rt, notifications: [...rt.notifications] },
    });
  }
  await Promise.all(duties);
  await Promise.all(inflight);
  await condition(allHandlersFinished);
  return viewOf(input, rt, Date.now());
}

/** Writes the alert's record (and learns its group role) in the first workflow task, then starts escalating. */
async function record(work: AlertWork): Promise<void> {
  const { input, rt } = work;
  const info = workflowInfo();
  const ref = groupRefOf(work);
  const role = await work.during(
    local.recordAlert({
      alertId: input.alertId,
      workflowId: info.workflowId,
      firstRunId: info.firstExecutionRunId,
      event: input.event,
      triggeredAt: new Date(rt.triggeredAt).toISOString(),
      policy: input.policy ? { id: input.policy.id, name: input.policy.name } : null,
      ttaTargetMs: input.sla.targets.ttaMs,
      ttrTargetMs: input.sla.targets.ttrMs,
      ...(ref ? { group: ref, recordedAt: new Date(Date.now()).toISOString() } : {}),
    }),
  );
  rt.recorded = true;
  restartEscalation(work, rt.triggeredAt);
  // Matched a silence when triggered: the scheduler starts it (at once if it holds now).
  if (input.silence) rt.silence = { ...input.silence, started: false };
  // A leader taking over an open group's escalation goes on from where it stood.
  if (role) takeRole(work, role, 'store');
  noteMembership(work);
}

/**
 * Writes the occurrence count whenever repeats have raised it, one write at a time (repeats that arrive
 * meanwhile share the next one). Near a run's limits it stops starting writes, so the run reaches a
 * quiet point however fast repeats come; the next run writes what is left.
 */
async function occurrenceWriter(ctx: AlertContext, limits: () => boolean): Promise<void> {
  const { input, rt } = ctx;
  const written = () => rt.occurrencesWritten ?? 1;
  for (;;) {
    // Once closed, what is left is written whatever the limits: this run is the last.
    await condition(() => rt.closed || (rt.recorded && written() !== rt.occurrences && !limits()));
    if (written() === rt.occurrences) return;
    const occurrences = rt.occurrences;
    await ctx.during(
      local.recordOccurrence({
        alertId: input.alertId,
        occurrences,
        lastSeenAt: new Date(rt.lastSeenAt).toISOString(),
      }),
    );
    rt.occurrencesWritten = Math.max(written(), occurrences);
  }
}
