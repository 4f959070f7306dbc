/** /sla: targets and the compliance report. Request and response schemas, route definitions. */
import { SEVERITIES } from '../../domain/severity';
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse, instant } from './common';

export const MAX_COMPLIANCE_RANGE_DAYS = 366;

export const targetParams = z.object({ service: z.string().min(1).max(200), severity: z.enum(SEVERITIES) });
/** Targets are kept in whole seconds (`sla_targets.*_seconds`): the minutes given, to the nearest second. */
export const secondsOf = (minutes: number): number => Math.round(minutes * 60);

// A target that rounds to 0 seconds would breach at the trigger (and the table refuses it).
const targetMinutes = (max: number, description: string) =>
  z
    .number()
    .positive()
    .max(max)
    .refine((m) => secondsOf(m) >= 1, 'must be at least 1 second (1/60 minute): targets are kept in whole seconds')
    .openapi({ description });

export const targetBody = z
  .strictObject({
    tta_minutes: targetMinutes(30 * 24 * 60, 'Time to acknowledge'),
    ttr_minutes: targetMinutes(90 * 24 * 60, 'Time to resolve; at least tta_minutes'),
  })
  .openapi('SlaTargetRequest', { example: { tta_minutes: 10, ttr_minutes: 120 } });
export const targetsQuery = z.strictObject({ service: z.string().min(1).max(200).optional() });
export const complianceQuery = z
  .strictObject({
    from: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'Default: seven days before `to`' }),
    to: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'Default: now; at most 366 days after `from`' }),
    service: z.string().min(1).max(200).optional(),
    severity: z.enum(SEVERITIES).optional(),
  })
  .transform((q) => {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 7 * 86_400_000);
    return { ...q, from, to };
  });

const minutes = { tta_minutes: z.number(), ttr_minutes: z.number() };
const SlaTarget = z
  .strictObject({ service: z.string(), severity: z.enum(SEVERITIES), ...minutes })
  .openapi('SlaTarget');

const aggregates = {
  alerts: z.number().int(),
  tta_met: z.number().int(),
  tta_breached: z.number().int(),
  ttr_met: z.number().int(),
  ttr_breached: z.number().int(),
  tta_p50_ms: z.number().nullable(),
  tta_p95_ms: z.number().nullable(),
  ttr_p50_ms: z.number().nullable(),
  ttr_p95_ms: z.number().nullable(),
};
const Compliance = z
  .strictObject({
    from: instant,
    to: instant,
    service: z.string().nullable(),
    severity: z.enum(SEVERITIES).nullable(),
    daily: z.array(
      z.strictObject({
        day: instant.openapi({ description: 'The UTC day, at midnight' }),
        service: z.string(),
        severity: z.enum(SEVERITIES),
        ...aggregates,
      }),
    ),
    totals: z.array(z.strictObject({ service: z.string(), severity: z.enum(SEVERITIES), ...aggregates })),
  })
  .openapi('SlaCompliance');

const tags = ['sla'] as const;

export const slaRoutes = {
  targets: defineRoute({
    method: 'get',
    path: '/sla/targets',
    operationId: 'listSlaTargets',
    summary: 'Default SLA targets per severity, and per-service overrides',
    tags,
    request: { query: targetsQuery },
    responses: {
      200: {
        description: 'Targets',
        body: z
          .strictObject({
            defaults: z.record(z.enum(SEVERITIES), z.strictObject(minutes)),
            overrides: z.array(SlaTarget),
          })
          .openapi('SlaTargets'),
      },
    },
  }),
  put: defineRoute({
    method: 'put',
    path: '/sla/targets/:service/:severity',
    operationId: 'setSlaTarget',
    summary: "Set a service's targets for one severity (applies to alerts triggered from now on)",
    tags,
    request: { params: targetParams, body: targetBody },
    responses: { 200: { description: 'The target as stored', body: SlaTarget } },
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/sla/targets/:service/:severity',
    operationId: 'deleteSlaTarget',
    summary: "Remove a service's override (the default applies again)",
    tags,
    request: { params: targetParams },
    responses: {
      204: { description: 'Removed' },
      404: errorResponse('No override for this service and severity'),
    },
  }),
  compliance: defineRoute({
    method: 'get',
    path: '/sla/compliance',
    operationId: 'slaCompliance',
    summary: 'SLA compliance per UTC day, service and severity, with totals and percentiles',
    tags,
    request: { query: complianceQuery },
    responses: { 200: { description: 'The report', body: Compliance } },
  }),
};
