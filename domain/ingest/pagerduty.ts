/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`): validates an event the way PagerDuty does, so any
 * PagerDuty client, Alertmanager's `pagerduty_configs` included, can send to Klaxon unchanged.
 * Error messages copy PagerDuty's style ("'payload.summary' is missing or blank"). Pure.
 */
import type { Severity } from '../severity';
import { charLength, describeType, isBlank, isHttpUrl, isRecord, parseTimestamp } from './fields';
import type { IngestAction, IngestEvent, ParseResult } from './types';

export const PD_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type PagerDutySeverity = (typeof PD_SEVERITIES)[number];

/**
 * PagerDuty has four severities and Klaxon five: each maps to its nearest urgency, and Klaxon's 'low'
 * is left to the paths that can express it (Alertmanager labels, generic mappings, anomaly bands).
 */
export const PD_SEVERITY_MAP: Readonly<Record<PagerDutySeverity, Severity>> = {
  critical: 'critical',
  error: 'high',
  warning: 'medium',
  info: 'info',
};

export interface PagerDutyEvent {
  routingKey: string;
  event: IngestEvent;
  client?: string;
  clientUrl?: string;
}

const ROUTING_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** True for a string of the form a routing key must have (what it names is for the integrations to say). */
export const isRoutingKey = (key: string): boolean => ROUTING_KEY.test(key);
const MAX_DEDUP_KEY = 255;
const MAX_SUMMARY = 1024;
const MAX_FIELD = 255;
const MAX_LINKS = 50;

// Acknowledge and resolve only address an existing alert, which keeps its own summary and severity;
// these placeholders fill the event's required fields and are not meant to be stored.
const NON_TRIGGER_SUMMARY = '';
const NON_TRIGGER_SEVERITY: Severity = 'info';
const DEFAULT_SOURCE = 'pagerduty';

/** Returns the routing key and the Klaxon event for a PagerDuty Events v2 body, or every problem found. */
export function parsePagerDutyEvent(body: unknown): ParseResult<PagerDutyEvent> {
  if (!isRecord(body))
    return {
      ok: false,
      errors: [`Event object is invalid: expected a JSON object, got ${describeType(body)}`],
    };
  const errors: string[] = [];

  const routingKey = body.routing_key;
  if (
    routingKey === undefined ||
    routingKey === null ||
    (typeof routingKey === 'string' && isBlank(routingKey))
  ) {
    errors.push("'routing_key' is missing");
  } else if (typeof routingKey !== 'string') {
    errors.push("'routing_key' must be a string");
  } else if (!isRoutingKey(routingKey)) {
    errors.push("'routing_key' must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'");
  }

  const rawAction = body.event_action;
  let action: IngestAction | undefined;
  if (rawAction === undefined || rawAction === null) errors.push("'event_action' is missing");
  else if (typeof rawAction === 'string' && (PD_ACTIONS as readonly string[]).includes(rawAction))
    action = rawAction as IngestAction;
  else errors.push(`'event_action' must be one of ${PD_ACTIONS.join(', ')}`);

  let dedupKey: string | undefined;
  const rawDedup = body.dedup_key;
  // An empty key means "none": on a trigger PagerDuty then generates one.
  if (rawDedup === undefined || rawDedup === null || rawDedup === '') {
    if (action === 'acknowledge' || action === 'resolve')
      errors.push("'dedup_key' is required for acknowledge and resolve");
  } else if (typeof rawDedup !== 'string') errors.push("'dedup_key' must be a string");
  else if (charLength(rawDedup) > MAX_DEDUP_KEY)
    errors.push(`'dedup_key' must be at most ${MAX_DEDUP_KEY} characters`);
  else dedupKey = rawDedup;

  // With an unknown action a present payload is still checked as a trigger's, so one round trip
  // reports every problem; acknowledge and resolve ignore it, as PagerDuty does.
  let trigger: TriggerFields | undefined;
  if (action === 'trigger' || (action === undefined && body.payload !== undefined)) {
    trigger = checkPayload(body.payload, errors);
  }

  const client = optionalString(body, 'client', errors);
  const clientUrl = body.client_url;
  if (clientUrl !== undefined && clientUrl !== null && !isHttpUrl(clientUrl))
    errors.push("'client_url' must be an http(s) URL");
  const links = checkList(body.links, 'links', errors, (item, at) => {
    if (!isHttpUrl(item.href))
      errors.push(
        item.href === undefined ? `'${at}.href' is missing` : `'${at}.href' must be an http(s) URL`,
      );
    if (item.text !== undefined && typeof item.text !== 'string')
      errors.push(`'${at}.text' must be a string`);
    const link: { href: string; text?: string } = { href: String(item.href) };
    if (typeof item.text === 'string') link.text = item.text;
    return link;
  });
  const images = checkList(body.images, 'images', errors, (item, at) => {
    if (!isHttpUrl(item.src))
      errors.push(item.src === undefined ? `'${at}.src' is missing` : `'${at}.src' must be an http(s) URL`);
    if (item.href !== undefined && !isHttpUrl(item.href)) errors.push(`'${at}.href' must be an http(s) URL`);
    if (item.alt !== undefined && typeof item.alt !== 'string') errors.push(`'${at}.alt' must be a string`);
    const image: { src: string; href?: string; alt?: string } = { src: String(item.src) };
    if (typeof item.href === 'string') image.href = item.href;
    if (typeof item.alt === 'string') image.alt = item.alt;
    return image;
  });

  if (errors.length > 0 || action === undefined || typeof routingKey !== 'string')
    return { ok: false, errors };

  const details: Record<string, unknown> = trigger ? { ...trigger.details } : {};
  // Top-level images win over a custom_details key of the same name: they are the documented field.
  if (images.length > 0) details.images = images;
  const event: IngestEvent = {
    action,
    summary: trigger?.summary ?? NON_TRIGGER_SUMMARY,
    severity: trigger?.severity ?? NON_TRIGGER_SEVERITY,
    source: trigger?.source ?? DEFAULT_SOURCE,
    labels: trigger?.labels ?? {},
    details,
    links,
  };
  if (dedupKey !== undefined) event.dedupKey = dedupKey;
  if (trigger?.occurredAt !== undefined) event.occurredAt = trigger.occurredAt;
  const value: PagerDutyEvent = { routingKey, event };
  if (client !== undefined) value.client = client;
  if (typeof clientUrl === 'string') value.clientUrl = clientUrl;
  return { ok: true, value };
}

interface TriggerFields {
  summary: string;
  source: string;
  severity: Severity;
  labels: Record<string, string>;
  details: Record<string, unknown>;
  occurredAt?: string;
}

/** Returns a trigger's payload fields, or undefined after pushing what is wrong with it. */
function checkPayload(payload: unknown, errors: string[]): TriggerFields | undefined {
  if (payload === undefined || payload === null) {
    errors.push("'payload' is missing");
    return undefined;
  }
  if (!isRecord(payload)) {
    errors.push(`'payload' must be an object, not ${describeType(payload)}`);
    return undefined;
  }
  const before = errors.length;
  const summary = requiredString(payload, 'summary', MAX_SUMMARY, errors);
  const source = requiredString(payload, 'source', MAX_FIELD, errors);

  let severity: Severity | undefined;
  const rawSeverity = payload.severity;
  if (rawSeverity === undefined || rawSeverity === null || rawSeverity === '') {
    errors.push("'payload.severity' is missing or blank");
  } else if (typeof rawSeverity === 'string' && (PD_SEVERITIES as readonly string[]).includes(rawSeverity)) {
    severity = PD_SEVERITY_MAP[rawSeverity as PagerDutySeverity];
  } else {
    errors.push(`'payload.severity' must be one of ${PD_SEVERITIES.join(', ')}`);
  }

  let occurredAt: string | undefined;
  if (payload.timestamp !== undefined && payload.timestamp !== null) {
    occurredAt = parseTimestamp(payload.timestamp) ?? undefined;
    if (occurredAt === undefined)
      errors.push("'payload.timestamp' must be an ISO 8601 date-time with a time zone");
  }

  const labels: Record<string, string> = {};
  for (const name of ['component', 'group', 'class'] as const) {
    const v = optionalString(payload, name, errors, `payload.${name}`);
    if (v !== undefined && v !== '') labels[name] = v;
  }

  const custom = payload.custom_details;
  let details: Record<string, unknown> = {};
  if (isRecord(custom)) details = { ...custom };
  else if (custom !== undefined && custom !== null) details = { custom_details: custom };

  if (errors.length > before || summary === undefined || source === undefined || severity === undefined)
    return undefined;
  const fields: TriggerFields = { summary, source, severity, labels, details };
  if (occurredAt !== undefined) fields.occurredAt = occurredAt;
  return fields;
}

/** Returns a non-blank string of at most max characters at payload[name], or pushes why not. */
function requiredString(
  payload: Record<string, unknown>,
  name: string,
  max: number,
  errors: string[],
): string | undefined {
  const v = payload[name];
  const field = `'payload.${name}'`;
  if (v === undefined || v === null || (typeof v === 'string' && isBlank(v)))
    errors.push(`${field} is missing or blank`);
  else if (typeof v !== 'string') errors.push(`${field} must be a string`);
  else if (charLength(v) > max) errors.push(`${field} must be at most ${max} characters`);
  else return v;
  return undefined;
}

/** Returns an optional string of at most 255 characters, or pushes why it is not one. */
function optionalString(
  obj: Record<string, unknown>,
  name: string,
  errors: string[],
  field: string = name,
): string | undefined {
  const v = obj[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') errors.push(`'${field}' must be a string`);
  else if (charLength(v) > MAX_FIELD) errors.push(`'${field}' must be at most ${MAX_FIELD} characters`);
  else return v;
  return undefined;
}

/** Returns each object of an optional list through check, pushing shape errors for the list and its items. */
function checkList<T>(
  value: unknown,
  name: string,
  errors: string[],
  check: (item: Record<string, unknown>, at: string) => T,
): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(`'${name}' must be an array`);
    return [];
  }
  if (value.length > MAX_LINKS) errors.push(`'${name}' must have at most ${MAX_LINKS} entries`);
  const out: T[] = [];
  value.forEach((item: unknown, i) => {
    if (isRecord(item)) out.push(check(item, `${name}[${i}]`));
    else errors.push(`'${name}[${i}]' must be an object`);
  });
  return out;
}
