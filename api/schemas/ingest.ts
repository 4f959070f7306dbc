/**
 * The ingest endpoints, authenticated by an integration's routing key. Their bodies are checked by the
 * pure parsers in domain/ingest (which answer in PagerDuty's error style, every problem at once), not
 * by zod: the request schemas here document those formats for readers and generated clients, and are
 * deliberately open (unknown fields are accepted, as the parsers accept them).
 */
import { PD_ACTIONS, PD_SEVERITIES } from '../../domain/ingest/pagerduty';
import { defineRoute, type ResponseSpec } from '../route';
import { z } from '../zod';
import { errorResponse, webLink } from './common';

const link = z.looseObject({ href: webLink(), text: z.string().optional() });

export const PagerDutyEvent = z
  .looseObject({
    routing_key: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .openapi({ description: "The integration's routing key" }),
    event_action: z.enum(PD_ACTIONS),
    dedup_key: z
      .string()
      .max(255)
      .optional()
      .openapi({ description: 'Required for acknowledge and resolve; generated for a trigger without one' }),
    payload: z
      .looseObject({
        summary: z.string().max(1024),
        source: z.string().max(255),
        severity: z
          .enum(PD_SEVERITIES)
          .openapi({ description: 'critical → critical, error → high, warning → medium, info → info' }),
        timestamp: z.iso.datetime({ offset: true }).optional(),
        component: z.string().max(255).optional(),
        group: z.string().max(255).optional(),
        class: z.string().max(255).optional(),
        custom_details: z.unknown().optional(),
      })
      .optional()
      .openapi({ description: 'Required for trigger' }),
    client: z.string().max(255).optional(),
    client_url: webLink().optional(),
    links: z.array(link).max(50).optional(),
    images: z
      .array(z.looseObject({ src: webLink(), href: webLink().optional(), alt: z.string().optional() }))
      .max(50)
      .optional(),
  })
  .openapi('PagerDutyEvent', {
    description: 'A PagerDuty Events API v2 event',
    example: {
      routing_key: 'R0UT1NGKEY',
      event_action: 'trigger',
      dedup_key: 'disk-db-1',
      payload: { summary: 'Disk 95% full on db-1', source: 'db-1', severity: 'error' },
    },
  });

export const AlertmanagerWebhook = z
  .looseObject({
    version: z.literal('4'),
    groupKey: z.string().optional(),
    receiver: z.string().optional(),
    status: z.enum(['firing', 'resolved']).optional(),
    externalURL: z.string().optional(),
    alerts: z.array(
      z.looseObject({
        status: z.enum(['firing', 'resolved']),
        fingerprint: z.string().min(1).openapi({ description: 'Becomes the dedup key' }),
        labels: z
          .record(z.string(), z.string())
          .optional()
          .openapi({ description: 'The `severity` label sets the severity (default high)' }),
        annotations: z
          .record(z.string(), z.string())
          .optional()
          .openapi({ description: '`summary` (else `description`, else the alertname) is the summary' }),
        startsAt: z.string().optional(),
        endsAt: z.string().optional(),
        generatorURL: z.string().optional(),
      }),
    ),
  })
  .openapi('AlertmanagerWebhook', {
    description: "Prometheus Alertmanager's webhook payload (version 4)",
    example: {
      version: '4',
      groupKey: '{}:{alertname="DiskFull"}',
      receiver: 'klaxon',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          fingerprint: 'c0ffee0123456789',
          labels: { alertname: 'DiskFull', instance: 'db-1', severity: 'warning' },
          annotations: { summary: 'Disk 95% full on db-1' },
          startsAt: '2026-03-02T09:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
        },
      ],
    },
  });

export const AnomalyEvent = z
  .looseObject({
    metric: z.string().min(1),
    model: z.string().min(1),
    score: z.number().openapi({ description: "Mapped to a severity by the integration's bands" }),
    threshold: z.number().optional(),
    value: z.number().optional(),
    expected: z.number().optional(),
    service: z.string().optional(),
    detected_at: z.iso.datetime({ offset: true }).optional(),
    dedup_key: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .openapi({ description: 'Default `anomaly:<model>:<metric>`' }),
    labels: z.record(z.string(), z.string()).optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('AnomalyEvent', {
    description: "An anomaly detector's report",
    example: {
      metric: 'checkout.latency_p99',
      model: 'prophet-v2',
      score: 0.97,
      threshold: 0.9,
      value: 2.4,
      expected: 0.8,
    },
  });

const GenericEvent = z.unknown().openapi({
  description:
    "Any JSON: the integration's field mapping picks summary, severity, dedup key and status out of it",
});

const pdResponse = (status: string, message: string) =>
  z.strictObject({ status: z.literal(status), message: z.literal(message), errors: z.array(z.string()) });

const PAGES_NOBODY =
  'no escalation policy matches it and there is no default policy (the alert is marked `pages_nobody` on its timeline and counted in GET /stats/noise). ' +
  'Create a default policy or a rule that matches.';

export const PagerDutyAccepted = z
  .strictObject({
    status: z.literal('success'),
    message: z.literal('Event processed'),
    dedup_key: z.string().nullable(),
    pages_nobody: z
      .string()
      .optional()
      .openapi({ description: `Klaxon's own: present only when nobody will be paged for a triggered alert, saying why: ${PAGES_NOBODY}` }),
  })
  .openapi('PagerDutyAccepted');
export const PagerDutyInvalid = pdResponse('invalid event', 'Event object is invalid').openapi(
  'PagerDutyInvalid',
);
export const PagerDutyThrottled = z
  .strictObject({ status: z.literal('throttle event'), message: z.string() })
  .openapi('PagerDutyThrottled');

export const PagerDutyUnavailable = z
  .strictObject({ status: z.literal('unavailable'), message: z.string() })
  .openapi('PagerDutyUnavailable');

export const ReceiverAccepted = z
  .strictObject({
    status: z.literal('accepted'),
    events: z.number().int().openapi({ description: 'How many events the body held' }),
    dedup_keys: z.array(z.string().nullable()).openapi({ description: "Each event's dedup key, in order" }),
    pages_nobody: z
      .array(z.strictObject({ dedup_key: z.string(), reason: z.string() }))
      .optional()
      .openapi({ description: `Present only when nobody will be paged for some triggered alerts: each one's dedup key and why: ${PAGES_NOBODY}` }),
  })
  .openapi('ReceiverAccepted');

const rateHeaders = {
  RateLimit: 'Remaining requests in the window (IETF draft 7)',
  'RateLimit-Policy': 'The limit and window',
} as const;
const tags = ['ingest'] as const;
const ROUTING_KEY_AUTH = 'Authenticated by the routing key, not an API key.';

export const INGEST_KINDS = ['alertmanager', 'generic', 'anomaly'] as const;
export type IngestKind = (typeof INGEST_KINDS)[number];

export const receiverParams = z.object({
  key: z.string().openapi({ description: "The integration's routing key" }),
});

const RECEIVER: Record<IngestKind, { summary: string; body: z.ZodType; description: string }> = {
  alertmanager: {
    summary: 'Alertmanager webhook receiver',
    body: AlertmanagerWebhook,
    description:
      'One event per alert, in order: firing alerts trigger, resolved ones resolve. The group key groups them.',
  },
  generic: {
    summary: 'Generic JSON webhook',
    body: GenericEvent,
    description: "Fields are picked out by the integration's mapping (see POST /integrations).",
  },
  anomaly: {
    summary: 'Anomaly detector events',
    body: AnomalyEvent,
    description: "The score is mapped to a severity by the integration's bands.",
  },
};

const receiverRoute = <K extends IngestKind>(kind: K) =>
  defineRoute({
    method: 'post',
    path: `/integrations/${kind}/:key`,
    operationId: `ingest${kind[0]!.toUpperCase()}${kind.slice(1)}`,
    summary: RECEIVER[kind].summary,
    description: `${RECEIVER[kind].description} ${ROUTING_KEY_AUTH} Answers once the events are durable. Bodies up to 512 KB; any content type is read as JSON.`,
    tags,
    request: {
      params: receiverParams,
      body: RECEIVER[kind].body,
      bodyDescription: 'Checked by the receiver (every problem is reported)',
    },
    responses: {
      202: { description: 'The events are durable', body: ReceiverAccepted, headers: rateHeaders },
      400: errorResponse(
        'The body is not valid JSON (`invalid_json`) or not a valid event (`invalid_event`, each problem in `errors`)',
      ),
      404: errorResponse(`No ${kind} integration with this routing key`),
      413: errorResponse('The body exceeds 512 KB (`payload_too_large`)'),
      429: {
        ...errorResponse(
          'Too many events for this integration (`rate_limited`), or too many unknown routing keys from this client address (`auth_throttled`); retry after Retry-After',
        ),
        headers: { 'Retry-After': 'Seconds to wait' },
      } satisfies ResponseSpec,
    },
  });

export const ingestRoutes = {
  pagerduty: defineRoute({
    method: 'post',
    path: '/v2/enqueue',
    operationId: 'enqueuePagerDutyEvent',
    summary: 'PagerDuty Events API v2 (compatible)',
    description:
      `Accepts PagerDuty Events API v2 events unchanged (any PagerDuty client, Alertmanager's pagerduty_configs included) and answers in PagerDuty's shapes. ` +
      `${ROUTING_KEY_AUTH} The key goes in the body's \`routing_key\`. Content-Type must be application/json; bodies up to 512 KB. ` +
      'Acknowledge and resolve for an unknown or closed dedup key are accepted and dropped, as PagerDuty does.',
    tags,
    request: {
      body: PagerDutyEvent,
      bodyDescription: 'Checked as PagerDuty checks it (every problem is reported)',
    },
    responses: {
      202: { description: 'The event is durable', body: PagerDutyAccepted, headers: rateHeaders },
      400: {
        description: 'Not JSON, not application/json, not a valid event, or an unknown routing key',
        body: PagerDutyInvalid,
      },
      413: { description: 'The body exceeds 512 KB', body: PagerDutyInvalid },
      429: {
        description: 'Too many events for this routing key, or too many unknown routing keys from this client address; retry after Retry-After',
        body: PagerDutyThrottled,
        headers: { 'Retry-After': 'Seconds to wait' },
      },
      503: {
        description:
          "Postgres cannot be reached and the API's cache has not seen this routing key or the alert's policy yet; nothing was delivered, retry later",
        body: PagerDutyUnavailable,
        headers: { 'Retry-After': 'Seconds to wait' },
      },
    },
  }),
  receivers: Object.fromEntries(INGEST_KINDS.map((k) => [k, receiverRoute(k)])) as {
    [K in IngestKind]: ReturnType<typeof receiverRoute<K>>;
  },
};
