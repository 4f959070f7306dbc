/**
 * Prometheus Alertmanager webhook receiver (payload version 4): one Klaxon event per alert in the
 * notification, keyed by the alert's fingerprint and grouped by Alertmanager's own groupKey. Pure.
 */
import type { Severity } from '../severity';
import {
  describeType,
  isBlank,
  isHttpUrl,
  isRecord,
  parseTimestamp,
  stringEntries,
  truncate,
} from './fields';
import type { IngestEvent, ParseResult } from './types';

export interface AlertmanagerOptions {
  /** The label carrying the severity; 'severity' is the Prometheus community convention. */
  severityLabel?: string;
}

const MAX_SUMMARY = 1024;

// Common spellings across Prometheus rule sets (severity words, PagerDuty-style p1–p5, ITIL-ish names).
const SEVERITY_WORDS: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  page: 'critical',
  p1: 'critical',
  error: 'high',
  high: 'high',
  major: 'high',
  p2: 'high',
  warning: 'medium',
  warn: 'medium',
  medium: 'medium',
  p3: 'medium',
  low: 'low',
  minor: 'low',
  p4: 'low',
  info: 'info',
  informational: 'info',
  none: 'info',
  p5: 'info',
};

/**
 * A missing or unknown severity label is 'high': an alert rule somebody wrote is worth a look, and it
 * matches Alertmanager's own pagerduty_configs default ('error', which Klaxon's PagerDuty path maps to high).
 */
export const ALERTMANAGER_DEFAULT_SEVERITY: Severity = 'high';

/** Returns the Klaxon severity for a severity label value, case-insensitively, defaulting to high. */
export function alertmanagerSeverity(value: string | undefined): Severity {
  if (value === undefined) return ALERTMANAGER_DEFAULT_SEVERITY;
  const key = value.trim().toLowerCase();
  return Object.hasOwn(SEVERITY_WORDS, key)
    ? (SEVERITY_WORDS[key] ?? ALERTMANAGER_DEFAULT_SEVERITY)
    : ALERTMANAGER_DEFAULT_SEVERITY;
}

/** Returns one event per alert of an Alertmanager v4 webhook body (an empty list is fine), or every problem found. */
export function parseAlertmanagerPayload(
  body: unknown,
  opts: AlertmanagerOptions = {},
): ParseResult<IngestEvent[]> {
  if (!isRecord(body))
    return { ok: false, errors: [`payload must be a JSON object, not ${describeType(body)}`] };
  const severityLabel = opts.severityLabel ?? 'severity';
  const errors: string[] = [];

  if (body.version === undefined) errors.push('version is missing');
  else if (body.version !== '4') errors.push(`version must be "4", got ${JSON.stringify(body.version)}`);
  const groupKey = optionalString(body, 'groupKey', errors);
  const receiver = optionalString(body, 'receiver', errors);
  const externalURL = optionalString(body, 'externalURL', errors);

  const events: IngestEvent[] = [];
  if (!Array.isArray(body.alerts)) {
    errors.push(
      body.alerts === undefined
        ? 'alerts is missing'
        : `alerts must be an array, not ${describeType(body.alerts)}`,
    );
  } else {
    body.alerts.forEach((alert: unknown, i) => {
      const event = parseAlert(alert, `alerts[${i}]`, errors, { severityLabel, receiver, externalURL });
      if (event) {
        if (groupKey !== undefined && groupKey !== '') event.groupKey = groupKey;
        events.push(event);
      }
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: events };
}

interface Context {
  severityLabel: string;
  receiver: string | undefined;
  externalURL: string | undefined;
}

/** Returns the event for one alert, or undefined after pushing what is wrong with it. */
function parseAlert(alert: unknown, at: string, errors: string[], ctx: Context): IngestEvent | undefined {
  if (!isRecord(alert)) {
    errors.push(`${at} must be an object, not ${describeType(alert)}`);
    return undefined;
  }
  const before = errors.length;

  const status = alert.status;
  if (status === undefined) errors.push(`${at}.status is missing`);
  else if (status !== 'firing' && status !== 'resolved')
    errors.push(`${at}.status must be "firing" or "resolved"`);

  const fingerprint = alert.fingerprint;
  if (fingerprint === undefined || fingerprint === null || fingerprint === '')
    errors.push(`${at}.fingerprint is missing`);
  else if (typeof fingerprint !== 'string') errors.push(`${at}.fingerprint must be a string`);

  const labels = optionalObject(alert, 'labels', at, errors);
  const annotations = optionalObject(alert, 'annotations', at, errors);

  let occurredAt: string | undefined;
  if (alert.startsAt !== undefined) {
    occurredAt = parseTimestamp(alert.startsAt) ?? undefined;
    if (occurredAt === undefined) errors.push(`${at}.startsAt must be an RFC 3339 timestamp`);
  }
  // Firing alerts carry endsAt "0001-01-01T00:00:00Z" (Go's zero time); it is valid and kept as sent.
  if (alert.endsAt !== undefined && parseTimestamp(alert.endsAt) === null)
    errors.push(`${at}.endsAt must be an RFC 3339 timestamp`);
  const generatorURL = optionalString(alert, 'generatorURL', errors, at);

  if (errors.length > before || typeof fingerprint !== 'string') return undefined;

  const event: IngestEvent = {
    action: status === 'resolved' ? 'resolve' : 'trigger',
    dedupKey: fingerprint,
    summary: truncate(
      firstPresent(annotations.summary, annotations.description, labels.alertname) ?? 'Alertmanager alert',
      MAX_SUMMARY,
    ),
    severity: alertmanagerSeverity(
      Object.hasOwn(labels, ctx.severityLabel) ? labels[ctx.severityLabel] : undefined,
    ),
    source: firstPresent(labels.instance, labels.job, ctx.receiver) ?? 'alertmanager',
    labels,
    details: {
      annotations,
      startsAt: alert.startsAt,
      endsAt: alert.endsAt,
      generatorURL,
      externalURL: ctx.externalURL,
    },
    // Prometheus leaves generatorURL empty or relative when --web.external-url is unset: no link then.
    links: isHttpUrl(generatorURL) ? [{ href: generatorURL, text: 'Source' }] : [],
  };
  if (occurredAt !== undefined) event.occurredAt = occurredAt;
  return event;
}

/** Returns the first value that is a non-blank string: an empty annotation should not hide the next fallback. */
function firstPresent(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && !isBlank(v));
}

/** Returns an optional string field, or pushes that it has another type. */
function optionalString(
  obj: Record<string, unknown>,
  name: string,
  errors: string[],
  at?: string,
): string | undefined {
  const v = obj[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  errors.push(`${at === undefined ? '' : `${at}.`}${name} must be a string`);
  return undefined;
}

/** Returns the string entries of an optional object field (labels, annotations), or pushes that it is not one. */
function optionalObject(
  obj: Record<string, unknown>,
  name: string,
  at: string,
  errors: string[],
): Record<string, string> {
  const v = obj[name];
  if (v === undefined || v === null) return {};
  if (isRecord(v)) return stringEntries(v);
  errors.push(`${at}.${name} must be an object`);
  return {};
}
