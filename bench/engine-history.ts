/**
 * What an alert costs the engine, read from its workflow history: the events and workflow tasks until
 * its first page (up to the workflow task that followed the first page activity's completion), and for
 * a quiet alert the whole history once it waits. The counting is pure; fetching goes through the client.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const E = temporal.api.enums.v1.EventType;

/** The activities that send a page: one per target (sendPage), or a tier resolved and sent in one (pageTargets). */
export const PAGE_ACTIVITY_TYPES: readonly string[] = ['sendPage', 'pageTargets'];

/** One history event, as much of it as the counting needs. */
export interface HistoryStep {
  id: number;
  type: 'task-completed' | 'activity-scheduled' | 'activity-completed' | 'other';
  /** Activity type of a scheduled activity. */
  activity?: string;
  /** The scheduled event a completed activity answers. */
  scheduledId?: number;
}

export interface EngineCost {
  events: number;
  workflowTasks: number;
}

/**
 * Returns the events and workflow tasks up to and including the workflow task completed after the
 * first page activity completed, or undefined when no page activity completed and was followed by one.
 */
export function costToFirstPage(
  steps: readonly HistoryStep[],
  pageTypes = PAGE_ACTIVITY_TYPES,
): EngineCost | undefined {
  const pageScheduled = new Set(
    steps
      .filter((s) => s.type === 'activity-scheduled' && pageTypes.includes(s.activity ?? ''))
      .map((s) => s.id),
  );
  const paged = steps.findIndex(
    (s) => s.type === 'activity-completed' && pageScheduled.has(s.scheduledId ?? -1),
  );
  if (paged < 0) return undefined;
  const end = steps.findIndex((s, i) => i > paged && s.type === 'task-completed');
  return end < 0 ? undefined : costOf(steps.slice(0, end + 1));
}

/** Returns the events and the workflow tasks completed in the steps. */
export function costOf(steps: readonly HistoryStep[]): EngineCost {
  return { events: steps.length, workflowTasks: steps.filter((s) => s.type === 'task-completed').length };
}

/** Returns the workflow's history (its latest run) as steps. */
export async function historySteps(client: Client, workflowId: string): Promise<HistoryStep[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((e): HistoryStep => {
    const id = Number(e.eventId ?? 0);
    switch (e.eventType) {
      case E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        return { id, type: 'task-completed' };
      case E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        return {
          id,
          type: 'activity-scheduled',
          activity: e.activityTaskScheduledEventAttributes?.activityType?.name ?? '',
        };
      case E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        return {
          id,
          type: 'activity-completed',
          scheduledId: Number(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? 0),
        };
      default:
        return { id, type: 'other' };
    }
  });
}
