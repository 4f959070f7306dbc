/** Activities that write the alert's durable record: the alert row, its audit trail, SLA marks. */
import type { WorkflowClient } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type pg from 'pg';
import type { GroupEscalation, GroupRef, GroupRoleAnswer } from '../domain/grouping';
import type { AlertState } from '../domain/lifecycle';
import { pagesNobody } from '../domain/pages-nobody';
import type { SlaMark } from '../domain/sla';
import { toStorable } from '../domain/storable-text';
import { applyTransition, insertAlert, recordOccurrence, type AppliedTransition, type NewAlert } from '../store/alerts';
import { alertsDeduplicated } from '../runtime/metrics';
import { insertAudit, type AuditEntry } from '../store/audit';
import { isDataError } from '../store/data-errors';
import { inTransaction, type Queryable } from '../store/db';
import { insertSlaEvent } from '../store/sla';
import type { AlertEvent } from '../workflows/messages';
import { countNewAlert, countSlaMark, countTransition, type NewAlertFacts } from './record-metrics';
import { afterCommit, groupTransitionInTx, joinGroupInTx, recordedRoleInTx, type AfterCommit } from './group-membership';

export interface RecordAlertInput {
  alertId: string;
  workflowId: string;
  firstRunId: string;
  event: AlertEvent;
  triggeredAt: string;
  policy: { id: string; name: string } | null;
  ttaTargetMs: number;
  ttrTargetMs: number;
  /** The alert's group key: it joins (or opens) its group in the transaction that records it. */
  group?: GroupRef;
  /** The workflow's clock when it recorded the alert (after `triggeredAt` behind a backlog). */
  recordedAt?: string;
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
  /** For an alert in a group: which, and where its escalation stood if it led the group and left `new`. */
  group?: { groupId: string; ref: GroupRef; escalation?: GroupEscalation };
}

export interface RecordDeps {
  pool: pg.Pool;
  /** Starts group workflows and tells an alert it leads its group (grouping is off without it). */
  workflows?: WorkflowClient;
  taskQueue?: string;
}

/**
 * Returns the `pages_nobody` entry for the timeline of a just-recorded alert that nobody will be paged
 * for (it has no policy, and no group escalation applies: it does not follow a leader, nor carry its
 * group's escalation on), with the reason; undefined when someone will be. Written with the record, so
 * the mark and the record are one; GET /stats/noise counts these.
 */
function pagesNobodyEntry(input: RecordAlertInput, group: GroupRoleAnswer | undefined): { reason: string; entry: AuditEntry } | undefined {
  const { event } = input;
  const reason = pagesNobody({
    service: event.service,
    severity: event.severity,
    hasPolicy: input.policy !== null || !!group?.escalation,
    groupRole: group?.role ?? null,
  });
  if (!reason) return undefined;
  return {
    reason,
    entry: {
      alertId: input.alertId,
      action: 'pages_nobody',
      fromState: null,
      toState: null,
      actor: SYSTEM,
      reason: `nobody is paged for this alert: ${reason}`,
      at: new Date(input.triggeredAt),
      idempotencyKey: `pages_nobody:${input.alertId}`,
    },
  };
}

const SYSTEM = 'system:klaxon';

/** The failure type of a write Postgres refuses for one of its values even with unstorable text replaced. */
export const UNSTORABLE_RECORD = 'UnstorableRecord';

/**
 * Returns what write(input) returns, having first replaced every string of input Postgres cannot hold
 * (NUL, lone surrogates: domain/storable-text.ts) with U+FFFD and passed the paths replaced, so that the
 * write can say so on the timeline. The API refuses such text at its edge; an event from before that
 * guard, or from a path that bypasses it, is still recorded (and paged) rather than retried for ever.
 * Replaced before the first try, not after Postgres refuses it: pg encodes a lone surrogate in a `text`
 * parameter as U+FFFD without an error, which would leave the replacement off the timeline.
 * A data error that remains (SQLSTATE class 22: the same write fails every time) fails for good; any
 * other error, such as Postgres being unreachable, is thrown as it is and retried.
 */
async function writeStorable<I, R>(original: I, write: (input: I, replaced: string[]) => Promise<R>): Promise<R> {
  const { value, replaced } = toStorable(original, '');
  try {
    return await write(value, replaced);
  } catch (err) {
    if (!isDataError(err)) throw err;
    throw ApplicationFailure.create({
      type: UNSTORABLE_RECORD,
      message: `Postgres refuses a value of this record: ${(err as Error).message}`,
      nonRetryable: true,
      cause: err as Error,
    });
  }
}

/**
 * Returns the timeline entry that says which fields of `entry`'s write had text replaced, keyed on it
 * (so written once); none when nothing was replaced.
 */
function replacedEntries(entry: Pick<AuditEntry, 'alertId' | 'at' | 'idempotencyKey'>, replaced: string[]): AuditEntry[] {
  if (replaced.length === 0) return [];
  return [
    {
      alertId: entry.alertId,
      action: 'text_replaced',
      fromState: null,
      toState: null,
      actor: SYSTEM,
      reason: `Postgres cannot store NUL or lone UTF-16 surrogates; replaced them with U+FFFD in: ${shownPaths(replaced)}`,
      at: entry.at,
      idempotencyKey: `${entry.idempotencyKey}:text_replaced`,
    },
  ];
}

/** Writes the entry of replacedEntries, if any. */
async function noteReplaced(db: Queryable, entry: Pick<AuditEntry, 'alertId' | 'at' | 'idempotencyKey'>, replaced: string[]): Promise<void> {
  for (const e of replacedEntries(entry, replaced)) await insertAudit(db, e);
}

/** Returns the paths as a list short enough for a timeline entry. */
function shownPaths(paths: string[], max = 20): string {
  const shown = paths.slice(0, max).join(', ');
  return paths.length > max ? `${shown} and ${paths.length - max} more` : shown;
}

/** Returns the activities that write alert records. */
export function createRecordActivities({ pool, workflows, taskQueue }: RecordDeps) {
  return {
    /** Writes the alert record and its `trigger` audit entry, once; an alert with a group key joins its group. */
    async recordAlert(original: RecordAlertInput): Promise<GroupRoleAnswer | undefined> {
      return writeStorable(original, async (input, replaced) => {
        const { event } = input;
        const at = new Date(input.triggeredAt);
        const alert: NewAlert = {
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
        };
        const trigger = { alertId: input.alertId, at, idempotencyKey: `trigger:${event.eventId}` };
        const timeline: AuditEntry[] = [
          {
            ...trigger,
            action: 'trigger',
            fromState: null,
            toState: 'new',
            actor: `integration:${event.source}`,
            reason: input.policy ? `${event.summary} (policy ${input.policy.name})` : `${event.summary} (no escalation policy matched)`,
          },
          // Named as the alert's fields are (summary, labels.env), not as the activity's input.
          ...replacedEntries(trigger, replaced.map((path) => path.replace(/^event\./, ''))),
        ];
        if (!input.group) {
          // Without a group nothing else is decided: the record and its whole timeline are one statement.
          const nobody = pagesNobodyEntry(input, undefined);
          const inserted = await insertAlert(pool, alert, nobody ? [...timeline, nobody.entry] : timeline);
          // Only by the attempt that inserted the alert, so a retry counts nothing twice.
          if (inserted) countNewAlert(input, { pagesNobody: nobody?.reason ?? null });
          return undefined;
        }
        const group = input.group;
        let answer: GroupRoleAnswer | undefined;
        let after: AfterCommit = {};
        // Set only by the attempt that inserted the alert, so a retry counts nothing twice.
        let recorded: NewAlertFacts | undefined;
        await inTransaction(pool, async (tx) => {
          if (await insertAlert(tx, alert, timeline)) {
            ({ answer, after } = await joinGroupInTx(tx, input.alertId, group, at.getTime(), input.recordedAt ? Date.parse(input.recordedAt) : at.getTime()));
            const nobody = pagesNobodyEntry(input, answer);
            if (nobody) await insertAudit(tx, nobody.entry);
            recorded = { pagesNobody: nobody?.reason ?? null, group: after.start ? 'opened' : 'joined' };
          } else {
            // A retry of a commit that went through: the role is what was recorded; the group may still need its workflow.
            ({ answer, after } = await recordedRoleInTx(tx, input.alertId));
            if (answer?.role === 'leader') after.start = { groupId: answer.groupId, ref: group, openedAt: at.getTime() };
          }
        });
        if (recorded) countNewAlert(input, recorded);
        await afterCommit(workflows, taskQueue, after);
        return answer;
      });
    },

    /**
     * Writes one transition to the audit trail and the alert record, once per idempotency key; for an alert
     * in a group, applies it to the group too and returns the alert's role afterwards.
     */
    async recordTransition(original: RecordTransitionInput): Promise<GroupRoleAnswer | undefined> {
      return writeStorable(original, async (input, replaced) => {
        const at = new Date(input.at);
        let answer: GroupRoleAnswer | undefined;
        let after: AfterCommit = {};
        let changed: AppliedTransition | undefined;
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
          await noteReplaced(tx, { alertId: input.alertId, at, idempotencyKey: input.idempotencyKey }, replaced);
          const applied = await applyTransition(tx, { alertId: input.alertId, to: input.to, stateVersion: input.stateVersion, at });
          if (applied) changed = applied;
          const { group } = input;
          if (!group) return;
          const change = { alertId: input.alertId, groupId: group.groupId, ref: group.ref, from: input.from, to: input.to, at: at.getTime() };
          // Not applied: a retry of a commit that went through, or a later transition was recorded first.
          ({ answer, after } = applied
            ? await groupTransitionInTx(tx, { ...change, escalation: group.escalation, idempotencyKey: input.idempotencyKey })
            : await recordedRoleInTx(tx, input.alertId, input.idempotencyKey));
        });
        if (changed) countTransition(input, changed);
        await afterCommit(workflows, taskQueue, after);
        return answer;
      });
    },

    /** Writes a timeline entry that is not a transition (note, escalate-now, escalation gaps), once. */
    async recordAuditEntry(original: { alertId: string; action: string; actor: string; reason: string; at: string; idempotencyKey: string }): Promise<void> {
      await writeStorable(original, async (input, replaced) => {
        const entry = { ...input, fromState: null, toState: null, at: new Date(input.at) };
        if (replaced.length === 0) return void (await insertAudit(pool, entry));
        await inTransaction(pool, async (tx) => {
          await insertAudit(tx, entry);
          await noteReplaced(tx, entry, replaced);
        });
      });
    },

    /** Records a repeat of the same event (dedup): count and last-seen time. */
    async recordOccurrence(input: { alertId: string; occurrences: number; lastSeenAt: string }): Promise<void> {
      const added = await recordOccurrence(pool, input.alertId, input.occurrences, new Date(input.lastSeenAt));
      if (added) alertsDeduplicated.inc({ severity: added.severity, service: added.service }, added.count);
    },

    /** Records an SLA mark once. */
    async recordSlaMark(input: { alertId: string; mark: SlaMark; deadline: string; firedAt: string }): Promise<void> {
      const recorded = await insertSlaEvent(pool, { alertId: input.alertId, mark: input.mark, deadline: new Date(input.deadline), firedAt: new Date(input.firedAt) });
      if (recorded) countSlaMark(input.alertId, input.mark, recorded.severity);
    },
  };
}
