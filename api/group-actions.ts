/**
 * Acting on a group as one incident, shared by POST /groups/:id/{acknowledge,resolve} and by answers to
 * a group's pages (SMS reply, email link): acknowledging the page acknowledges the group, so its
 * escalation stops and alerts that join it later page nobody. Membership lives in Postgres, so a group
 * that takes no more alerts (its window passed) can still be acted on while any alert of it is open.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type WorkflowClient } from '@temporalio/client';
import type pg from 'pg';
import { acknowledgeGroup, groupAlertsIn } from '../store/group-membership';
import type { AlertRow } from '../store/alerts';
import { integrationActionSignal } from '../workflows/messages';
import { runAlertAction, type ActionOutcome, type AlertAction } from './alert-actions';
import type { TransitionRequest } from '../workflows/messages';

// Signals in flight at once while acting on a large group: bounded, so one request cannot flood Temporal.
// The leader goes first: its escalation is the one paging, so it stops before the rest are told.
const FAN_OUT = 16;

/** Which alerts an action on the group moves. */
const STATES_FOR: Record<'acknowledge' | 'resolve', string[]> = {
  acknowledge: ['new'],
  resolve: ['new', 'acknowledged', 'investigating'],
};

/**
 * Acknowledges or resolves the group's open alerts (acknowledge: marking the group acknowledged first,
 * so the escalation is not handed to an alert about to be acknowledged). Returns how many alerts it
 * signalled, or undefined if there is no such group.
 */
export async function actOnGroup(
  deps: { pool: pg.Pool; workflows: WorkflowClient },
  groupId: string,
  action: 'acknowledge' | 'resolve',
  actor: string,
  opts: { except?: string } = {},
): Promise<number | undefined> {
  if (action === 'acknowledge' && !(await acknowledgeGroup(deps.pool, groupId, actor))) return undefined;
  const alerts = (await groupAlertsIn(deps.pool, groupId, STATES_FOR[action])).filter(
    (a) => a.id !== opts.except,
  );
  const batch = randomUUID();
  let next = 0;
  const worker = async () => {
    while (next < alerts.length) {
      const a = alerts[next++]!;
      // The alert acts as if its source sent it; one that finished meanwhile has nothing left to do.
      await deps.workflows
        .getHandle(a.workflow_id)
        .signal(integrationActionSignal, {
          action,
          actor,
          eventId: `group:${groupId}:${action}:${a.id}:${batch}`,
        })
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
    }
  };
  await Promise.all(Array.from({ length: Math.min(FAN_OUT, alerts.length) }, worker));
  return alerts.length;
}

/**
 * Answers a page (SMS reply, email link) with `action` on the alert paged. An alert in a group paged
 * for the group: acknowledge and resolve act on the whole group, and escalate-now escalates the alert
 * that leads it. The outcome is the paged alert's (or the leader's, for escalate).
 */
export async function answerPage(
  deps: { pool: pg.Pool; workflows: WorkflowClient },
  row: AlertRow,
  action: AlertAction,
  request: TransitionRequest,
  opts: { updateId?: string } = {},
): Promise<ActionOutcome> {
  const groupId = row.group_id;
  if (!groupId) return runAlertAction(deps.workflows, row, action, request, opts);
  if (action === 'escalate') {
    const { rows } = await deps.pool.query<AlertRow>(
      'select a.* from alert_groups g join alerts a on a.id = g.leader_id where g.id = $1',
      [groupId],
    );
    return runAlertAction(deps.workflows, rows[0] ?? row, action, request, opts);
  }
  if (action !== 'acknowledge' && action !== 'resolve')
    return runAlertAction(deps.workflows, row, action, request, opts);
  if (action === 'acknowledge') await acknowledgeGroup(deps.pool, groupId, request.actor);
  const outcome = await runAlertAction(deps.workflows, row, action, request, opts);
  // The responder meant the incident: its other alerts are acknowledged even if this one was already.
  if (outcome.ok || action === 'acknowledge')
    await actOnGroup(deps, groupId, action, request.actor, { except: row.id });
  return outcome;
}
