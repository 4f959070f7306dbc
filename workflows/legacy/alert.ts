/**
 * The alert workflow as runs of type `alertWorkflow` run it: frozen, because every run of that type
 * (started before the lean alert, workflows/alert.ts) replays this code. Fix a bug here behind patched().
 *
 * One alert, one workflow: it holds the lifecycle state, takes Updates for each transition (refused ones
 * are rejected by the validator, so they never reach history), escalates through the snapshotted policy,
 * watches SLA deadlines, and records everything in Postgres through activities. Deterministic: no I/O
 * here, time comes from the workflow clock.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  currentUpdateInfo,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { DEFAULT_FLAP_RULE, flapHoldMs, recentReopens } from '../../domain/flapping';
import { decideTransition, type TransitionAction } from '../../domain/lifecycle';
import { groupRefOf, leadingEscalation, legacyJoinGroup, legacyReportToGroup, noteMembership, takeRole } from '../alert-group';
import type { AlertContext } from '../alert-context';
import { ackTimeoutLoop, autoResolveLoop, escalationLoop, restartEscalation, slaLoop } from './alert-loops';
import { activePolicy, initialRuntime, viewOf } from '../alert-state';
import {
  AlertSeverityKey,
  AlertStateKey,
  DEFAULT_REOPEN_WINDOW_MS,
  ServiceKey,
  TRANSITION_REFUSED,
  UPDATE_REFUSED,
  escalateUpdate,
  groupLeadSignal,
  groupRoleSignal,
  integrationActionSignal,
  noteUpdate,
  recordedUpdate,
  transitionUpdates,
  triggerSignal,
  viewQuery,
  type AlertInput,
  type AlertView,
  type TransitionRequest,
  type TransitionResult,
  type TriggerRepeat,
} from '../messages';

// Postgres writes retry until they succeed: an outage of the database delays the record, never loses it.
const STORE = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
const store = proxyActivities<Activities>(STORE);
// The alert's record (and its group role) is written in the workflow's first task, on the worker that
// runs it, without a trip through the activity queue: behind a storm's backlog that trip cost minutes
// before a leader's first page.
const local = proxyLocalActivities<Activities>(STORE);

const SYSTEM = 'system:klaxon';
// Well inside Temporal's 50,000-event limit, and rare: only an alert reopened hundreds of times gets here.
const MAX_HISTORY_EVENTS = 10_000;
// Temporal allows 2,000 Updates and 10,000 signals per run; a run continues as new well before either,
// and while its history is short enough that a replay of it (after a cache eviction or a failed task)
// stays well inside a workflow task's timeout on a loaded worker.
const MAX_UPDATES_PER_RUN = 500;
const MAX_SIGNALS_PER_RUN = 1_000;
const RUN_HISTORY_EVENTS = 4_000;

export async function alertWorkflow(input: AlertInput): Promise<AlertView> {
  const { alertId, event } = input;
  // Group membership decided in Postgres, with hand-overs; runs from before keep the signal protocol.
  const storeGroups = patched('group-membership-in-store');
  // A run continues as new at any quiet point once it nears a limit, whatever its state (runs from before
  // did so only once resolved).
  const boundedRuns = patched('continue-as-new-any-state');
  // A continued run picks up the state of the last one. A new alert is triggered when the API accepted
  // it (never later: a worker backlog must not shift its tiers; never ahead of this clock either).
  const rt = input.resume ?? initialRuntime(Math.min(event.acceptedAt ?? Date.now(), Date.now()));
  const inflight = new Set<Promise<unknown>>();
  const info = workflowInfo();

  // Transitions back to `new` whose group answer is still on its way.
  let asking = 0;
  // What this run has taken in, against Temporal's per-run limits, and the work under way that a
  // continue-as-new must not cut short (the duties' lookups and writes; handlers are counted by the SDK).
  let updatesThisRun = 0;
  let signalsThisRun = 0;
  let busy = 0;
  const nextKey = (prefix: string) => `${prefix}:${info.workflowId}:${info.runId}:${++rt.auditSeq}`;

  const ctx: AlertContext = {
    input,
    rt,
    systemTransition: (action, reason, at) => ctx.during(transition(action, { actor: SYSTEM, reason }, nextKey('system'), at)).then(() => undefined),
    async during(p) {
      busy += 1;
      try {
        return await p;
      } finally {
        busy -= 1;
      }
    },
    audit: (action, reason) =>
      store.recordAuditEntry({ alertId, action, actor: SYSTEM, reason, at: new Date(Date.now()).toISOString(), idempotencyKey: nextKey('audit') }),
    track(p) {
      const tracked = p.finally(() => inflight.delete(tracked));
      inflight.add(tracked);
    },
  };

  /** `escalateFrom` delays a restarted escalation (flap damping); by default it starts at the transition. */
  async function transition(action: TransitionAction, req: TransitionRequest, idempotencyKey: string, at?: number, escalateFrom?: number): Promise<TransitionResult> {
    // Re-decided here because another Update may have moved the state since this one was validated.
    const decision = decideTransition(rt.state, action);
    if (!decision.ok) throw ApplicationFailure.create({ type: TRANSITION_REFUSED, message: decision.message, nonRetryable: true, details: [decision] });
    // A timer-driven transition is dated by its deadline; the workflow task runs a few ms after it.
    const now = at ?? Date.now();
    // State changes synchronously, before any await, so the next Update's validator sees it.
    rt.state = decision.to;
    rt.stateVersion += 1;
    if (rt.state !== 'new') rt.respondedAt ??= now;
    if (rt.state === 'resolved') rt.resolvedAt = now;
    rt.stateChangedAt = now;
    // In a group, the store applies the transition to the group too and answers with the alert's role: a
    // leader leaving `new` hands over where its escalation stands; one back in `new` asks again, and its
    // escalation waits for the answer.
    const ref = groupRefOf(ctx);
    const escalation = decision.from === 'new' ? leadingEscalation(ctx) : undefined;
    const inGroup = storeGroups && ref && rt.group ? { groupId: rt.group.groupId, ref, ...(escalation ? { escalation } : {}) } : undefined;
    const asks = inGroup !== undefined && decision.to === 'new';
    if (asks) rt.regrouping = ++asking > 0;
    if (!storeGroups) {
      if (decision.to === 'resolved' || decision.from === 'resolved') legacyReportToGroup(ctx);
      // A member back from resolved may find its group closed; it asks again and may lead a new one.
      if (decision.from === 'resolved' && decision.to === 'new' && rt.group?.role === 'member' && patched('regroup-on-reopen')) {
        rt.group = null;
        rt.regrouping = true;
        ctx.track(legacyJoinGroup(ctx).finally(() => (rt.regrouping = false)));
      }
    }
    if (rt.state === 'new') {
      rt.resolvedAt = null;
      rt.cycle += 1;
      if (action === 'reopen') rt.openedAt = now;
      restartEscalation(ctx, escalateFrom ?? now);
    }
    upsertSearchAttributes([{ key: AlertStateKey, value: rt.state }]);
    const role = await store
      .recordTransition({
      alertId,
      action,
      from: decision.from,
      to: decision.to,
      stateVersion: rt.stateVersion,
      actor: req.actor,
      reason: req.reason,
      at: new Date(now).toISOString(),
      idempotencyKey,
      ...(inGroup ? { group: inGroup } : {}),
    })
      .finally(() => {
        if (asks) rt.regrouping = --asking > 0;
      });
    if (role) {
      takeRole(ctx, role, 'store');
      if (decision.to === 'new') noteMembership(ctx);
    }
    return { alertId, from: decision.from, to: decision.to, at: new Date(now).toISOString() };
  }

  // Handlers are registered before the first await, so no early message is dropped.
  setHandler(viewQuery, () => viewOf(input, rt, Date.now()));
  setHandler(recordedUpdate, async () => {
    updatesThisRun += 1;
    await condition(() => rt.recorded);
    return viewOf(input, rt, Date.now());
  });

  setHandler(groupRoleSignal, (answer) => {
    if (rt.group) return;
    rt.group = answer;
    // Resolved before the group answered: the report could not be sent then.
    if (rt.state === 'resolved') legacyReportToGroup(ctx);
  });

  // Another alert of the group stopped escalating and the store chose this one to carry it on.
  setHandler(groupLeadSignal, (answer) => {
    if (storeGroups) takeRole(ctx, answer, 'handover');
  });

  // A storm of duplicates would cost one activity each; the count only grows, so repeats that arrive
  // while a write is in flight share the next write, which carries the latest count.
  let occurrenceWrite: Promise<void> | null = null;
  let occurrencesDirty = false;
  function writeOccurrences(): Promise<void> {
    if (occurrenceWrite) {
      occurrencesDirty = true;
      return occurrenceWrite;
    }
    occurrenceWrite = (async () => {
      do {
        occurrencesDirty = false;
        await store.recordOccurrence({ alertId, occurrences: rt.occurrences, lastSeenAt: new Date(rt.lastSeenAt).toISOString() });
      } while (occurrencesDirty);
      occurrenceWrite = null;
    })();
    return occurrenceWrite;
  }

  // The repeat's reopen, when it finds the alert resolved inside its reopen window.
  async function reopenOnRepeat(repeat: TriggerRepeat, flapDamping: boolean): Promise<void> {
    // The same problem again inside the reopen window: the same alert, paging again, unless it is
    // flapping, when it pages only if it is still firing after the hold. Dated by when it was accepted.
    const now = Math.max(Math.min(repeat.acceptedAt ?? Date.now(), Date.now()), rt.resolvedAt ?? 0);
    const hold = flapDamping ? flapHoldMs(rt.reopens, now) : 0;
    rt.reopens = [...recentReopens(rt.reopens, now), now];
    await transition('reopen', { actor: `integration:${repeat.source}`, reason: `triggered again: ${repeat.summary}` }, `reopen:${repeat.eventId}`, now, now + hold);
    if (hold > 0) {
      const minutes = DEFAULT_FLAP_RULE.windowMs / 60_000;
      ctx.track(ctx.audit('flapping', `re-triggered ${rt.reopens.length} times within ${minutes} min: pages again only if still firing at ${new Date(now + hold).toISOString()}`));
    }
  }

  setHandler(triggerSignal, (repeat) => {
    signalsThisRun += 1;
    // A signal may carry several repeats the API sent together; runs from before counted one per signal.
    const count = boundedRuns ? Math.max(1, Math.floor(repeat.count ?? 1)) : 1;
    // Signal-with-start delivers the starting event as a signal too; only later events are repeats (an
    // event that stood for several started the alert as one and brings the others).
    if (repeat.eventId === event.eventId) {
      rt.occurrences += count - 1;
      return undefined;
    }
    rt.occurrences += count;
    rt.lastSeenAt = Date.now();
    // A repeat of an open alert returns at once, without a promise: the count is written by one writer
    // (occurrenceWriter), so thousands of repeats in one workflow task cost as many increments, not waits.
    if (boundedRuns) return rt.state === 'resolved' && !rt.closed ? reopenOnRepeat(repeat, true) : undefined;
    return legacyRepeat(repeat);
  });

  async function legacyRepeat(repeat: TriggerRepeat): Promise<void> {
    if (rt.state === 'resolved' && !rt.closed) await reopenOnRepeat(repeat, patched('flap-damping'));
    await condition(() => rt.recorded);
    if (patched('coalesce-occurrences')) await writeOccurrences();
    else await store.recordOccurrence({ alertId, occurrences: rt.occurrences, lastSeenAt: new Date(rt.lastSeenAt).toISOString() });
  }

  setHandler(integrationActionSignal, async ({ action, actor, eventId, reason }) => {
    signalsThisRun += 1;
    await condition(() => rt.recorded);
    // A monitoring system resolving an alert a person already resolved is not an error: ignore it.
    if (!decideTransition(rt.state, action).ok) return;
    await transition(action, { actor, reason: reason ?? `${action} from ${actor}` }, `integration:${eventId}`);
  });

  const updateKey = () => `update:${currentUpdateInfo()?.id ?? nextKey('update')}`;

  for (const action of Object.keys(transitionUpdates) as TransitionAction[]) {
    setHandler(
      transitionUpdates[action],
      (req) => {
        updatesThisRun += 1;
        return transition(action, req, updateKey());
      },
      {
      validator: (req) => {
        if (typeof req?.actor !== 'string' || req.actor.length === 0) throw new Error('actor is required');
        const decision = decideTransition(rt.state, action);
        if (!decision.ok) throw ApplicationFailure.create({ type: TRANSITION_REFUSED, message: decision.message, details: [decision] });
      },
      },
    );
  }

  setHandler(
    escalateUpdate,
    async (req) => {
      updatesThisRun += 1;
      const wanted = ++rt.escalateRequested;
      const key = updateKey();
      const following = () => storeGroups && rt.group?.role === 'member';
      await condition(() => rt.escalateServed >= wanted || rt.state !== 'new' || following());
      const fired = rt.lastFired;
      if (rt.escalateServed < wanted || !fired) {
        const became = following() ? `a member of group ${rt.group!.groupId}` : rt.state;
        throw ApplicationFailure.create({ type: UPDATE_REFUSED, message: `the alert became ${became} before the escalation fired`, nonRetryable: true });
      }
      await store.recordAuditEntry({
        alertId,
        action: 'escalate',
        actor: req.actor,
        reason: req.reason ?? `escalated now to tier ${fired.tier + 1} (loop ${fired.loop + 1})`,
        at: new Date(fired.at).toISOString(),
        idempotencyKey: key,
      });
      return { loop: fired.loop, tier: fired.tier, at: new Date(fired.at).toISOString() };
    },
    {
      validator: (_req) => {
        if (input.group && (!rt.group || rt.regrouping)) {
          throw ApplicationFailure.create({ type: UPDATE_REFUSED, message: 'this alert is still learning its place in its group; try again in a moment' });
        }
        if (rt.group?.role === 'member') {
          throw ApplicationFailure.create({
            type: UPDATE_REFUSED,
            message: `this alert is in group ${rt.group.groupId}, whose escalation runs on the alert leading it: escalate that alert, or acknowledge the group`,
            details: [{ groupId: rt.group.groupId }],
          });
        }
        if (!activePolicy(input, rt)) throw ApplicationFailure.create({ type: UPDATE_REFUSED, message: 'this alert has no escalation policy' });
        if (rt.state !== 'new') throw ApplicationFailure.create({ type: UPDATE_REFUSED, message: `cannot escalate an alert that is ${rt.state}: escalation runs only while it is new` });
        if (!rt.cursor) throw ApplicationFailure.create({ type: UPDATE_REFUSED, message: 'escalation has already run through every tier and loop' });
      },
    },
  );

  setHandler(
    noteUpdate,
    async (note) => {
      updatesThisRun += 1;
      const at = new Date(Date.now()).toISOString();
      await store.recordAuditEntry({ alertId, action: 'note', actor: note.actor, reason: note.text, at, idempotencyKey: updateKey() });
      return { at };
    },
    {
      validator: (note) => {
        if (typeof note?.text !== 'string' || note.text.trim() === '') throw new Error('text is required');
      },
    },
  );

  upsertSearchAttributes([
    { key: AlertStateKey, value: rt.state },
    { key: AlertSeverityKey, value: event.severity },
    { key: ServiceKey, value: event.service },
  ]);
  if (!input.resume) {
    const ref = groupRefOf(ctx);
    const role = await (storeGroups ? local : store).recordAlert({
      alertId,
      workflowId: info.workflowId,
      firstRunId: info.firstExecutionRunId,
      event,
      triggeredAt: new Date(rt.triggeredAt).toISOString(),
      policy: input.policy ? { id: input.policy.id, name: input.policy.name } : null,
      ttaTargetMs: input.sla.targets.ttaMs,
      ttrTargetMs: input.sla.targets.ttrMs,
      ...(storeGroups && ref ? { group: ref, recordedAt: new Date(Date.now()).toISOString() } : {}),
    });
    rt.recorded = true;
    if (!storeGroups) {
      await legacyJoinGroup(ctx);
      restartEscalation(ctx, rt.triggeredAt);
    } else {
      restartEscalation(ctx, rt.triggeredAt);
      // A leader taking over an open group's escalation goes on from where it stood.
      if (role) takeRole(ctx, role, 'store');
      noteMembership(ctx);
    }
  }

  const duties = [escalationLoop(ctx), slaLoop(ctx), ackTimeoutLoop(ctx), autoResolveLoop(ctx)];
  if (boundedRuns) duties.push(occurrenceWriter());

  /**
   * Writes the occurrence count whenever repeats have raised it, one write at a time (repeats that arrive
   * meanwhile share the next one). Near a run's limits it stops starting writes, so the run reaches a
   * quiet point however fast repeats come; the next run writes what is left.
   */
  async function occurrenceWriter(): Promise<void> {
    for (;;) {
      await condition(() => rt.closed || (rt.recorded && (rt.occurrencesWritten ?? 1) !== rt.occurrences && !limits()));
      if (rt.closed && (rt.occurrencesWritten ?? 1) === rt.occurrences) return;
      if (limits() && !rt.closed) continue;
      const occurrences = rt.occurrences;
      await ctx.during(store.recordOccurrence({ alertId, occurrences, lastSeenAt: new Date(rt.lastSeenAt).toISOString() }));
      rt.occurrencesWritten = Math.max(rt.occurrencesWritten ?? 1, occurrences);
      if (rt.closed && rt.occurrencesWritten === rt.occurrences) return;
    }
  }

  /** True once this run nears one of Temporal's per-run limits: it continues as new at its next quiet point. */
  function limits(): boolean {
    const now = workflowInfo();
    return (
      now.continueAsNewSuggested ||
      now.historyLength > (input.historyLimit ?? RUN_HISTORY_EVENTS) ||
      updatesThisRun >= (input.runLimits?.updates ?? MAX_UPDATES_PER_RUN) ||
      signalsThisRun >= (input.runLimits?.signals ?? MAX_SIGNALS_PER_RUN)
    );
  }

  /** Hands the alert's whole state to a fresh run of the same workflow (same id, same memo); never returns. */
  function continueAsNew(): Promise<never> {
    return makeContinueAsNewFunc<typeof alertWorkflow>({ memo: workflowInfo().memo })({ ...input, resume: { ...rt, notifications: [...rt.notifications] } });
  }

  // A resolved alert stays open for the reopen window; a reopen inside it sends the loop round again.
  const reopenWindowMs = input.reopenWindowMs ?? DEFAULT_REOPEN_WINDOW_MS;
  if (boundedRuns) {
    // Quiet: nothing in flight that the next run could not pick up from the state it is handed.
    const quiet = () => rt.recorded && busy === 0 && inflight.size === 0 && asking === 0 && !rt.regrouping && allHandlersFinished();
    const fresh = () => limits() && quiet();
    for (;;) {
      await condition(() => rt.state === 'resolved' || fresh());
      if (fresh()) await continueAsNew();
      // The window counts from the resolve, also in a run that continued after it.
      const windowMs = Math.max(0, (rt.resolvedAt ?? Date.now()) + reopenWindowMs - Date.now());
      const moved = await condition(() => rt.state !== 'resolved' || fresh(), windowMs);
      if (fresh()) await continueAsNew();
      if (!moved) break;
    }
  } else {
    // A continued run was resolved when it started: only what is left of the window remains.
    let windowMs = input.resume ? Math.max(0, (rt.resolvedAt ?? Date.now()) + reopenWindowMs - Date.now()) : reopenWindowMs;
    for (;;) {
      await condition(() => rt.state === 'resolved');
      // Resolved is the quiet point: every duty is waiting for a state change, so a long-lived alert that
      // keeps reopening continues as new here before its history grows past Temporal's limits.
      const history = workflowInfo();
      if ((history.continueAsNewSuggested || history.historyLength > (input.historyLimit ?? MAX_HISTORY_EVENTS)) && patched('alert-continue-as-new')) {
        await Promise.all(inflight);
        await condition(allHandlersFinished);
        if (rt.state === 'resolved') await continueAsNew();
        continue;
      }
      const reopened = await condition(() => rt.state !== 'resolved', windowMs);
      windowMs = reopenWindowMs;
      if (!reopened) break;
    }
  }
  rt.closed = true;
  await Promise.all(duties);
  await Promise.all(inflight);
  await condition(allHandlersFinished);
  return viewOf(input, rt, Date.now());
}
