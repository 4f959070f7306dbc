/**
 * Every message an alert workflow understands, its input and views, and the id builder. Wire names are
 * part of the contract with running executions: never rename one, add a new one instead.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { EscalationPolicy, ShownTarget, Target } from '../domain/escalation';
import type { GroupRoleAnswer } from '../domain/grouping';
import type { AlertState, TransitionAction } from '../domain/lifecycle';
import type { AlertRuntime } from './alert-state';
import type { SlaDeadlines, SlaMark, SlaStatus, SlaTargets } from '../domain/sla';
import type { Severity } from '../domain/severity';

/** The workflow type new alerts start as (workflows/alert.ts). */
export const ALERT_WORKFLOW_TYPE = 'alert';
/**
 * The type alerts started as before the lean alert: still registered, so runs of it (and the runs they
 * continue as) go on replaying the code they began with, workflows/legacy/. Never started anew.
 */
export const LEGACY_ALERT_WORKFLOW_TYPE = 'alertWorkflow';

/**
 * Returns the task queue pages go out on, beside the alerts' own: in a storm thousands of alerts queue
 * their records there, and a page must not wait behind them. Every worker polls both.
 */
export function pagesTaskQueue(taskQueue: string): string {
  return `${taskQueue}-pages`;
}

/** Custom search attributes, registered on every Temporal server Klaxon runs against. */
export const AlertStateKey = defineSearchAttributeKey('AlertState', SearchAttributeType.KEYWORD);
export const AlertSeverityKey = defineSearchAttributeKey('AlertSeverity', SearchAttributeType.KEYWORD);
export const ServiceKey = defineSearchAttributeKey('Service', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTE_KEYS = [AlertStateKey, AlertSeverityKey, ServiceKey];

/** One event from a monitoring system, as the API accepted it. */
export interface AlertEvent {
  /** Unique per received event; lets the workflow tell its starting event from later duplicates. */
  eventId: string;
  summary: string;
  severity: Severity;
  service: string;
  source: string;
  dedupKey: string;
  labels: Record<string, string>;
  details: Record<string, unknown>;
  links: { href: string; text?: string }[];
  /** The integration the event came in through (absent for POST /alerts). */
  integrationId?: string;
  /** Its type (alertmanager, pagerduty, generic, anomaly): what the alert counts as in the metrics. */
  integrationType?: string;
  /**
   * When the API accepted the event (epoch ms, its clock): the alert is triggered then, and its tiers and
   * SLA deadlines count from then, however long a worker backlog kept the workflow from running.
   */
  acceptedAt?: number;
}

export interface AlertInput {
  alertId: string;
  event: AlertEvent;
  /** The matched policy, snapshotted: later edits of the stored policy never reach this alert. */
  policy: EscalationPolicy | null;
  /** SLA targets in force at trigger time, and the fraction at which an alert is "at risk". */
  sla: { targets: SlaTargets; atRiskFraction: number };
  /** How long a resolved alert stays open for a reopen before the workflow completes (default 30 min). */
  reopenWindowMs?: number;
  /** Alerts with the same group key within the window form one group; only its first alert pages. */
  group?: { key: string; windowMs: number };
  /**
   * Set when the alert continued as new (a long-lived, often reopened alert): its state so far. The new
   * run neither records nor groups the alert again; it picks up where the last one stopped.
   */
  resume?: AlertRuntime;
  /** History length past which an alert continues as new at its next quiet point (default 10,000 events; tests lower it). */
  historyLimit?: number;
  /** Updates and signals per run past which it continues as new (defaults 500 and 2,000; tests lower them). */
  runLimits?: { updates?: number; signals?: number };
  /** The silence (holding now, or the next to start) that matched the alert when it was triggered. */
  silence?: SilenceHold;
}

/** A silence as an alert holds it: no tier and no SLA page fires from `from` (epoch ms) until `until`. */
export interface SilenceHold {
  id: string;
  from: number;
  until: number;
  /** Why, as its creator gave it: on the alert's timeline. */
  reason: string;
  /** A recurring silence's next occurrences (epoch ms), held in turn once this one ends. */
  then?: { from: number; until: number }[];
}

export const DEFAULT_REOPEN_WINDOW_MS = 30 * 60 * 1000;

/** Who asked for a transition and why. */
export interface TransitionRequest {
  actor: string;
  reason?: string;
}

export interface TransitionResult {
  alertId: string;
  from: AlertState;
  to: AlertState;
  at: string;
}

export interface NotificationView {
  key: string;
  kind: 'page' | 'sla_at_risk' | 'sla_breached';
  cycle: number;
  loop: number | null;
  tier: number | null;
  /** Webhook secrets are never in the view (older runs may still carry them; the API hides those). */
  target: Target | ShownTarget;
  channel: 'email' | 'sms' | 'webhook' | 'voice';
  address: string;
  status: 'sending' | 'sent' | 'failed' | 'cancelled';
  error?: string;
  at: string;
}

/** The live view of an alert, answered by the workflow itself. */
export interface AlertView {
  alertId: string;
  state: AlertState;
  severity: Severity;
  service: string;
  occurrences: number;
  triggeredAt: string;
  lastSeenAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  escalation: {
    policy: { id: string; name: string } | null;
    /** Bumped each time the alert returns to `new` and escalation restarts. */
    cycle: number;
    /** The tier that fires next (null once every loop has run, or while not `new`). */
    next: { loop: number; tier: number; at: string } | null;
    lastFired: { loop: number; tier: number; at: string } | null;
  };
  sla: {
    targets: SlaTargets;
    deadlines: Record<SlaMark, string>;
    fired: SlaMark[];
    tta: SlaStatus;
    ttr: SlaStatus;
  };
  notifications: NotificationView[];
  group: { groupId: string; role: 'leader' | 'member' } | null;
  /** While snoozed: when it goes back to `new` and escalates again. */
  snoozedUntil?: string;
  /** While a silence holds the alert: when it ends (and, if still new, escalation starts from tier 1). */
  silencedUntil?: string;
}

export type { SlaDeadlines };

/**
 * What a repeat of an open alert carries: what the workflow uses of it, not the whole event (whose
 * details may be 512 KB, and a few hundred such repeats would fill a run's history). Runs from before
 * received whole events and read only these fields.
 */
export type TriggerRepeat = Pick<AlertEvent, 'eventId' | 'summary' | 'source' | 'severity' | 'acceptedAt'> & {
  /** Repeats sent together as this one signal (default 1); runs from before count each signal once. */
  count?: number;
};

/** Returns the repeat an event sends to an open alert. */
export function repeatOf(event: AlertEvent): TriggerRepeat {
  return { eventId: event.eventId, summary: event.summary, source: event.source, severity: event.severity, ...(event.acceptedAt === undefined ? {} : { acceptedAt: event.acceptedAt }) };
}

export const triggerSignal = defineSignal<[TriggerRepeat]>('trigger');
/**
 * A lifecycle action as a signal: durable without a worker, never refused (one the state does not allow is
 * ignored). Sent by monitoring systems (acknowledge, resolve), by group actions, and by the API for a
 * person's action when no worker answered its Update in time. `reason` is absent in signals from before.
 */
export const integrationActionSignal = defineSignal<[{ action: TransitionAction; actor: string; eventId: string; reason?: string }]>('integrationAction');
export const viewQuery = defineQuery<AlertView>('view');
/** Completes once the alert's record is in Postgres; lets the API answer 201 only for a readable alert. */
export const recordedUpdate = defineUpdate<AlertView>('recorded');

export const acknowledgeUpdate = defineUpdate<TransitionResult, [TransitionRequest]>('acknowledge');
export const investigateUpdate = defineUpdate<TransitionResult, [TransitionRequest]>('investigate');
export const resolveUpdate = defineUpdate<TransitionResult, [TransitionRequest]>('resolve');
export const unacknowledgeUpdate = defineUpdate<TransitionResult, [TransitionRequest]>('unacknowledge');
export const reopenUpdate = defineUpdate<TransitionResult, [TransitionRequest]>('reopen');

/** "Escalate now": fire the next tier at once. Returns the tier that fired. */
export const escalateUpdate = defineUpdate<{ loop: number; tier: number; at: string }, [TransitionRequest]>('escalate');
/** A note on the alert's timeline; allowed in every state. */
/** Acknowledges the alert (if new) until `minutes` from now, then returns it to `new` to escalate again. */
export const snoozeUpdate = defineUpdate<{ until: string; from: AlertState; to: AlertState; at: string }, [TransitionRequest & { minutes: number }]>('snooze');
/** A silence created (or changed) that matches this alert: it holds the alert's pages while it lasts. */
export const silenceSignal = defineSignal<[SilenceHold]>('silence');
/**
 * The silence was deleted: the alert escalates again from tier 1 at once if still new, or is held by
 * `replacement` (another silence that matches it) instead.
 */
export const unsilenceSignal = defineSignal<[{ id: string; replacement?: SilenceHold }]>('unsilence');
export const noteUpdate = defineUpdate<{ at: string }, [{ actor: string; text: string }]>('note');

/** The Update that performs each lifecycle action. */
export const transitionUpdates = {
  acknowledge: acknowledgeUpdate,
  investigate: investigateUpdate,
  resolve: resolveUpdate,
  unacknowledge: unacknowledgeUpdate,
  reopen: reopenUpdate,
} as const satisfies Record<TransitionAction, unknown>;

/** Failure type carried by a refused transition, so the API can answer 409 rather than 500. */
export const TRANSITION_REFUSED = 'TransitionRefused';
/** Failure type for an Update refused for another reason (e.g. nothing left to escalate to). */
export const UPDATE_REFUSED = 'UpdateRefused';

export const GROUP_WORKFLOW_TYPE = 'groupWorkflow';

export interface GroupInput {
  groupId: string;
  service: string;
  groupKey: string;
  windowMs: number;
  /**
   * 'store': membership is decided in Postgres and the workflow only closes the group once its window
   * passes. Absent: a group from before, which answers joins itself (kept for runs still going).
   */
  membership?: 'store';
  /** When the group's first alert was triggered (with membership 'store'). */
  openedAt?: number;
  /** Carried across continue-as-new. */
  state?: {
    leader: string | null;
    members: { alertId: string; workflowId: string }[];
    lastJoinAt: number;
    openedAt: number;
    /** The last resolved/open report of each member, with the alert's state version that sent it. */
    resolved?: Record<string, { resolved: boolean; version: number }>;
  };
}

/** An alert asks to join its group (sent with signal-with-start, so the first one opens it). */
export const groupJoinSignal = defineSignal<[{ alertId: string; workflowId: string }]>('groupJoin');
/** The group's answer to an alert: lead (and page) or follow (and stay quiet). */
export const groupRoleSignal = defineSignal<[{ groupId: string; role: 'leader' | 'member' }]>('groupRole');
export const groupViewQuery = defineQuery<{ groupId: string; groupKey: string; leader: string | null; members: string[]; open: boolean }>('groupView');
/**
 * A member reports that it was resolved (or reopened). The group closes once every member is resolved;
 * the state version lets the group ignore a report that arrives after a newer one.
 */
export const groupMemberStateSignal = defineSignal<[{ groupId: string; alertId: string; resolved: boolean; version: number }]>('groupMemberState');
/** Acknowledge or resolve every open alert of the group. */
export const groupActionSignal = defineSignal<[{ action: 'acknowledge' | 'resolve'; actor: string }]>('groupAction');

/**
 * The group's escalation is handed to this alert: it leads the group from now on, going on from where
 * the escalation stood. Sent once the hand-over has committed in Postgres.
 */
export const groupLeadSignal = defineSignal<[GroupRoleAnswer]>('groupLead');

/** Returns the id of the workflow of one group (one run per group, whose membership lives in Postgres). */
export function groupRunWorkflowId(groupId: string): string {
  return `group:${groupId}`;
}

/** Returns the id of the group workflow for a service and group key (groups from before membership moved to Postgres). */
export function groupWorkflowId(service: string, groupKey: string): string {
  return `group:${encodeURIComponent(service)}:${encodeURIComponent(groupKey)}`;
}

export const SCHEDULE_HANDOFF_WORKFLOW_TYPE = 'scheduleHandoffWorkflow';
/** A schedule, its layers or its overrides changed: the handoff workflow recomputes its next wake-up. */
export const scheduleChangedSignal = defineSignal('scheduleChanged');

/** Returns the id of the one handoff-notification workflow of a schedule. */
export function scheduleHandoffWorkflowId(scheduleId: string): string {
  return `schedule-handoff:${scheduleId}`;
}

/**
 * Returns the workflow id of the open alert for a service and dedup key. Temporal allows one running
 * workflow per id, so two triggers with the same key can never open two alerts.
 */
export function alertWorkflowId(service: string, dedupKey: string): string {
  return `alert:${encodeURIComponent(service)}:${encodeURIComponent(dedupKey)}`;
}

export const TEST_PAGE_WORKFLOW_TYPE = 'testPageWorkflow';

/** Returns the id of the workflow that sends one test page: a repeated request finds the same run. */
export function testPageWorkflowId(requestId: string): string {
  return `test-page:${requestId}`;
}

export const HEARTBEAT_WORKFLOW_TYPE = 'heartbeatMonitorWorkflow';

/** What a heartbeat monitor's workflow watches for: its own copy, refreshed by heartbeatConfigSignal. */
export interface HeartbeatConfig {
  name: string;
  service: string;
  severity: Severity;
  intervalSeconds: number;
  graceSeconds: number;
}

export interface HeartbeatInput {
  monitorId: string;
  config: HeartbeatConfig;
  /** When watching began: the first ping is due an interval plus the grace after it. */
  since: number;
  lastPingAt: number | null;
  /** The monitor's open alert (carried across continue-as-new), so the next ping resolves that one. */
  overdue: { service: string; dedupKey: string } | null;
}

/** A ping arrived (the API checked its key). */
export const heartbeatPingSignal = defineSignal('heartbeatPing');
/** The monitor was edited (its new configuration) or deleted (null). */
export const heartbeatConfigSignal = defineSignal<[HeartbeatConfig | null]>('heartbeatConfig');
export const heartbeatViewQuery = defineQuery<{ lastPingAt: number | null; dueAt: number | null; overdue: boolean }>('heartbeatView');

/** Returns the id of a heartbeat monitor's one workflow. */
export function heartbeatWorkflowId(monitorId: string): string {
  return `heartbeat:${monitorId}`;
}
