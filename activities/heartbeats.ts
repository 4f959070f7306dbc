/**
 * Activities of heartbeat monitors' workflows: open the monitor's alert when a ping is overdue, resolve
 * it at the next ping, and keep Postgres's record of which monitors are overdue.
 */
import type { WorkflowClient } from '@temporalio/client';
import type pg from 'pg';
import { triggerAlert, signalAlertAction } from '../api/trigger';
import { heartbeatDedupKey, overdueSummary } from '../domain/heartbeat';
import { getHeartbeat, setHeartbeatOverdue } from '../store/heartbeats';
import type { HeartbeatConfig } from '../workflows/messages';

export interface HeartbeatDeps {
  pool: pg.Pool;
  workflows?: WorkflowClient;
  /** Where alerts are started and how they are planned (the API's settings, for the same alert). */
  alerting?: { taskQueue: string; slaAtRiskFraction: number; reopenWindowMs: number };
}

export function createHeartbeatActivities({ pool, workflows, alerting }: HeartbeatDeps) {
  return {
    /**
     * Opens (or, retried, repeats to) the monitor's alert, like any event with its own dedup key: the
     * escalation rules pick its policy, and a repeat never pages twice.
     */
    async heartbeatOverdue(
      input: HeartbeatConfig & { monitorId: string; lastPingAt: number | null; dueAt: number },
    ): Promise<{ gone: boolean }> {
      if (!workflows || !alerting)
        throw new Error(
          'heartbeat monitors need a workflow client and alerting settings in the activity dependencies',
        );
      // Deleted while Temporal could not be told: nothing to watch any more.
      if (!(await getHeartbeat(pool, input.monitorId))) return { gone: true };
      await triggerAlert(
        { pool, workflows, ...alerting },
        {
          summary: overdueSummary(input.name, input.intervalSeconds, input.lastPingAt),
          severity: input.severity,
          service: input.service,
          source: 'heartbeat',
          dedupKey: heartbeatDedupKey(input.monitorId),
          labels: { heartbeat: input.name },
          details: {
            monitor_id: input.monitorId,
            last_ping_at: input.lastPingAt === null ? null : new Date(input.lastPingAt).toISOString(),
            due_at: new Date(input.dueAt).toISOString(),
            interval_seconds: input.intervalSeconds,
            grace_seconds: input.graceSeconds,
          },
          links: [],
        },
      );
      await setHeartbeatOverdue(pool, input.monitorId, new Date(input.dueAt));
      return { gone: false };
    },

    /** Resolves the monitor's alert (a ping came, or the monitor was deleted: `at` null). */
    async heartbeatRecovered(input: {
      monitorId: string;
      name: string;
      service: string;
      dedupKey: string;
      at: number | null;
    }): Promise<void> {
      if (!workflows)
        throw new Error('heartbeat monitors need a workflow client in the activity dependencies');
      const actor =
        input.at === null ? `heartbeat "${input.name}" deleted` : `heartbeat "${input.name}" pinged`;
      await signalAlertAction(workflows, input.service, input.dedupKey, 'resolve', actor);
      await setHeartbeatOverdue(pool, input.monitorId, null);
    },
  };
}
