/**
 * Activities behind alert grouping: closing a quiet group; and, for alerts and groups that started before
 * membership was decided in Postgres, joining a group workflow (signal-with-start) and recording groups.
 */
import type { WorkflowClient } from '@temporalio/client';
import type pg from 'pg';
import { quietCloseAt } from '../domain/grouping';
import { inTransaction } from '../store/db';
import { closeGroup, lockGroup } from '../store/group-membership';
import { setAlertGroup, upsertGroup } from '../store/groups';
import { GROUP_WORKFLOW_TYPE, groupJoinSignal, groupWorkflowId, type GroupInput } from '../workflows/messages';

export interface GroupDeps {
  pool: pg.Pool;
  /** Workflow client used to open or join group workflows (grouping is off without one). */
  workflows?: WorkflowClient;
  taskQueue?: string;
}

/** Returns the grouping activities. */
export function createGroupActivities({ pool, workflows, taskQueue }: GroupDeps) {
  return {
    /**
     * Opens the group for this key or joins the open one; the group answers the alert with a signal.
     * Signal-with-start makes concurrent first alerts race safely: one opens it, the others join.
     */
    async joinGroup(input: { service: string; groupKey: string; windowMs: number; alertId: string; workflowId: string; groupId: string }): Promise<void> {
      if (!workflows || !taskQueue) throw new Error('grouping needs a workflow client in the activity dependencies');
      await workflows.signalWithStart(GROUP_WORKFLOW_TYPE, {
        workflowId: groupWorkflowId(input.service, input.groupKey),
        taskQueue,
        args: [{ groupId: input.groupId, service: input.service, groupKey: input.groupKey, windowMs: input.windowMs } satisfies GroupInput],
        signal: groupJoinSignal,
        signalArgs: [{ alertId: input.alertId, workflowId: input.workflowId }],
      });
    },

    /** Writes the group's record. */
    async recordGroup(input: {
      groupId: string;
      workflowId: string;
      service: string;
      groupKey: string;
      leaderId: string | null;
      alerts: number;
      openedAt: string;
      lastAt: string;
      closed: boolean;
      closeReason: 'resolved' | 'quiet' | null;
    }): Promise<void> {
      await upsertGroup(pool, { ...input, openedAt: new Date(input.openedAt), lastAt: new Date(input.lastAt) });
    },

    /**
     * Closes the group to new alerts if its window has passed at `now` (the group workflow's clock, the
     * one alerts are dated by); else returns when it would close, its window having been extended.
     */
    async closeGroupIfQuiet(input: { groupId: string; windowMs: number; now: number }): Promise<{ closed: true } | { closed: false; closesAt: number }> {
      return inTransaction(pool, async (tx) => {
        const g = await lockGroup(tx, input.groupId, input.windowMs);
        if (!g || g.closed) return { closed: true };
        const closesAt = quietCloseAt(g);
        if (input.now < closesAt) return { closed: false, closesAt };
        await closeGroup(tx, g.id, 'quiet', new Date(closesAt));
        return { closed: true };
      });
    },

    /** Records which group an alert joined (alerts of runs from before membership was decided in Postgres). */
    async recordAlertGroup(input: { alertId: string; groupId: string }): Promise<void> {
      await setAlertGroup(pool, input.alertId, input.groupId);
    },
  };
}
