/**
 * The alert's message handlers: the trigger signal (repeats, reopens), the monitoring system's
 * acknowledge/resolve, the transition Updates (refused ones rejected by their validator, so they never
 * reach history), escalate-now, notes, the record wait and the view query. Transitions change the state
 * at once and then write it to Postgres through a local activity.
 */
import {
  ApplicationFailure,
  condition,
  currentUpdateInfo,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DEFAULT_FLAP_RULE, flapHoldMs, recentReopens } from '../domain/flapping';
import { decideTransition, type TransitionAction } from '../domain/lifecycle';
import { snoozeMinutesProblem, snoozeReason, snoozeRefusal } from '../domain/snooze';
import type { AlertWork } from './alert-context';
import { groupRefOf, leadingEscalation, noteMembership, takeRole } from './alert-group';
import { endSilence, restartEscalation, startSilence } from './alert-scheduler';
import { activePolicy, viewOf } from './alert-state';
import {
  AlertStateKey,
  TRANSITION_REFUSED,
  UPDATE_REFUSED,
  escalateUpdate,
  groupLeadSignal,
  snoozeUpdate,
  silenceSignal,
  unsilenceSignal,
  integrationActionSignal,
  noteUpdate,
  recordedUpdate,
  transitionUpdates,
  triggerSignal,
  viewQuery,
  type TransitionRequest,
  type TransitionResult,
  type TriggerRepeat,
} from './messages';

// Postgres writes retry until they succeed: an outage of the database delays the record, never loses it.
// Local: they run on the worker that runs the workflow, inside its task, with no trip through a queue.
export const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** What this run has taken in, against Temporal's per-run limits (Updates and signals). */
export interface RunCounts {
  updates: number;
  signals: number;
  /** Transitions back to `new` whose group answer is still on its way. */
  asking: number;
}

/**
 * Returns the transition function. `escalateFrom` delays a restarted escalation (flap damping); by
 * default it starts at the transition.
 */
export function transitions(work: Omit<AlertWork, 'transition'>, counts: RunCounts): AlertWork['transition'] {
  const { input, rt } = work;
  return async (action, req, idempotencyKey, at, escalateFrom) => {
    // Re-decided here because another Update may have moved the state since this one was validated.
    const decision = decideTransition(rt.state, action);
    if (!decision.ok)
      throw ApplicationFailure.create({
        type: TRANSITION_REFUSED,
        message: decision.message,
        nonRetryable: true,
        details: [decision],
      });
    // A timer-driven transition is dated by its deadline; the workflow task runs a few ms after it.
    const now = at ?? Date.now();
    // State changes synchronously, before any await, so the next Update's validator sees it.
    rt.state = decision.to;
    rt.stateVersion += 1;
    if (rt.state !== 'new') rt.respondedAt ??= now;
    if (rt.state === 'resolved') rt.resolvedAt = now;
    rt.stateChangedAt = now;
    // Any transition ends a snooze (the snooze's own acknowledge sets it again just after).
    if (rt.snooze) rt.snooze = null;
    // Someone answered (or escalation restarts): pages held back by notification rules are not sent.
    if (rt.scheduledPages) delete rt.scheduledPages;
    // In a group, the store applies the transition to the group too and answers with the alert's role: a
    // leader leaving `new` hands over where its escalation stands; one back in `new` asks again, and its
    // escalation waits for the answer.
    const ref = groupRefOf(work);
    const escalation = decision.from === 'new' ? leadingEscalation(work) : undefined;
    const inGroup =
      ref && rt.group ? { groupId: rt.group.groupId, ref, ...(escalation ? { escalation } : {}) } : undefined;
    const asks = inGroup !== undefined && decision.to === 'new';
    if (asks) rt.regrouping = ++counts.asking > 0;
    if (rt.state === 'new') {
      rt.resolvedAt = null;
      rt.cycle += 1;
      if (action === 'reopen') rt.openedAt = now;
      restartEscalation(work, escalateFrom ?? now);
    }
    upsertSearchAttributes([{ key: AlertStateKey, value: rt.state }]);
    const role = await work
      .during(
        local.recordTransition({
          alertId: input.alertId,
          action,
          from: decision.from,
          to: decision.to,
          stateVersion: rt.stateVersion,
          actor: req.actor,
          reason: req.reason,
          at: new Date(now).toISOString(),
          idempotencyKey,
          ...(inGroup ? { group: inGroup } : {}),
        }),
      )
      .finally(() => {
        if (asks) rt.regrouping = --counts.asking > 0;
      });
    if (role) {
      takeRole(work, role, 'store');
      if (decision.to === 'new') noteMembership(work);
    }
    return {
      alertId: input.alertId,
      from: decision.from,
      to: decision.to,
      at: new Date(now).toISOString(),
    } satisfies TransitionResult;
  };
}

/** Registers every handler; called before the workflow's first await, so no early message is dropped. */
export function registerHandlers(
  work: AlertWork,
  counts: RunCounts,
  nextKey: (prefix: string) => string,
): void {
  const { input, rt } = work;
  const { alertId, event } = input;

  setHandler(viewQuery, () => viewOf(input, rt, Date.now()));
  setHandler(recordedUpdate, async () => {
    counts.updates += 1;
    await condition(() => rt.recorded);
    return viewOf(input, rt, Date.now());
  });

  // Another alert of the group stopped escalating and the store chose this one to carry it on.
  setHandler(groupLeadSignal, (answer) => takeRole(work, answer, 'handover'));

  // The repeat's reopen, when it finds the alert resolved inside its reopen window.
  async function reopenOnRepeat(repeat: TriggerRepeat): Promise<void> {
    // The same problem again inside the reopen window: the same alert, paging again, unless it is
    // flapping, when it pages only if it is still firing after the hold. Dated by when it was accepted.
    const now = Math.max(Math.min(repeat.acceptedAt ?? Date.now(), Date.now()), rt.resolvedAt ?? 0);
    const hold = flapHoldMs(rt.reopens, now);
    rt.reopens = [...recentReopens(rt.reopens, now), now];
    await work.transition(
      'reopen',
      { actor: `integration:${repeat.source}`, reason: `triggered again: ${repeat.summary}` },
      `reopen:${repeat.eventId}`,
      now,
      now + hold,
    );
    if (hold > 0) {
      const minutes = DEFAULT_FLAP_RULE.windowMs / 60_000;
      work.track(
        work.audit(
          'flapping',
          `re-triggered ${rt.reopens.length} times within ${minutes} min: pages again only if still firing at ${new Date(now + hold).toISOString()}`,
        ),
      );
    }
  }

  setHandler(triggerSignal, (repeat) => {
    counts.signals += 1;
    // A signal may carry several repeats the API sent together.
    const count = Math.max(1, Math.floor(repeat.count ?? 1));
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
    return rt.state === 'resolved' && !rt.closed ? reopenOnRepeat(repeat) : undefined;
  });

  setHandler(integrationActionSignal, async ({ action, actor, eventId, reason }) => {
    counts.signals += 1;
    await condition(() => rt.recorded);
    // A monitoring system resolving an alert a person already resolved is not an error: ignore it.
    if (!decideTransition(rt.state, action).ok) return;
    await work.transition(
      action,
      { actor, reason: reason ?? `${action} from ${actor}` },
      `integration:${eventId}`,
    );
  });

  // A silence created that matches the alert (a change of the one it holds replaces it).
  setHandler(silenceSignal, async (hold) => {
    counts.signals += 1;
    await condition(() => rt.recorded);
    if (rt.closed) return;
    const held = rt.silence;
    const begun = hold.from <= Date.now();
    // One silence at a time: another one already holding keeps the alert unless this one holds now and longer.
    if (held && held.id !== hold.id && (held.until >= hold.until || (held.started && !begun))) return;
    // Begun already, it holds at once (a tier due since the silence's start must not slip out first).
    const again = !!held && held.id === hold.id && held.started;
    rt.silence = { ...hold, started: again && begun };
    if (begun && !again) startSilence(work);
  });
  setHandler(unsilenceSignal, async ({ id, replacement }) => {
    counts.signals += 1;
    await condition(() => rt.recorded);
    const held = rt.silence;
    if (rt.closed || !held || held.id !== id) return;
    const now = Date.now();
    const begun = !!replacement && replacement.from <= now;
    // Held by the deleted one and by its replacement now: held throughout, no tier slips out between.
    if (replacement && begun && held.started) {
      rt.silence = { ...replacement, started: true };
      return;
    }
    endSilence(work, now, true);
    if (!replacement) return;
    rt.silence = { ...replacement, started: false };
    if (begun) startSilence(work);
  });

  const updateKey = () => `update:${currentUpdateInfo()?.id ?? nextKey('update')}`;

  for (const action of Object.keys(transitionUpdates) as TransitionAction[]) {
    setHandler(
      transitionUpdates[action],
      (req: TransitionRequest) => {
        counts.updates += 1;
        return work.transition(action, req, updateKey());
      },
      {
        validator: (req) => {
          if (typeof req?.actor !== 'string' || req.actor.length === 0) throw new Error('actor is required');
          const decision = decideTransition(rt.state, action);
          if (!decision.ok)
            throw ApplicationFailure.create({
              type: TRANSITION_REFUSED,
              message: decision.message,
              details: [decision],
            });
        },
      },
    );
  }

  setHandler(
    escalateUpdate,
    async (req) => {
      counts.updates += 1;
      const wanted = ++rt.escalateRequested;
      const key = updateKey();
      const following = () => rt.group?.role === 'member';
      // The scheduler serves the request at once (it is the earliest duty there can be).
      await condition(() => rt.escalateServed >= wanted || rt.state !== 'new' || following());
      const fired = rt.lastFired;
      if (rt.escalateServed < wanted || !fired) {
        const became = following() ? `a member of group ${rt.group!.groupId}` : rt.state;
        throw ApplicationFailure.create({
          type: UPDATE_REFUSED,
          message: `the alert became ${became} before the escalation fired`,
          nonRetryable: true,
        });
      }
      await work.during(
        local.recordAuditEntry({
          alertId,
          action: 'escalate',
          actor: req.actor,
          reason: req.reason ?? `escalated now to tier ${fired.tier + 1} (loop ${fired.loop + 1})`,
          at: new Date(fired.at).toISOString(),
          idempotencyKey: key,
        }),
      );
      return { loop: fired.loop, tier: fired.tier, at: new Date(fired.at).toISOString() };
    },
    {
      validator: (_req) => {
        if (input.group && (!rt.group || rt.regrouping)) {
          throw ApplicationFailure.create({
            type: UPDATE_REFUSED,
            message: 'this alert is still learning its place in its group; try again in a moment',
          });
        }
        if (rt.group?.role === 'member') {
          throw ApplicationFailure.create({
            type: UPDATE_REFUSED,
            message: `this alert is in group ${rt.group.groupId}, whose escalation runs on the alert leading it: escalate that alert, or acknowledge the group`,
            details: [{ groupId: rt.group.groupId }],
          });
        }
        if (!activePolicy(input, rt))
          throw ApplicationFailure.create({
            type: UPDATE_REFUSED,
            message: 'this alert has no escalation policy',
          });
        if (rt.state !== 'new')
          throw ApplicationFailure.create({
            type: UPDATE_REFUSED,
            message: `cannot escalate an alert that is ${rt.state}: escalation runs only while it is new`,
          });
        if (rt.silence?.started)
          throw ApplicationFailure.create({
            type: UPDATE_REFUSED,
            message: `this alert is silenced until ${new Date(rt.silence.until).toISOString()}: delete the silence to escalate it`,
          });
        if (!rt.cursor)
          throw ApplicationFailure.create({
            type: UPDATE_REFUSED,
            message: 'escalation has already run through every tier and loop',
          });
      },
    },
  );

  setHandler(
    snoozeUpdate,
    async (req) => {
      counts.updates += 1;
      const now = Date.now();
      const key = updateKey();
      const snooze = { until: now + req.minutes * 60_000, minutes: req.minutes };
      const reason = req.reason ?? snoozeReason(snooze.minutes, snooze.until);
      const from = rt.state;
      // A new alert is acknowledged by the snooze: someone answered. The state moves before any await,
      // and the snooze is set after the transition (which ends any earlier one), still before any await.
      const acknowledged = from === 'new' ? work.transition('acknowledge', { actor: req.actor, reason }, key) : undefined;
      rt.snooze = snooze;
      await acknowledged;
      await work.during(
        local.recordAuditEntry({
          alertId,
          action: 'snooze',
          actor: req.actor,
          reason,
          at: new Date(now).toISOString(),
          idempotencyKey: `${key}:snooze`,
        }),
      );
      return { until: new Date(snooze.until).toISOString(), from, to: rt.state, at: new Date(now).toISOString() };
    },
    {
      validator: (req) => {
        if (typeof req?.actor !== 'string' || req.actor.length === 0) throw new Error('actor is required');
        const problem = snoozeMinutesProblem(req.minutes) ?? snoozeRefusal(rt.state);
        if (problem) throw ApplicationFailure.create({ type: UPDATE_REFUSED, message: problem });
      },
    },
  );

  setHandler(
    noteUpdate,
    async (note) => {
      counts.updates += 1;
      const at = new Date(Date.now()).toISOString();
      await work.during(
        local.recordAuditEntry({
          alertId,
          action: 'note',
          actor: note.actor,
          reason: note.text,
          at,
          idempotencyKey: updateKey(),
        }),
      );
      return { at };
    },
    {
      validator: (note) => {
        if (typeof note?.text !== 'string' || note.text.trim() === '') throw new Error('text is required');
      },
    },
  );
}

/** Returns the key of a timeline entry the workflow writes on its own: the same on every replay. */
export function auditKeys(rt: { auditSeq: number }): (prefix: string) => string {
  const info = workflowInfo();
  return (prefix) => `${prefix}:${info.workflowId}:${info.runId}:${++rt.auditSeq}`;
}
