/**
 * What the record activities count and log once their write committed: new alerts (with the alert's
 * group role and whether anyone is paged for it), transitions with TTA/TTR, SLA marks. Each is called
 * only by the attempt whose write changed something, so a retried activity counts nothing twice.
 */
import { actorKind } from '../domain/actor-kind';
import type { SlaMark } from '../domain/sla';
import {
  alertsTriggered,
  alertsWithoutPolicy,
  alertTransitions,
  groupMembers,
  groupsOpened,
  slaMarks,
  timeToAcknowledge,
  timeToResolve,
} from '../runtime/metrics';
import type { AppliedTransition } from '../store/alerts';
import { activityLog } from './activity-log';
import type { RecordAlertInput, RecordTransitionInput } from './records';

/** What recording a new alert decided. */
export interface NewAlertFacts {
  /** Why nobody is paged for it, or null. */
  pagesNobody: string | null;
  /** For an alert with a group key: whether it opened its group or joined an open one. */
  group?: 'opened' | 'joined';
}

/** Returns how the alert came in: `api` (POST /alerts) or its integration's type. */
function sourceKind(event: RecordAlertInput['event']): string {
  if (!event.integrationId) return 'api';
  return event.integrationType ?? 'integration';
}

/** Counts a newly recorded alert. */
export function countNewAlert(input: RecordAlertInput, facts: NewAlertFacts): void {
  const { severity, service } = input.event;
  alertsTriggered.inc({ severity, service, source_kind: sourceKind(input.event) });
  if (facts.pagesNobody) alertsWithoutPolicy.inc({ severity, service });
  if (facts.group === 'opened') groupsOpened.inc();
  if (facts.group === 'joined') groupMembers.inc();
}

/** Counts an applied transition, with TTA when it was the alert's first response and TTR when it resolved it. */
export function countTransition(input: RecordTransitionInput, applied: AppliedTransition): void {
  alertTransitions.inc({ from: input.from, to: input.to, actor_kind: actorKind(input.actor) });
  if (applied.first_tta_ms !== null) timeToAcknowledge.observe({ severity: applied.severity }, applied.first_tta_ms / 1000);
  if (applied.ttr_ms !== null) timeToResolve.observe({ severity: applied.severity }, applied.ttr_ms / 1000);
}

/** Counts and logs an SLA mark the alert just hit. */
export function countSlaMark(alertId: string, mark: SlaMark, severity: string): void {
  const [target, ...rest] = mark.split('_');
  slaMarks.inc({ target: target!, mark: rest.join('_'), severity });
  activityLog(rest.join('_') === 'breached' ? 'warn' : 'info', `SLA ${mark.replace('_', ' ')}`, { alertId, mark, severity });
}
