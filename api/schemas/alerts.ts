/** /alerts: request schemas (validated at the edge), response schemas and route definitions. */
import { MAX_SNOOZE_MINUTES, MIN_SNOOZE_MINUTES } from '../../domain/snooze';
import { TRANSITION_ACTIONS, ALERT_STATES, type TransitionAction } from '../../domain/lifecycle';
import { SLA_MARKS } from '../../domain/sla';
import { SEVERITIES } from '../../domain/severity';
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse, idParams, instant, instantInput, locationHeader, webLink } from './common';

const label = z.string().max(1024);

export const createAlertBody = z
  .strictObject({
    summary: z.string().trim().min(1).max(1024),
    severity: z.enum(SEVERITIES),
    service: z.string().trim().min(1).max(200),
    source: z.string().trim().min(1).max(255),
    labels: z.record(z.string().max(256), label).default({}),
    details: z.record(z.string(), z.unknown()).default({}),
    links: z
      .array(z.strictObject({ href: webLink(), text: z.string().max(256).optional() }))
      .max(20)
      .default([]),
    dedup_key: z.string().trim().min(1).max(255).optional(),
  })
  .openapi('CreateAlert', {
    example: {
      summary: 'Disk 95% full on db-1',
      severity: 'high',
      service: 'db',
      source: 'node-exporter',
      labels: { host: 'db-1' },
      dedup_key: 'disk-db-1',
    },
  });
export type CreateAlertBody = z.infer<typeof createAlertBody>;

export const transitionBody = z
  .strictObject({
    /** Who acts, when the key is shared by a team or a tool; recorded beside the key's name. */
    actor: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "Who acts, when the key is shared; recorded beside the key's name" }),
    reason: z.string().trim().max(2000).optional(),
  })
  .openapi('TransitionRequest');

export const snoozeBody = transitionBody
  .extend({
    minutes: z
      .number()
      .int()
      .min(MIN_SNOOZE_MINUTES)
      .max(MAX_SNOOZE_MINUTES)
      .openapi({ description: `How long until it escalates again (${MIN_SNOOZE_MINUTES} to ${MAX_SNOOZE_MINUTES})`, example: 30 }),
  })
  .openapi('SnoozeRequest');

export const alertIdParams = idParams;

export const noteBody = z.strictObject({
  actor: z.string().trim().min(1).max(200).optional(),
  text: z.string().trim().min(1).max(10_000),
});

export const listAlertsQuery = z.strictObject({
  state: z.enum(ALERT_STATES).optional(),
  open: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .openapi({ description: 'true: only open alerts (not resolved); false: only resolved ones' }),
  paged_user: z.uuid().optional().openapi({ description: 'Only alerts that paged this user (any channel, any outcome)' }),
  severity: z.enum(SEVERITIES).optional(),
  service: z.string().min(1).max(200).optional(),
  from: instantInput().optional(),
  to: instantInput().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Opaque cursor from the previous page's `next_cursor`. */
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "Opaque cursor from the previous page's `next_cursor`" }),
});

// --- Responses --------------------------------------------------------------------------------------

const state = z.enum(ALERT_STATES);
const severity = z.enum(SEVERITIES);
const loopTier = { loop: z.number().int(), tier: z.number().int() };

const alertFields = {
  id: z.uuid(),
  summary: z.string(),
  severity,
  service: z.string(),
  source: z.string(),
  state,
  dedup_key: z.string(),
  labels: z.record(z.string(), z.string()),
  details: z.record(z.string(), z.unknown()),
  links: z.array(z.object({ href: z.string(), text: z.string().optional() })),
  occurrences: z.number().int(),
  triggered_at: instant,
  last_seen_at: instant,
  acknowledged_at: instant.nullable(),
  resolved_at: instant.nullable(),
  tta_ms: z.number().nullable().openapi({ description: 'Time to acknowledge, once acknowledged' }),
  ttr_ms: z.number().nullable().openapi({ description: 'Time to resolve, once resolved' }),
  sla_targets: z.strictObject({ tta_ms: z.number().nullable(), ttr_ms: z.number().nullable() }),
  policy: z
    .strictObject({ id: z.uuid(), name: z.string().nullable() })
    .nullable()
    .openapi({ description: 'The escalation policy matched at trigger time' }),
  workflow_id: z.string(),
};

export const Alert = z.strictObject(alertFields).openapi('Alert');

/** An escalation target as it was snapshotted into the alert. */
const target = z.looseObject({ type: z.enum(['user', 'webhook', 'schedule']) });

/** What the alert's workflow answers while it runs (null once it has completed). */
export const AlertLiveView = z
  .strictObject({
    alertId: z.uuid(),
    state,
    severity,
    service: z.string(),
    occurrences: z.number().int(),
    triggeredAt: instant,
    lastSeenAt: instant,
    acknowledgedAt: instant.nullable(),
    resolvedAt: instant.nullable(),
    escalation: z.strictObject({
      policy: z.strictObject({ id: z.string(), name: z.string() }).nullable(),
      cycle: z.number().int(),
      next: z.strictObject({ ...loopTier, at: instant }).nullable(),
      lastFired: z.strictObject({ ...loopTier, at: instant }).nullable(),
    }),
    sla: z.strictObject({
      targets: z.strictObject({ ttaMs: z.number(), ttrMs: z.number() }),
      deadlines: z.record(z.enum(SLA_MARKS), instant),
      fired: z.array(z.enum(SLA_MARKS)),
      tta: z.enum(['met', 'breached', 'at_risk', 'ok']),
      ttr: z.enum(['met', 'breached', 'at_risk', 'ok']),
    }),
    notifications: z.array(
      z.strictObject({
        key: z.string(),
        kind: z.enum(['page', 'sla_at_risk', 'sla_breached']),
        cycle: z.number().int(),
        loop: z.number().int().nullable(),
        tier: z.number().int().nullable(),
        target,
        channel: z.enum(['email', 'sms', 'webhook', 'voice']),
        address: z.string(),
        status: z.enum(['sending', 'sent', 'failed', 'cancelled']),
        error: z.string().optional(),
        at: instant,
      }),
    ),
    group: z.strictObject({ groupId: z.uuid(), role: z.enum(['leader', 'member']) }).nullable(),
    snoozedUntil: instant.optional().openapi({ description: 'While snoozed: when it returns to new and escalates again' }),
    silencedUntil: instant.optional().openapi({ description: 'While a silence holds it: when the silence ends (if still new, escalation starts from tier 1 then)' }),
  })
  .openapi('AlertLiveView');

export const AlertDetail = z
  .strictObject({
    ...alertFields,
    live: AlertLiveView.nullable(),
    timeline: z.array(
      z.strictObject({
        action: z.string(),
        from: state.nullable(),
        to: state.nullable(),
        actor: z.string(),
        reason: z.string().nullable(),
        at: instant,
      }),
    ),
    notifications: z.array(
      z.strictObject({
        kind: z.string(),
        cycle: z.number().int().nullable(),
        loop: z.number().int().nullable(),
        tier: z.number().int().nullable(),
        target: z.record(z.string(), z.unknown()),
        user_id: z.uuid().nullable(),
        channel: z.enum(['email', 'sms', 'webhook', 'voice']),
        address: z.string(),
        status: z.enum(['sending', 'sent', 'failed', 'cancelled']),
        error: z.string().nullable(),
        attempts: z.number().int(),
        at: instant,
      }),
    ),
    sla_events: z.array(z.strictObject({ mark: z.enum(SLA_MARKS), deadline: instant, fired_at: instant })),
  })
  .openapi('AlertDetail');

/** Present only when nobody will be paged for the alert; says why. Absent: a policy pages for it. */
export const pagesNobodyField = z
  .string()
  .optional()
  .openapi({
    description:
      'Present only when nobody will be paged for this alert, saying why: no escalation policy matches it and there is no default policy ' +
      '(also marked `pages_nobody` on its timeline and counted in GET /stats/noise). Create a default policy or a rule that matches. ' +
      'Absent: a policy pages for it (or, for a repeat not yet recorded, it is not known yet).',
    example: 'no escalation policy matches service "payments" severity critical and there is no default policy',
  });

const AlertTriggered = z.strictObject({
  id: z.uuid(),
  workflow_id: z.string(),
  created: z.boolean(),
  deduplicated: z.boolean(),
  state,
  occurrences: z.number().int(),
  pages_nobody: pagesNobodyField,
});

const ActionQueued = z
  .strictObject({
    id: z.uuid(),
    queued: z.literal(true),
    /** The Update id Temporal knows this action by. */
    update_id: z.string(),
    message: z.string(),
  })
  .openapi('ActionQueued');

// --- Routes -----------------------------------------------------------------------------------------

const tags = ['alerts'] as const;
const alertNotFound = errorResponse('No alert with this id');

const TRANSITION_SUMMARY: Record<TransitionAction, string> = {
  acknowledge: 'Acknowledge an alert (stops escalation)',
  investigate: 'Mark an alert as being investigated',
  resolve: 'Resolve an alert',
  unacknowledge: 'Return an acknowledged alert to new (escalation restarts)',
  reopen: 'Reopen a resolved alert within its reopen window',
};

const transitionRoute = <A extends TransitionAction>(action: A) =>
  defineRoute({
    method: 'post',
    path: `/alerts/:id/${action}`,
    operationId: `${action}Alert`,
    summary: TRANSITION_SUMMARY[action],
    tags,
    request: { params: alertIdParams, body: transitionBody },
    responses: {
      200: {
        description: 'The transition happened',
        body: z.strictObject({ id: z.uuid(), state, from: state, at: instant }),
      },
      202: {
        description:
          'No worker answered in time; the action is queued in Temporal and applies when one runs the alert (once: repeating it is harmless)',
        body: ActionQueued,
      },
      404: alertNotFound,
      409: errorResponse(
        'The alert is closed, or its state does not allow this (`transition_refused` with from/to, `update_refused`)',
      ),
    },
  });

export const alertRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/alerts',
    operationId: 'createAlert',
    summary: 'Trigger an alert',
    description:
      'Opens an alert, or adds an occurrence to the open alert with the same service and `dedup_key`. Answers once the event is durable; ' +
      '202 when no worker recorded it in time (it will be).',
    tags,
    request: { body: createAlertBody },
    responses: {
      201: { description: 'A new alert was opened', body: AlertTriggered, headers: locationHeader },
      200: {
        description: 'Deduplicated into the open alert with this dedup key',
        body: AlertTriggered,
        headers: locationHeader,
      },
      202: {
        description: 'Accepted and durable, not yet recorded (no worker answered in time)',
        body: z.strictObject({ id: z.uuid(), workflow_id: z.string(), recorded: z.literal(false), pages_nobody: pagesNobodyField }),
        headers: locationHeader,
      },
    },
  }),
  list: defineRoute({
    method: 'get',
    path: '/alerts',
    operationId: 'listAlerts',
    summary: 'List alerts, newest first',
    tags,
    request: { query: listAlertsQuery },
    responses: {
      200: {
        description: 'One page of alerts',
        body: z.strictObject({
          alerts: z.array(Alert),
          next_cursor: z
            .string()
            .nullable()
            .openapi({ description: 'Pass as `cursor` for the next page; null on the last' }),
        }),
      },
    },
  }),
  get: defineRoute({
    method: 'get',
    path: '/alerts/:id',
    operationId: 'getAlert',
    summary: 'An alert with its timeline, notifications, SLA events and live workflow view',
    tags,
    request: { params: alertIdParams },
    responses: { 200: { description: 'The alert', body: AlertDetail }, 404: alertNotFound },
  }),
  transitions: Object.fromEntries(TRANSITION_ACTIONS.map((a) => [a, transitionRoute(a)])) as {
    [A in TransitionAction]: ReturnType<typeof transitionRoute<A>>;
  },
  escalate: defineRoute({
    method: 'post',
    path: '/alerts/:id/escalate',
    operationId: 'escalateAlert',
    summary: 'Escalate now: fire the next tier at once',
    tags,
    request: { params: alertIdParams, body: transitionBody },
    responses: {
      200: {
        description: 'The tier that fired',
        body: z.strictObject({ id: z.uuid(), escalated_to: z.strictObject(loopTier), at: instant }),
      },
      404: alertNotFound,
      409: errorResponse('Nothing left to escalate to, or the alert is closed (`update_refused`)'),
    },
  }),
  snooze: defineRoute({
    method: 'post',
    path: '/alerts/:id/snooze',
    operationId: 'snoozeAlert',
    summary: 'Snooze: acknowledged now, back to new (escalating from the first tier) after `minutes`',
    description:
      'A new alert is acknowledged by the snooze (time to acknowledge stops here); an acknowledged one keeps its acknowledgement until the snooze ends. Snoozing again moves the end. Any other transition meanwhile ends the snooze. Time to resolve runs throughout.',
    tags,
    request: { params: alertIdParams, body: snoozeBody },
    responses: {
      200: {
        description: 'Snoozed',
        body: z.strictObject({ id: z.uuid(), state, from: state, snoozed_until: instant, at: instant }),
      },
      404: alertNotFound,
      409: errorResponse('The alert is investigating, resolved or closed (`update_refused`)'),
    },
  }),
  note: defineRoute({
    method: 'post',
    path: '/alerts/:id/notes',
    operationId: 'addAlertNote',
    summary: "Add a note to an alert's timeline",
    tags,
    request: { params: alertIdParams, body: noteBody },
    responses: {
      201: {
        description: 'The note was added',
        body: z.strictObject({ id: z.uuid(), note: z.string(), at: instant }),
      },
      404: alertNotFound,
      409: errorResponse('The alert is closed (`alert_closed`)'),
    },
  }),
};
