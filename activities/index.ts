/**
 * Activities: thin, idempotent wrappers over store/ (and, later, the notifiers). Each takes business
 * ids so that a retry after a crash repeats nothing: rows are keyed, writes are guarded.
 */
import type pg from 'pg';
import type { AlertState } from '../domain/lifecycle';
import { inTransaction } from '../store/db';
import { applyTransition, insertAlert } from '../store/alerts';
import { insertAudit } from '../store/audit';
import type { AlertEvent } from '../workflows/messages';

export interface ActivityDeps {
  pool: pg.Pool;
}

export interface RecordAlertInput {
  alertId: string;
  workflowId: string;
  firstRunId: string;
  event: AlertEvent;
  triggeredAt: string;
}

export interface RecordTransitionInput {
  alertId: string;
  action: string;
  from: AlertState;
  to: AlertState;
  stateVersion: number;
  actor: string;
  reason?: string;
  at: string;
  idempotencyKey: string;
}

/** Returns the activity implementations bound to their dependencies. */
export function createActivities({ pool }: ActivityDeps) {
  return {
    /** Writes the alert record and its `trigger` audit entry, once. */
    async recordAlert(input: RecordAlertInput): Promise<void> {
      const { event } = input;
      const at = new Date(input.triggeredAt);
      await inTransaction(pool, async (tx) => {
        await insertAlert(tx, {
          id: input.alertId,
          workflowId: input.workflowId,
          firstRunId: input.firstRunId,
          dedupKey: event.dedupKey,
          summary: event.summary,
          severity: event.severity,
          service: event.service,
          source: event.source,
          labels: event.labels,
          details: event.details,
          links: event.links,
          triggeredAt: at,
        });
        await insertAudit(tx, {
          alertId: input.alertId,
          action: 'trigger',
          fromState: null,
          toState: 'new',
          actor: `integration:${event.source}`,
          reason: event.summary,
          at,
          idempotencyKey: `trigger:${event.eventId}`,
        });
      });
    },

    /** Writes one transition to the audit trail and the alert record, once per idempotency key. */
    async recordTransition(input: RecordTransitionInput): Promise<void> {
      const at = new Date(input.at);
      await inTransaction(pool, async (tx) => {
        await insertAudit(tx, {
          alertId: input.alertId,
          action: input.action,
          fromState: input.from,
          toState: input.to,
          actor: input.actor,
          reason: input.reason ?? null,
          at,
          idempotencyKey: input.idempotencyKey,
        });
        await applyTransition(tx, { alertId: input.alertId, to: input.to, stateVersion: input.stateVersion, at });
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
