/**
 * Delivering events to alert workflows, shared by POST /alerts and every ingest path. Signal-with-start
 * is atomic and durable: it opens the alert, or hands the event to the open alert with the same service
 * and dedup key, so concurrent duplicates can never open two. Once it returns, the event cannot be lost.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type WorkflowClient, type WorkflowHandle } from '@temporalio/client';
import type pg from 'pg';
import { pagesNobody } from '../domain/pages-nobody';
import type { Severity } from '../domain/severity';
import {
  ALERT_WORKFLOW_TYPE,
  AlertSeverityKey,
  AlertStateKey,
  ServiceKey,
  alertWorkflowId,
  integrationActionSignal,
  repeatOf,
  triggerSignal,
  type AlertEvent,
  type AlertInput,
  type TriggerRepeat,
} from '../workflows/messages';
import { planAlert, planFromMemory, type PlanReads } from './alert-plan';
import type { RecentAlerts } from './recent-alerts';
import { triggerHold } from './silence-holds';
import type { RepeatBatcher } from './repeat-batcher';

export interface TriggerDeps {
  pool: pg.Pool;
  workflows: WorkflowClient;
  taskQueue: string;
  slaAtRiskFraction: number;
  reopenWindowMs: number;
  /** The clock events are dated by when accepted (tests pass the time-skipping server's). */
  now?: () => number | Promise<number>;
  /** Cached planning reads (api/plan-cache.ts); absent: query the store. */
  plans?: PlanReads;
  /** Alerts this process delivered to lately: a repeat of one is tried as a plain signal first. */
  recent?: RecentAlerts;
  /** Repeats of one open alert sent together while a signal to it is in flight (see repeat-batcher.ts). */
  repeats?: RepeatBatcher;
}

export interface TriggerFields {
  summary: string;
  severity: Severity;
  service: string;
  source: string;
  dedupKey?: string;
  labels: Record<string, string>;
  details: Record<string, unknown>;
  links: { href: string; text?: string }[];
  group?: { key: string; windowMs: number };
  integrationId?: string;
  integrationType?: string;
  /** Repeats of this event it stands for (consecutive ones in one payload; default 1). */
  occurrences?: number;
}

/**
 * Starts or signals the alert workflow; returns its handle, the alert id it would get if new, the dedup
 * key, and, when it was planned here and no policy matched, why nobody will be paged for it.
 */
export async function triggerAlert(
  deps: TriggerDeps,
  f: TriggerFields,
): Promise<{ handle: WorkflowHandle; candidateId: string; dedupKey: string; workflowId: string; pagesNobody?: string }> {
  const dedupKey = f.dedupKey ?? randomUUID();
  const workflowId = alertWorkflowId(f.service, dedupKey);
  const { group, occurrences = 1, ...fields } = f;
  const acceptedAt = await (deps.now ?? Date.now)();
  const event: AlertEvent = { eventId: randomUUID(), ...fields, dedupKey, acceptedAt };
  // A repeat of an alert this process delivered to lately: a plain signal, nothing to plan. If the alert
  // has closed since, it is started anew below like any new one.
  const repeat = occurrences > 1 ? { ...repeatOf(event), count: occurrences } : repeatOf(event);
  const known = deps.recent?.has(workflowId) ?? false;
  const open = known ? await signalIfOpen(deps, workflowId, repeat) : undefined;
  if (open) return repeated(deps, open, dedupKey, workflowId);
  deps.recent?.delete(workflowId);
  // Policy and SLA targets are fixed now: editing them later never changes an alert in flight.
  const facts = { severity: f.severity, service: f.service, labels: f.labels };
  let plan = await planFromMemory(facts, deps.slaAtRiskFraction, deps.plans);
  if (plan === null && !known) {
    // Planning would query Postgres (a process just started, its listener down), and this may well be
    // a repeat of an alert another process (or this one, before a restart) opened: one that is open
    // needs no plan. Only if none is does the event open one, planned from the store.
    const running = await signalIfOpen(deps, workflowId, repeat);
    if (running) return repeated(deps, running, dedupKey, workflowId);
  }
  plan ??= await planAlert(deps.pool, facts, deps.slaAtRiskFraction, deps.plans);
  // A silence holding (or about to hold) the alert: its workflow holds the pages until its end.
  const silence = await triggerHold(deps.pool, deps.plans, facts, acceptedAt);
  const candidateId = randomUUID();
  const handle = await deps.workflows.signalWithStart(ALERT_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: deps.taskQueue,
    args: [{ alertId: candidateId, event, ...plan, reopenWindowMs: deps.reopenWindowMs, ...(group ? { group } : {}), ...(silence ? { silence } : {}) } satisfies AlertInput],
    signal: triggerSignal,
    // Started, the workflow has the event in its input (and counts the rest of `count` from the signal);
    // running, it needs only the repeat.
    signalArgs: [repeat],
    memo: { alertId: candidateId },
    typedSearchAttributes: [
      { key: AlertStateKey, value: 'new' },
      { key: AlertSeverityKey, value: f.severity },
      { key: ServiceKey, value: f.service },
    ],
  });
  deps.recent?.add(workflowId);
  const nobody = pagesNobody({ service: f.service, severity: f.severity, hasPolicy: plan.policy !== null, groupRole: group ? 'undecided' : null });
  return { handle, candidateId, dedupKey, workflowId, ...(nobody ? { pagesNobody: nobody } : {}) };
}

/** What triggerAlert returns for an event delivered to an open alert as a repeat. */
function repeated(deps: Pick<TriggerDeps, 'recent'>, handle: WorkflowHandle, dedupKey: string, workflowId: string) {
  deps.recent?.add(workflowId);
  // Not a new alert, so no candidate id can be the one it got.
  return { handle, candidateId: randomUUID(), dedupKey, workflowId };
}

/**
 * Signals a trigger to the running alert with this workflow id; returns its handle, or undefined when
 * there is none (it closed): the caller then plans and starts it. To a running alert this is exactly
 * what signal-with-start would do, without the start input (event and policy snapshot) or the planning.
 */
async function signalIfOpen(deps: Pick<TriggerDeps, 'workflows' | 'repeats'>, workflowId: string, repeat: TriggerRepeat): Promise<WorkflowHandle | undefined> {
  const open = deps.repeats ? await deps.repeats.deliver(workflowId, repeat) : await signalRepeat(deps.workflows, workflowId, repeat);
  return open ? deps.workflows.getHandle(workflowId) : undefined;
}

/** Signals one repeat to the running alert with this workflow id; false when there is none. */
export async function signalRepeat(workflows: WorkflowClient, workflowId: string, repeat: TriggerRepeat): Promise<boolean> {
  try {
    await workflows.getHandle(workflowId).signal(triggerSignal, repeat);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * Signals an acknowledge or resolve from a monitoring system to the open alert with this key. Returns
 * false when there is none (PagerDuty semantics: accepted and dropped). A signal is durable at once and
 * needs no worker; a transition the alert's state refuses is ignored by the workflow.
 */
export async function signalAlertAction(
  workflows: WorkflowClient,
  service: string,
  dedupKey: string,
  action: 'acknowledge' | 'resolve',
  actor: string,
): Promise<boolean> {
  try {
    await workflows.getHandle(alertWorkflowId(service, dedupKey)).signal(integrationActionSignal, { action, actor, eventId: randomUUID() });
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
