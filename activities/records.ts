/** Activities that write the alert's durable record: the alert row, its audit trail, SLA marks. */
import type pg from 'pg';
import type { AlertState } from '../domain/lifecycle';
import type { SlaMark } from '../domain/sla';
import { applyTransition, insertAlert, recordOccurrence } from '../store/alerts';
import { insertAudit } from '../store/audit';
import { inTransaction } from '../store/db';
import { insertSlaEvent } from '../store/sla';
import type { AlertEvent } from '../workflows/messages';

export interface RecordAlertInput {
  alertId: string;
  workflowId: string;
  firstRunId: string;
  event: AlertEvent;
  triggeredAt: string;
  policy: { id: string; name: string } | null;
  ttaTargetMs: number;
  ttrTargetMs: number;
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

/** Returns the activities that write alert records. */
export function createRecordActivities(pool: pg.Pool) {
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
          policyId: input.policy?.id ?? null,
          policyName: input.policy?.name ?? null,
          ttaTargetMs: input.ttaTargetMs,
          ttrTargetMs: input.ttrTargetMs,
          integrationId: event.integrationId ?? null,
        });
        await insertAudit(tx, {
          alertId: input.alertId,
          action: 'trigger',
          fromState: null,
          toState: 'new',
          actor: `integration:${event.source}`,
          reason: input.policy ? `${event.summary} (policy ${input.policy.name})` : `${event.summary} (no escalation policy matched)`,
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

    /** Writes a timeline entry that is not a transition (note, escalate-now, escalation gaps), once. */
    async recordAuditEntry(input: { alertId: string; action: string; actor: string; reason: string; at: string; idempotencyKey: string }): Promise<void> {
      await insertAudit(pool, { ...input, fromState: null, toState: null, at: new Date(input.at) });
    },

    /** Records a repeat of the same event (dedup): count and last-seen time. */
    async recordOccurrence(input: { alertId: string; occurrences: number; lastSeenAt: string }): Promise<void> {
      await recordOccurrence(pool, input.alertId, input.occurrences, new Date(input.lastSeenAt));
    },

    /** Records an SLA mark once. */
    async recordSlaMark(input: { alertId: string; mark: SlaMark; deadline: string; firedAt: string }): Promise<void> {
      await insertSlaEvent(pool, { alertId: input.alertId, mark: input.mark, deadline: new Date(input.deadline), firedAt: new Date(input.firedAt) });
    },
  };
}
