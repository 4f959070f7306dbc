/** /integrations: routing keys for monitoring systems. Request and response schemas, route definitions. */
import { validatePath } from '../../domain/ingest/generic';
import { SEVERITIES } from '../../domain/severity';
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse, idParams, instant, locationHeader, nameField } from './common';

const path = z
  .string()
  .min(2)
  .max(200)
  .superRefine((p, ctx) => {
    const problem = validatePath(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({ description: 'A JSONPath into the body, e.g. $.alert.title', example: '$.title' });

const common = {
  name: nameField(),
  service: z.string().trim().min(1).max(200),
  /** Labels whose values, with the service, make the group key (Alertmanager's own groupKey wins). */
  group_by: z
    .array(z.string().min(1).max(100))
    .max(10)
    .default([])
    .openapi({
      description:
        "Labels whose values, with the service, make the group key (Alertmanager's own groupKey wins)",
    }),
  group_window_minutes: z.number().int().min(1).max(1440).default(5),
};

const INTEGRATION_TYPES = ['pagerduty', 'alertmanager', 'generic', 'anomaly'] as const;

export const createIntegrationBody = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('pagerduty'), ...common }),
    z.strictObject({ type: z.literal('alertmanager'), ...common }),
    z.strictObject({
      type: z.literal('generic'),
      ...common,
      mapping: z.strictObject({
        summary: path,
        severity: path.optional(),
        dedupKey: path.optional(),
        status: path.optional(),
        source: path.optional(),
        severityMap: z.record(z.string(), z.enum(SEVERITIES)).optional(),
        resolvedValues: z.array(z.string()).max(20).optional(),
        acknowledgedValues: z.array(z.string()).max(20).optional(),
        defaultSeverity: z.enum(SEVERITIES).optional(),
      }),
    }),
    z.strictObject({
      type: z.literal('anomaly'),
      ...common,
      bands: z
        .array(z.strictObject({ min: z.number(), severity: z.enum(SEVERITIES) }))
        .min(1)
        .max(10)
        .optional()
        .openapi({
          description:
            'Score bands, highest first: the first band whose min is at most the score sets the severity',
        }),
    }),
  ])
  .openapi('CreateIntegration', {
    example: { type: 'alertmanager', name: 'prometheus', service: 'db', group_by: ['alertname'] },
  });

const integrationFields = {
  id: z.uuid(),
  name: z.string(),
  type: z.enum(INTEGRATION_TYPES),
  service: z.string(),
  key_prefix: z
    .string()
    .openapi({ description: 'The first characters of the routing key, to tell keys apart' }),
  settings: z
    .record(z.string(), z.unknown())
    .openapi({ description: 'generic: { mapping }; anomaly: { bands }' }),
  group_by: z.array(z.string()),
  group_window_minutes: z.number().int(),
  created_at: instant,
};
export const Integration = z.strictObject(integrationFields).openapi('Integration');
export const CreatedIntegration = z
  .strictObject({
    ...integrationFields,
    routing_key: z.string().openapi({ description: 'Shown this once: only its digest is stored' }),
    endpoint: z
      .string()
      .openapi({ description: 'Where to send events', example: '/integrations/alertmanager/<routing key>' }),
  })
  .openapi('CreatedIntegration');

const tags = ['integrations'] as const;

export const integrationRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/integrations',
    operationId: 'createIntegration',
    summary: 'Create an integration and its routing key',
    description: 'The routing key is in this response only; store it in the monitoring system.',
    tags,
    request: { body: createIntegrationBody },
    responses: {
      201: {
        description: 'Created; `routing_key` is shown once',
        body: CreatedIntegration,
        headers: locationHeader,
      },
      409: errorResponse('An integration with this name exists (`duplicate`)'),
    },
  }),
  list: defineRoute({
    method: 'get',
    path: '/integrations',
    operationId: 'listIntegrations',
    summary: 'List integrations (without their routing keys)',
    tags,
    responses: {
      200: { description: 'Integrations', body: z.strictObject({ integrations: z.array(Integration) }) },
    },
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/integrations/:id',
    operationId: 'deleteIntegration',
    summary: 'Delete an integration; its routing key stops working',
    tags,
    request: { params: idParams },
    responses: { 204: { description: 'Deleted' }, 404: errorResponse('No integration with this id') },
  }),
};
