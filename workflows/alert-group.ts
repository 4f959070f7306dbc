/**
 * An alert's part in its group. The group is one incident: the alert leading it pages for it, and when
 * it stops escalating (acknowledged alone, resolved) the store hands the escalation to the earliest
 * alert still `new`, which goes on from where it stood. Roles come from the store, in the same commit
 * that records the alert or its transition, and from hand-over signals; `epoch` keeps the newest.
 *
 * Alerts whose runs began before membership moved to Postgres keep the old protocol (join by signal,
 * wait for the group's answer, report resolved/reopened), below under "legacy".
 */
import {
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { takesAnswer, type GroupEscalation, type GroupRef, type GroupRoleAnswer } from '../domain/grouping';
import type { AlertContext } from './alert-context';
import { activePolicy } from './alert-state';
import { groupMemberStateSignal, groupWorkflowId } from './messages';

const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Returns the alert's group key and window as the store takes them, or undefined for an ungrouped alert. */
export function groupRefOf(ctx: AlertContext): GroupRef | undefined {
  const { group, event } = ctx.input;
  return group && { service: event.service, groupKey: group.key, windowMs: group.windowMs };
}

/** Returns where the alert's escalation stands if it leads its group (what a successor goes on from). */
export function leadingEscalation(ctx: AlertContext): GroupEscalation | undefined {
  const { rt, input } = ctx;
  const policy = activePolicy(input, rt);
  if (rt.group?.role !== 'leader' || !policy) return undefined;
  return { policy, cursor: rt.cursor, lastFired: rt.lastFired };
}

/** Takes a role answer unless a newer one is known; a leader handed the escalation goes on from where it stood. */
export function takeRole(ctx: AlertContext, answer: GroupRoleAnswer, from: 'store' | 'handover'): void {
  const { rt } = ctx;
  const current = rt.group && { ...rt.group, epoch: rt.group.epoch ?? 0, escalation: null };
  if (!takesAnswer(current, answer, from)) return;
  // The same answer again (a retried activity, a repeated signal) must not wind the escalation back.
  const alreadyLeading =
    current?.groupId === answer.groupId && current.epoch === answer.epoch && current.role === 'leader';
  rt.group = { groupId: answer.groupId, role: answer.role, epoch: answer.epoch };
  if (answer.role !== 'leader' || !answer.escalation || alreadyLeading || rt.state !== 'new') return;
  const { policy, cursor, lastFired } = answer.escalation;
  rt.groupPolicy = policy;
  rt.cursor = cursor;
  rt.lastFired = lastFired;
  const next = cursor ? `tier ${cursor.tier + 1} (loop ${cursor.loop + 1}) next` : 'every tier has fired';
  ctx.track(
    ctx.audit(
      'group_lead',
      `carries the escalation of group ${answer.groupId} on (${next}): the alert that led it stopped escalating`,
    ),
  );
}

/** Writes the member's timeline entry. */
export function noteMembership(ctx: AlertContext): void {
  const { rt } = ctx;
  if (rt.group?.role === 'member')
    ctx.track(
      ctx.audit(
        'grouped',
        `joined group ${rt.group.groupId}: the alert leading it pages for the group, this one does not`,
      ),
    );
}

// --- legacy: runs from before membership moved to Postgres ------------------------------------------

/**
 * Opens or joins the alert's group workflow and waits for its answer: lead (page) or follow (stay quiet).
 * If the group never answers, the alert pages rather than stay silent.
 */
export async function legacyJoinGroup(ctx: AlertContext): Promise<void> {
  const { input, rt } = ctx;
  if (!input.group) return;
  const info = workflowInfo();
  await store.joinGroup({
    service: input.event.service,
    groupKey: input.group.key,
    windowMs: input.group.windowMs,
    alertId: input.alertId,
    workflowId: info.workflowId,
    groupId: uuid4(),
  });
  if (await condition(() => rt.group !== null, '1 minute')) {
    await store.recordAlertGroup({ alertId: input.alertId, groupId: rt.group!.groupId });
    if (rt.group!.role === 'member')
      ctx.track(
        ctx.audit('grouped', `joined group ${rt.group!.groupId}: its first alert pages, this one does not`),
      );
  }
}

/** Tells the alert's group whether it is resolved, so the group can close once all its alerts are. */
export function legacyReportToGroup(ctx: AlertContext): void {
  const { input, rt } = ctx;
  if (!rt.group || !input.group) return;
  const report = {
    groupId: rt.group.groupId,
    alertId: input.alertId,
    resolved: rt.state === 'resolved',
    version: rt.stateVersion,
  };
  // The group may have closed already (its window passed); then there is nobody left to tell.
  ctx.track(
    getExternalWorkflowHandle(groupWorkflowId(input.event.service, input.group.key))
      .signal(groupMemberStateSignal, report)
      .catch(() => undefined),
  );
}
