/**
 * Group membership inside the transactions that record an alert and its transitions: the alert learns
 * whether it leads or follows from the same commit that records it, never by waiting on a workflow.
 * After commit, a newly opened group's workflow is started (it closes the group when its window passes)
 * and an alert handed the escalation is told so by a signal.
 */
import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type WorkflowClient,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import {
  decideJoin,
  decideReturn,
  successor,
  type GroupEscalation,
  type GroupRef,
  type GroupRoleAnswer,
} from '../domain/grouping';
import type { AlertState } from '../domain/lifecycle';
import type { Queryable } from '../store/db';
import {
  addGroupMember,
  alertWorkflowIdOf,
  allGroupAlertsResolved,
  closeGroup,
  earliestNewMember,
  insertOpenGroup,
  lockGroup,
  lockOpenGroup,
  recordedGroupRole,
  setGroupLeader,
  storeGroupEscalation,
} from '../store/group-membership';
import {
  GROUP_WORKFLOW_TYPE,
  groupLeadSignal,
  groupRunWorkflowId,
  type GroupInput,
} from '../workflows/messages';

/** What the transaction decided that must reach Temporal once it has committed. */
export interface AfterCommit {
  /** A group this alert opened (or may have opened, on a retry): its workflow must run. */
  start?: { groupId: string; ref: GroupRef; openedAt: number };
  /** An alert handed the group's escalation: it must be told. */
  handOver?: { workflowId: string; answer: GroupRoleAnswer };
}

const OPEN_ATTEMPTS = 3;

/** Puts a just-recorded alert in the group open for its key (opening one if none takes it); returns its role. */
export async function joinGroupInTx(
  tx: Queryable,
  alertId: string,
  ref: GroupRef,
  at: number,
  /** When the alert's workflow got to recording it (later than `at` behind a backlog). */
  joinedAt: number,
): Promise<{ answer: GroupRoleAnswer; after: AfterCommit }> {
  for (let attempt = 1; ; attempt++) {
    const open = await lockOpenGroup(tx, ref.service, ref.groupKey, ref.windowMs);
    const decision = decideJoin(open, at);
    if (open && decision.kind === 'join') {
      await addGroupMember(tx, open.id, alertId, new Date(at), new Date(joinedAt));
      if (decision.role === 'member')
        return {
          answer: { groupId: open.id, role: 'member', epoch: open.epoch, escalation: null },
          after: {},
        };
      // Nobody is escalating for the group: this alert carries it on from where it stood.
      const epoch = await setGroupLeader(tx, open.id, {
        leaderId: alertId,
        escalation: open.escalation,
        by: null,
        reTriggered: false,
      });
      return { answer: { groupId: open.id, role: 'leader', epoch, escalation: open.escalation }, after: {} };
    }
    // The open group's window has passed (its workflow has not closed it yet): it takes no more alerts.
    if (open) await closeGroup(tx, open.id, 'quiet', new Date(open.lastAt + open.windowMs));
    const groupId = randomUUID();
    const opened = await insertOpenGroup(tx, {
      id: groupId,
      workflowId: groupRunWorkflowId(groupId),
      service: ref.service,
      groupKey: ref.groupKey,
      leaderId: alertId,
      at: new Date(at),
      windowMs: ref.windowMs,
    });
    if (opened) {
      await addGroupMember(tx, groupId, alertId, new Date(at), new Date(joinedAt));
      return {
        answer: { groupId, role: 'leader', epoch: 0, escalation: null },
        after: { start: { groupId, ref, openedAt: at } },
      };
    }
    // Another alert of the key opened a group in the meantime: the next round joins it.
    if (attempt >= OPEN_ATTEMPTS)
      throw new Error(`could not open or join the group ${ref.groupKey} of ${ref.service}`);
  }
}

/**
 * Returns the alert's role as recorded (a retried activity, or a transition that changes no role).
 * `retriedKey`: the transition being retried, whose hand-over signal is sent again if it made one.
 */
export async function recordedRoleInTx(
  tx: Queryable,
  alertId: string,
  retriedKey?: string,
): Promise<{ answer: GroupRoleAnswer | undefined; after: AfterCommit }> {
  const r = await recordedGroupRole(tx, alertId);
  if (!r) return { answer: undefined, after: {} };
  const answer: GroupRoleAnswer = {
    groupId: r.groupId,
    role: r.leaderId === alertId ? 'leader' : 'member',
    epoch: r.epoch,
    escalation: null,
  };
  // This transition handed the escalation over, and the signal may not have gone out before a crash.
  if (retriedKey !== undefined && r.leaderBy === retriedKey && r.leaderId && r.leaderId !== alertId) {
    const workflowId = await alertWorkflowIdOf(tx, r.leaderId);
    if (workflowId)
      return {
        answer,
        after: {
          handOver: {
            workflowId,
            answer: { groupId: r.groupId, role: 'leader', epoch: r.epoch, escalation: r.escalation },
          },
        },
      };
  }
  return { answer, after: {} };
}

export interface GroupTransition {
  alertId: string;
  groupId: string;
  ref: GroupRef;
  from: AlertState;
  to: AlertState;
  at: number;
  /** Where the alert's escalation stood, if its workflow led the group when it left `new`. */
  escalation?: GroupEscalation;
  idempotencyKey: string;
}

/**
 * Applies a recorded transition to the alert's group: a return to `new` asks for the role again; a
 * leader leaving `new` hands the escalation to the earliest alert still `new`; the last alert resolved
 * closes the group. Returns the alert's role afterwards.
 */
export async function groupTransitionInTx(
  tx: Queryable,
  t: GroupTransition,
): Promise<{ answer: GroupRoleAnswer | undefined; after: AfterCommit }> {
  if (t.to === 'new') {
    const own = await lockGroup(tx, t.groupId, t.ref.windowMs);
    const decision = decideReturn(own && !own.closed ? own : undefined, t.alertId, t.at);
    if (decision.kind === 'rejoin') return joinGroupInTx(tx, t.alertId, t.ref, t.at, t.at);
    if (decision.role === 'member')
      return { answer: { groupId: own!.id, role: 'member', epoch: own!.epoch, escalation: null }, after: {} };
    // It fired again: it leads afresh, and a whole-group acknowledge no longer holds.
    const epoch = await setGroupLeader(tx, t.groupId, {
      leaderId: t.alertId,
      escalation: null,
      by: null,
      reTriggered: true,
    });
    return { answer: { groupId: t.groupId, role: 'leader', epoch, escalation: null }, after: {} };
  }
  const after: AfterCommit = {};
  if (t.from === 'new') {
    const g = await lockGroup(tx, t.groupId, t.ref.windowMs);
    if (g && g.leaderId === t.alertId) {
      const escalation = t.escalation ?? g.escalation;
      const next = successor(g, (await earliestNewMember(tx, t.groupId, t.alertId))?.id);
      if (next) {
        const epoch = await setGroupLeader(tx, t.groupId, {
          leaderId: next,
          escalation,
          by: t.idempotencyKey,
          reTriggered: false,
        });
        const workflowId = await alertWorkflowIdOf(tx, next);
        if (workflowId)
          after.handOver = { workflowId, answer: { groupId: t.groupId, role: 'leader', epoch, escalation } };
      } else if (escalation) {
        // Nobody to carry it now: whoever joins or fires again next takes it on from here.
        await storeGroupEscalation(tx, t.groupId, escalation);
      }
    }
  }
  if (t.to === 'resolved') {
    const g = await lockGroup(tx, t.groupId, t.ref.windowMs);
    if (g && !g.closed && (await allGroupAlertsResolved(tx, t.groupId)))
      await closeGroup(tx, t.groupId, 'resolved', new Date(t.at));
  }
  const { answer } = await recordedRoleInTx(tx, t.alertId);
  return { answer, after };
}

/** Carries out, once committed, what a membership transaction decided. Safe to repeat. */
export async function afterCommit(
  workflows: WorkflowClient | undefined,
  taskQueue: string | undefined,
  after: AfterCommit,
): Promise<void> {
  if (!after.start && !after.handOver) return;
  if (!workflows || !taskQueue)
    throw new Error('grouping needs a workflow client in the activity dependencies');
  if (after.start) {
    const { groupId, ref, openedAt } = after.start;
    try {
      await workflows.start(GROUP_WORKFLOW_TYPE, {
        workflowId: groupRunWorkflowId(groupId),
        taskQueue,
        args: [
          {
            groupId,
            service: ref.service,
            groupKey: ref.groupKey,
            windowMs: ref.windowMs,
            membership: 'store',
            openedAt,
          } satisfies GroupInput,
        ],
        // One run per group ever: a retry, or a group whose workflow already finished, starts nothing.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  if (after.handOver) {
    try {
      await workflows.getHandle(after.handOver.workflowId).signal(groupLeadSignal, after.handOver.answer);
    } catch (err) {
      // Chosen as `new`, it cannot have finished; if it somehow has, its own records hold no escalation.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
}
