/** /healthz and /readyz: unauthenticated probes. */
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse } from './common';

const Readiness = z
  .strictObject({
    status: z.enum(['ok', 'unavailable', 'stopping']).openapi({
      description: "'stopping' from SIGTERM on: the process still serves requests in flight but should get no new ones",
    }),
    checks: z.strictObject({
      postgres: z.string().openapi({ description: "'ok', or 'unavailable: <reason>'" }),
      temporal: z.string().openapi({ description: "'ok', or 'unavailable: <reason>'" }),
      workers: z.string().openapi({
        description:
          "'ok: <pollers>', 'unknown: …' where Temporal cannot describe task queues, or 'unavailable: <reason>' when no worker polled the alert or pages task queue within READY_WORKER_POLL_SECONDS (nobody could be paged)",
      }),
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
    summary: 'Readiness: Postgres and Temporal answer and a worker polls the task queues',
    tags,
    responses: {
      200: { description: 'Ready', body: Readiness },
      503: { description: 'Not ready: `checks` says which dependency is down, or the process is stopping', body: Readiness },
    },
  }),
  metrics: defineRoute({
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: "Prometheus metrics of this process (text format); with METRICS_TOKEN set, a bearer token is required",
    tags,
    responses: {
      200: { description: 'Prometheus text exposition format 0.0.4', body: z.string(), contentType: 'text/plain' },
      401: errorResponse('METRICS_TOKEN is set and the request does not carry it as `Authorization: Bearer <token>`'),
    },
  }),
};
