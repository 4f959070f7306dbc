/**
 * Anomaly events from ML detectors: a score is mapped to a severity through bands, and the event is keyed
 * by model and metric so a detector re-reporting the same anomaly updates one alert instead of paging again. Pure.
 */
import { isSeverity, SEVERITIES, type Severity } from '../severity';
import { charLength, describeType, isBlank, isRecord, parseTimestamp, truncate } from './fields';
import type { IngestEvent, ParseResult } from './types';

export interface SeverityBand {
  /** The lowest score (inclusive) in this band. */
  min: number;
  severity: Severity;
}

/**
 * Defaults for detectors scoring in [0, 1]: ≥ 0.95 critical, ≥ 0.85 high, ≥ 0.7 medium, ≥ 0.5 low, below
 * that info. Only near-certain anomalies wake someone; the long tail of weak scores is kept but quiet.
 */
export const DEFAULT_ANOMALY_BANDS: readonly SeverityBand[] = [
  { min: 0.95, severity: 'critical' },
  { min: 0.85, severity: 'high' },
  { min: 0.7, severity: 'medium' },
  { min: 0.5, severity: 'low' },
];

/** A score below every band is 'info': a band set that forgot the bottom must never page on noise. */
export const BELOW_BANDS_SEVERITY: Severity = 'info';

const MAX_SUMMARY = 1024;
const MAX_KEY = 255;

/** Returns every problem with a band list: empty, non-finite mins, unknown severities, mins not strictly descending. */
export function validateBands(bands: readonly SeverityBand[]): string[] {
  if (!Array.isArray(bands) || bands.length === 0) return ['at least one band is required'];
  const errors: string[] = [];
  bands.forEach((band: unknown, i) => {
    if (!isRecord(band)) {
      errors.push(`bands[${i}] must be an object`);
      return;
    }
    if (typeof band.min !== 'number' || !Number.isFinite(band.min))
      errors.push(`bands[${i}].min must be a finite number`);
    if (!isSeverity(band.severity))
      errors.push(`bands[${i}].severity must be one of ${SEVERITIES.join(', ')}`);
  });
  if (errors.length > 0) return errors;
  // Sorted highest first so the first band a score reaches is its band; equal mins would make one unreachable.
  for (let i = 1; i < bands.length; i++) {
    const prev = (bands[i - 1] as SeverityBand).min;
    const cur = (bands[i] as SeverityBand).min;
    if (cur === prev) errors.push(`bands[${i}].min duplicates bands[${i - 1}].min (${cur})`);
    else if (cur > prev)
      errors.push(
        `bands[${i}].min (${cur}) must be lower than bands[${i - 1}].min (${prev}): bands go highest first`,
      );
  }
  return errors;
}

/** Returns the severity of the highest band whose min is at most score, else info. */
export function bandSeverity(score: number, bands: readonly SeverityBand[]): Severity {
  return bands.find((b) => b.min <= score)?.severity ?? BELOW_BANDS_SEVERITY;
}

/** Returns the Klaxon event for an anomaly detector's report, or every problem found. */
export function parseAnomalyEvent(
  body: unknown,
  bands: readonly SeverityBand[] = DEFAULT_ANOMALY_BANDS,
): ParseResult<IngestEvent> {
  const bandErrors = validateBands(bands).map((e) => `bands: ${e}`);
  if (bandErrors.length > 0) return { ok: false, errors: bandErrors };
  if (!isRecord(body))
    return { ok: false, errors: [`body must be a JSON object, not ${describeType(body)}`] };
  const errors: string[] = [];

  const metric = requiredString(body, 'metric', errors);
  const model = requiredString(body, 'model', errors);
  const score = number(body, 'score', errors, true);
  const threshold = number(body, 'threshold', errors);
  const value = number(body, 'value', errors);
  const expected = number(body, 'expected', errors);

  const service = body.service;
  if (service !== undefined && service !== null && typeof service !== 'string')
    errors.push('service must be a string');

  let occurredAt: string | undefined;
  if (body.detected_at !== undefined && body.detected_at !== null) {
    occurredAt = parseTimestamp(body.detected_at) ?? undefined;
    if (occurredAt === undefined) errors.push('detected_at must be an ISO 8601 date-time with a time zone');
  }

  const dedup = body.dedup_key;
  if (dedup !== undefined && dedup !== null) {
    if (typeof dedup !== 'string' || isBlank(dedup)) errors.push('dedup_key must be a non-blank string');
    else if (charLength(dedup) > MAX_KEY) errors.push(`dedup_key must be at most ${MAX_KEY} characters`);
  }

  const labels: Record<string, string> = {};
  if (body.labels !== undefined && body.labels !== null) {
    if (!isRecord(body.labels)) errors.push('labels must be an object');
    else
      for (const [k, v] of Object.entries(body.labels)) {
        if (typeof v === 'string') labels[k] = v;
        else errors.push(`labels.${k} must be a string`);
      }
  }
  if (body.details !== undefined && body.details !== null && !isRecord(body.details))
    errors.push('details must be an object');

  if (errors.length > 0 || metric === undefined || model === undefined || score === undefined)
    return { ok: false, errors };

  // The body's own fields win over same-named labels and details: they are what the detector reported.
  Object.assign(labels, { metric, model }, typeof service === 'string' && service !== '' ? { service } : {});
  const details: Record<string, unknown> = { ...(isRecord(body.details) ? body.details : {}), score, model };
  for (const [k, v] of Object.entries({ threshold, value, expected })) if (v !== undefined) details[k] = v;

  const event: IngestEvent = {
    action: 'trigger',
    dedupKey: typeof dedup === 'string' ? dedup : `anomaly:${model}:${metric}`,
    summary: truncate(
      `Anomaly in ${metric}: score ${short(score)}${threshold === undefined ? '' : ` (threshold ${short(threshold)})`} by ${model}`,
      MAX_SUMMARY,
    ),
    severity: bandSeverity(score, bands),
    source: model,
    labels,
    details,
    links: [],
  };
  if (occurredAt !== undefined) event.occurredAt = occurredAt;
  return { ok: true, value: event };
}

/** Returns a number with at most four significant digits, so a summary reads 0.9712 rather than 0.97123456789. */
function short(n: number): string {
  return String(Number(n.toPrecision(4)));
}

/** Returns a non-blank string field, or pushes why it is not one. */
function requiredString(body: Record<string, unknown>, name: string, errors: string[]): string | undefined {
  const v = body[name];
  if (v === undefined || v === null || (typeof v === 'string' && isBlank(v)))
    errors.push(`${name} is missing or blank`);
  else if (typeof v !== 'string') errors.push(`${name} must be a string, not ${describeType(v)}`);
  else if (charLength(v) > MAX_KEY) errors.push(`${name} must be at most ${MAX_KEY} characters`);
  else return v;
  return undefined;
}

/** Returns a finite number field, or pushes why it is not one (missing only matters when required). */
function number(
  body: Record<string, unknown>,
  name: string,
  errors: string[],
  required = false,
): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) {
    if (required) errors.push(`${name} is missing`);
    return undefined;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  errors.push(`${name} must be a finite number, not ${typeof v === 'number' ? String(v) : describeType(v)}`);
  return undefined;
}
