/** /escalation-policies and /escalation-rules: request and response schemas and route definitions. */
import { SEVERITIES } from '../../domain/severity';
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse, idParams, instant, locationHeader, nameField, OUTBOUND_URL_DESCRIPTION } from './common';

const target = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('user'), id: z.uuid() }),
  z.strictObject({
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }).openapi({ description: OUTBOUND_URL_DESCRIPTION }),
    secret: z
      .string()
      .min(16)
      .max(256)
      .optional()
      .openapi({ description: 'HMAC secret for the signature header; write-only' }),
    keep_secret: z.boolean().optional().openapi({
      description:
        'PUT: true keeps the secret the policy has stored for a webhook target with this url (GET shows it only as has_secret); without it and without secret, the target has none',
    }),
  }),
  z.strictObject({
    type: z.literal('schedule'),
    id: z.uuid().openapi({ description: 'Pages whoever is on call when the tier fires' }),
  }),
]);

export const policyBody = z
  .strictObject({
    name: nameField(),
    tiers: z
      .array(
        z.strictObject({
          delay_minutes: z
            .number()
            .int()
            .min(0)
            .max(7 * 24 * 60)
            .openapi({ description: 'Minutes after the start of a loop (non-decreasing along the tiers)' }),
          targets: z.array(target).max(50),
        }),
      )
      .max(20),
    repeat: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(0)
      .openapi({ description: 'How many more times the whole chain runs after the first pass' }),
    repeat_delay_minutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(5),
    ack_timeout_minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .nullable()
      .default(null)
      .openapi({ description: 'An acknowledged alert returns to new after this long' }),
    auto_resolve_minutes: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 60)
      .nullable()
      .default(null),
    is_default: z
      .boolean()
      .default(false)
      .openapi({ description: 'Used for alerts no rule matches (one policy at most)' }),
  })
  .openapi('PolicyRequest', {
    example: {
      name: 'db on-call',
      tiers: [
        { delay_minutes: 0, targets: [{ type: 'schedule', id: '9f1c5b7e-3c1a-4e5b-8f43-1a2b3c4d5e6f' }] },
      ],
      repeat: 1,
    },
  });

const rule = z.strictObject({
  policy_id: z.uuid(),
  severities: z
    .array(z.enum(SEVERITIES))
    .max(5)
    .nullable()
    .default(null)
    .openapi({ description: 'null: any severity' }),
  services: z
    .array(z.string().min(1).max(200))
    .max(200)
    .nullable()
    .default(null)
    .openapi({ description: 'null: any service' }),
  labels: z
    .record(z.string().max(256), z.string().max(1024))
    .default({})
    .openapi({ description: 'Labels the alert must carry with these values' }),
});

export const rulesBody = z
  .strictObject({
    rules: z
      .array(rule)
      .max(5000)
      .openapi({ description: 'In order: the first matching rule picks the policy' }),
  })
  .openapi('EscalationRules');

const Policy = z
  .strictObject({
    id: z.uuid(),
    name: z.string(),
    tiers: z.array(
      z.strictObject({
        delay_minutes: z.number().int(),
        targets: z.array(
          z.discriminatedUnion('type', [
            z.strictObject({ type: z.literal('user'), id: z.uuid() }),
            z.strictObject({ type: z.literal('webhook'), url: z.string(), has_secret: z.boolean() }),
            z.strictObject({ type: z.literal('schedule'), id: z.uuid() }),
          ]),
        ),
      }),
    ),
    repeat: z.number().int(),
    repeat_delay_minutes: z.number().int(),
    ack_timeout_minutes: z.number().int().nullable(),
    auto_resolve_minutes: z.number().int().nullable(),
    is_default: z.boolean(),
    created_at: instant,
    updated_at: instant,
  })
  .openapi('Policy');

const Rules = z.strictObject({
  rules: z.array(
    z.strictObject({
      policy_id: z.uuid(),
      severities: z.array(z.enum(SEVERITIES)).nullable(),
      services: z.array(z.string()).nullable(),
      labels: z.record(z.string(), z.string()),
    }),
  ),
});

const tags = ['escalation'] as const;
const policyNotFound = errorResponse('No escalation policy with this id');
const duplicate = errorResponse('A policy with this name exists (`duplicate`)');
const lastDefault =
  '`last_default_policy`: this is the default policy, which alerts no rule matches go to; make another policy the default first';

const MAX_HORIZON_HOURS = 168;

export const simulateBody = z
  .strictObject({
    start: instant.optional().openapi({ description: 'When the alert triggers; default now' }),
    severity: z.enum(SEVERITIES),
    service: z.string().trim().min(1).max(200),
    acknowledge_after_minutes: z
      .number()
      .min(0)
      .max(MAX_HORIZON_HOURS * 60)
      .nullable()
      .optional()
      .openapi({ description: 'Someone acknowledges this long after the trigger; omit or null for nobody' }),
    horizon_hours: z.number().positive().max(MAX_HORIZON_HOURS).default(24),
    policy: policyBody.optional().openapi({
      description:
        'A draft to simulate instead of the saved policy, checked as PUT checks its body (keep_secret refers to the saved policy); nothing is saved',
    }),
  })
  .openapi('SimulateEscalation', { example: { severity: 'critical', service: 'checkout', acknowledge_after_minutes: 12 } });

const SimulationEntry = z
  .object({
    at: instant,
    kind: z.enum(['page', 'escalation_gap', 'sla_mark', 'acknowledged', 'ack_timeout', 'exhausted', 'auto_resolved']),
    cycle: z.number().int(),
    loop: z.number().int().nullable(),
    tier: z.number().int().nullable(),
    target: z
      .union([
        z.object({ type: z.literal('user'), id: z.uuid() }),
        z.object({ type: z.literal('schedule'), id: z.uuid() }),
        z.object({ type: z.literal('webhook'), url: z.string() }),
      ])
      .nullable(),
    page_kind: z.enum(['page', 'sla_at_risk', 'sla_breached']).optional(),
    user_id: z.uuid().nullable().optional(),
    channel: z.enum(['email', 'sms', 'webhook', 'voice']).optional(),
    address: z.string().optional(),
    schedule_id: z.uuid().nullable().optional(),
    delay_minutes: z
      .number()
      .int()
      .optional()
      .openapi({ description: "A page held back by the user's notification rules: this many minutes after its tier fired" }),
    mark: z.string().optional(),
    note: z.string().optional(),
  })
  .openapi('SimulationEntry');

const Simulation = z
  .object({
    policy: z.object({ id: z.uuid(), name: z.string() }),
    severity: z.enum(SEVERITIES),
    service: z.string(),
    start: instant,
    horizon_end: instant,
    acknowledge_after_minutes: z.number().nullable(),
    sla: z.object({ tta_minutes: z.number(), ttr_minutes: z.number(), at_risk_fraction: z.number() }),
    timeline: z.array(SimulationEntry),
    pages: z.number().int(),
    truncated: z.boolean(),
  })
  .openapi('Simulation');

export const policyRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/escalation-policies',
    operationId: 'createPolicy',
    summary: 'Create an escalation policy',
    tags,
    request: { body: policyBody },
    responses: { 201: { description: 'Created', body: Policy, headers: locationHeader }, 409: duplicate },
  }),
  list: defineRoute({
    method: 'get',
    path: '/escalation-policies',
    operationId: 'listPolicies',
    summary: 'List escalation policies',
    tags,
    responses: { 200: { description: 'Policies', body: z.strictObject({ policies: z.array(Policy) }) } },
  }),
  get: defineRoute({
    method: 'get',
    path: '/escalation-policies/:id',
    operationId: 'getPolicy',
    summary: 'An escalation policy',
    tags,
    request: { params: idParams },
    responses: { 200: { description: 'The policy', body: Policy }, 404: policyNotFound },
  }),
  update: defineRoute({
    method: 'put',
    path: '/escalation-policies/:id',
    operationId: 'replacePolicy',
    summary: 'Replace an escalation policy (open alerts keep the copy they started with)',
    tags,
    request: { params: idParams, body: policyBody },
    responses: {
      200: { description: 'The policy as stored', body: Policy },
      404: policyNotFound,
      409: errorResponse(`A policy with this name exists (\`duplicate\`), or ${lastDefault} (is_default: false on the default)`),
    },
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/escalation-policies/:id',
    operationId: 'deletePolicy',
    summary: 'Delete an escalation policy',
    tags,
    request: { params: idParams },
    responses: { 204: { description: 'Deleted' }, 404: policyNotFound, 409: errorResponse(lastDefault) },
  }),
  listRules: defineRoute({
    method: 'get',
    path: '/escalation-rules',
    operationId: 'listRules',
    summary: 'The routing rules that pick a policy for each alert',
    tags,
    responses: { 200: { description: 'The rules, in order', body: Rules } },
  }),
  replaceRules: defineRoute({
    method: 'put',
    path: '/escalation-rules',
    operationId: 'replaceRules',
    summary: 'Replace all routing rules',
    tags,
    request: { body: rulesBody },
    responses: { 200: { description: 'The rules as stored', body: Rules } },
  }),
  simulate: defineRoute({
    method: 'post',
    path: '/escalation-policies/:id/simulate',
    operationId: 'simulatePolicy',
    summary: 'Escalation dry-run: who would be paged, when and how, without paging anyone',
    description:
      "Runs the alert workflow's own decision functions over today's schedules, users and contact methods: tiers, repeats, fall-through, SLA marks, acknowledge and ack timeout.",
    tags,
    request: { params: idParams, body: simulateBody },
    responses: { 200: { description: 'The predicted timeline, in time order', body: Simulation }, 404: policyNotFound },
  }),
};
