/** /heartbeats: monitors a job pings on a schedule. Request and response schemas, route definitions. */
import { MAX_GRACE_SECONDS, MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS } from '../../domain/heartbeat';
import { SEVERITIES } from '../../domain/severity';
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse, idParams, instant, locationHeader, nameField } from './common';

const interval = z
  .number()
  .int()
  .min(MIN_INTERVAL_SECONDS)
  .max(MAX_INTERVAL_SECONDS)
  .openapi({
    description: `How often the job pings, in seconds (${MIN_INTERVAL_SECONDS} to ${MAX_INTERVAL_SECONDS})`,
    example: 300,
  });
const grace = z.number().int().min(0).max(MAX_GRACE_SECONDS).openapi({
  description:
    'How late a ping may be before the alert opens, in seconds (default: a tenth of the interval, at least 60)',
});

export const createHeartbeatBody = z
  .strictObject({
    name: nameField(),
    service: z.string().trim().min(1).max(200),
    severity: z.enum(SEVERITIES).default('high'),
    interval_seconds: interval,
    grace_seconds: grace.optional(),
  })
  .openapi('CreateHeartbeat', {
    example: { name: 'nightly backup', service: 'db', interval_seconds: 86_400, grace_seconds: 3_600 },
  });

export const updateHeartbeatBody = z
  .strictObject({
    name: nameField().optional(),
    service: z.string().trim().min(1).max(200).optional(),
    severity: z.enum(SEVERITIES).optional(),
    interval_seconds: interval.optional(),
    grace_seconds: grace.optional(),
  })
  .openapi('UpdateHeartbeat');

const heartbeatFields = {
  id: z.uuid(),
  name: z.string(),
  service: z.string(),
  severity: z.enum(SEVERITIES),
  interval_seconds: z.number().int(),
  grace_seconds: z.number().int(),
  key_prefix: z.string().openapi({ description: 'The first characters of the key, to tell keys apart' }),
  state: z
    .enum(['waiting', 'up', 'overdue'])
    .openapi({ description: 'waiting: never pinged; up: pinging on time; overdue: its alert is open' }),
  last_ping_at: instant
    .nullable()
    .openapi({ description: 'The last ping, to within a minute (written at most once a minute)' }),
  overdue_since: instant.nullable(),
  created_at: instant,
};
export const Heartbeat = z.strictObject(heartbeatFields).openapi('Heartbeat');
export const CreatedHeartbeat = z
  .strictObject({
    ...heartbeatFields,
    key: z.string().openapi({ description: 'Shown this once: only its digest is stored' }),
    ping_url: z
      .string()
      .openapi({ description: 'Where the job pings (GET or POST)', example: '/heartbeat/<key>' }),
  })
  .openapi('CreatedHeartbeat');

const pingParams = z.object({ key: z.string().max(200).openapi({ description: "The monitor's key" }) });
const Pinged = z
  .strictObject({
    status: z.literal('ok'),
    monitor: z.string(),
    next_due_at: instant.openapi({ description: 'When the next ping is due, grace included' }),
  })
  .openapi('HeartbeatPinged');

const tags = ['heartbeats'] as const;
const PING_DESCRIPTION =
  "Authenticated by the monitor's key in the path (a routing key, not an API key), so `curl -fsS https://klaxon.example/heartbeat/<key>` at the end of a cron job is all it takes. A ping resets the timer; one after an overdue alert opened resolves it. An unknown key counts against the client address like a bad API key.";

const pingRoute = (method: 'get' | 'post') =>
  defineRoute({
    method,
    path: '/heartbeat/:key',
    operationId: method === 'get' ? 'pingHeartbeatGet' : 'pingHeartbeat',
    summary: 'Ping a heartbeat monitor',
    description: PING_DESCRIPTION,
    tags,
    request: { params: pingParams },
    responses: {
      200: { description: 'Heard', body: Pinged },
      400: errorResponse('The key is not a key (`invalid_request`)'),
      404: errorResponse('No heartbeat monitor with this key'),
      413: errorResponse('The body (not read, but bounded) exceeds 512 KB (`payload_too_large`)'),
      429: {
        ...errorResponse(
          'Too many unknown keys from this client address (`auth_throttled`); retry after Retry-After',
        ),
        headers: { 'Retry-After': 'Seconds to wait' },
      },
      503: errorResponse('Temporal or Postgres did not answer; the ping was not heard, send it again'),
    },
  });

export const heartbeatRoutes = {
  pingGet: pingRoute('get'),
  ping: pingRoute('post'),
  create: defineRoute({
    method: 'post',
    path: '/heartbeats',
    operationId: 'createHeartbeat',
    summary: 'Create a heartbeat monitor and its key',
    description:
      'The key is in this response only. Watching starts now: the first ping is due an interval plus the grace from now.',
    tags,
    request: { body: createHeartbeatBody },
    responses: {
      201: { description: 'Created; `key` is shown once', body: CreatedHeartbeat, headers: locationHeader },
      409: errorResponse('A monitor with this name exists (`duplicate`)'),
    },
  }),
  list: defineRoute({
    method: 'get',
    path: '/heartbeats',
    operationId: 'listHeartbeats',
    summary: 'List heartbeat monitors (without their keys)',
    tags,
    responses: { 200: { description: 'Monitors', body: z.strictObject({ heartbeats: z.array(Heartbeat) }) } },
  }),
  get: defineRoute({
    method: 'get',
    path: '/heartbeats/:id',
    operationId: 'getHeartbeat',
    summary: 'A heartbeat monitor',
    tags,
    request: { params: idParams },
    responses: {
      200: { description: 'The monitor', body: Heartbeat },
      404: errorResponse('No monitor with this id'),
    },
  }),
  update: defineRoute({
    method: 'patch',
    path: '/heartbeats/:id',
    operationId: 'updateHeartbeat',
    summary: 'Change a heartbeat monitor (its timer restarts from its last ping with the new interval)',
    tags,
    request: { params: idParams, body: updateHeartbeatBody },
    responses: {
      200: { description: 'The monitor as it now is', body: Heartbeat },
      404: errorResponse('No monitor with this id'),
      409: errorResponse('A monitor with this name exists (`duplicate`)'),
    },
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/heartbeats/:id',
    operationId: 'deleteHeartbeat',
    summary: 'Delete a heartbeat monitor; its key stops working and its open alert is resolved',
    tags,
    request: { params: idParams },
    responses: { 204: { description: 'Deleted' }, 404: errorResponse('No monitor with this id') },
  }),
};
