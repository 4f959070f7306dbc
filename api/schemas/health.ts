/** /healthz and /readyz: unauthenticated probes. */
import { defineRoute } from '../route';
import { z } from '../zod';

const Readiness = z
  .strictObject({
    status: z.enum(['ok', 'unavailable']),
    checks: z.strictObject({
      postgres: z.string().openapi({ description: "'ok', or 'unavailable: <reason>'" }),
      temporal: z.string().openapi({ description: "'ok', or 'unavailable: <reason>'" }),
    }),
  })
  .openapi('Readiness');

const tags = ['health'] as const;

export const healthRoutes = {
  live: defineRoute({
    method: 'get',
    path: '/healthz',
    operationId: 'liveness',
    summary: 'Liveness: the process is up',
    tags,
    responses: { 200: { description: 'Up', body: z.strictObject({ status: z.literal('ok') }) } },
  }),
  ready: defineRoute({
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    summary: 'Readiness: Postgres and Temporal answer',
    tags,
    responses: {
      200: { description: 'Ready', body: Readiness },
      503: { description: 'Not ready; `checks` says which dependency is down', body: Readiness },
    },
  }),
};
