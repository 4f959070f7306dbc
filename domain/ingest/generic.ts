/**
 * Generic JSON webhook: a per-integration mapping of JSONPath-subset paths picks the summary, severity,
 * status, dedup key and source out of any JSON body, so tools without a dedicated parser can still page. Pure.
 */
import { isSeverity, SEVERITIES, type Severity } from '../severity';
import { charLength, describeType, isBlank, isRecord } from './fields';
import { getPath, validatePath } from './jsonpath';
import type { IngestAction, IngestEvent, ParseResult } from './types';

export { getPath, validatePath } from './jsonpath';

export interface FieldMapping {
  summary: string;
  severity?: string;
  dedupKey?: string;
  status?: string;
  source?: string;
  /** Body value → Klaxon severity, matched case-insensitively. */
  severityMap?: Record<string, Severity>;
  resolvedValues?: string[];
  acknowledgedValues?: string[];
  defaultSeverity?: Severity;
}

export const DEFAULT_RESOLVED_VALUES: readonly string[] = ['resolved', 'ok', 'closed', 'recovered'];
export const DEFAULT_ACKNOWLEDGED_VALUES: readonly string[] = ['acknowledged', 'ack'];
/** Without a mapped or recognisable severity an event is 'high': better a page someone downgrades than a missed one. */
export const GENERIC_DEFAULT_SEVERITY: Severity = 'high';
export const GENERIC_DEFAULT_SOURCE = 'webhook';

const MAX_SUMMARY = 1024;
// The same limits as the PagerDuty path, so a generic dedup key or source fits wherever a PagerDuty one does.
const MAX_KEY = 255;
const PATH_FIELDS = ['summary', 'severity', 'dedupKey', 'status', 'source'] as const;

/** Returns every problem with a mapping (bad paths, unknown severities), empty when it is usable. */
export function validateMapping(mapping: FieldMapping): string[] {
  const errors: string[] = [];
  for (const field of PATH_FIELDS) {
    const path: unknown = mapping[field];
    if (path === undefined && field !== 'summary') continue;
    const problem = path === undefined ? 'a path is required' : validatePath(path);
    if (problem !== null) errors.push(`${field}: ${problem}`);
  }
  const allowed = SEVERITIES.join(', ');
  for (const [value, severity] of Object.entries(mapping.severityMap ?? {})) {
    if (!isSeverity(severity))
      errors.push(`severityMap[${JSON.stringify(value)}]: must be one of ${allowed}`);
  }
  if (mapping.defaultSeverity !== undefined && !isSeverity(mapping.defaultSeverity))
    errors.push(`defaultSeverity: must be one of ${allowed}`);
  for (const field of ['resolvedValues', 'acknowledgedValues'] as const) {
    const values: unknown = mapping[field];
    if (values !== undefined && !(Array.isArray(values) && values.every((v) => typeof v === 'string')))
      errors.push(`${field}: must be a list of strings`);
  }
  return errors;
}

/** Returns the event a mapping picks out of a webhook body, or every problem found (naming field and path). */
export function applyMapping(body: unknown, mapping: FieldMapping): ParseResult<IngestEvent> {
  const mappingErrors = validateMapping(mapping);
  if (mappingErrors.length > 0) return { ok: false, errors: mappingErrors };
  const errors: string[] = [];

  const summary = text(body, 'summary', mapping.summary, MAX_SUMMARY, errors, true);
  const dedupKey =
    mapping.dedupKey === undefined ? undefined : text(body, 'dedupKey', mapping.dedupKey, MAX_KEY, errors);
  const source =
    mapping.source === undefined ? undefined : text(body, 'source', mapping.source, MAX_KEY, errors);
  if (errors.length > 0 || summary === undefined) return { ok: false, errors };

  const event: IngestEvent = {
    action: action(mapping.status === undefined ? undefined : getPath(body, mapping.status), mapping),
    summary,
    severity: severity(mapping.severity === undefined ? undefined : getPath(body, mapping.severity), mapping),
    source: source ?? GENERIC_DEFAULT_SOURCE,
    labels: {},
    // A non-object body (an array, a scalar) is kept under `body` so nothing the sender said is lost.
    details: isRecord(body) ? body : { body },
    links: [],
  };
  if (dedupKey !== undefined) event.dedupKey = dedupKey;
  return { ok: true, value: event };
}

/** Returns a scalar as lower-case text for case-insensitive matching, or undefined for anything else. */
function scalarKey(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim().toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Returns the mapped severity, else the value itself when it is a Klaxon severity, else the default. */
function severity(value: unknown, mapping: FieldMapping): Severity {
  const key = scalarKey(value);
  if (key !== undefined) {
    for (const [from, to] of Object.entries(mapping.severityMap ?? {}))
      if (from.trim().toLowerCase() === key) return to;
    if (isSeverity(key)) return key;
  }
  return mapping.defaultSeverity ?? GENERIC_DEFAULT_SEVERITY;
}

/** Returns resolve or acknowledge when the status matches their values (resolve is checked first), else trigger. */
function action(value: unknown, mapping: FieldMapping): IngestAction {
  const key = scalarKey(value);
  if (key === undefined) return 'trigger';
  const matches = (values: readonly string[]) => values.some((v) => v.trim().toLowerCase() === key);
  if (matches(mapping.resolvedValues ?? DEFAULT_RESOLVED_VALUES)) return 'resolve';
  if (matches(mapping.acknowledgedValues ?? DEFAULT_ACKNOWLEDGED_VALUES)) return 'acknowledge';
  return 'trigger';
}

/**
 * Returns the string or number at path as text; absent or blank gives undefined (an error when required),
 * and any other type or an over-long value pushes an error naming the field and path.
 */
function text(
  body: unknown,
  field: string,
  path: string,
  max: number,
  errors: string[],
  required = false,
): string | undefined {
  const v = getPath(body, path);
  if (v === undefined || v === null) {
    if (required) errors.push(`${field}: nothing at ${path}`);
    return undefined;
  }
  if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) {
    errors.push(`${field}: ${path} is ${describeType(v)}, expected a string or number`);
    return undefined;
  }
  const s = String(v);
  if (isBlank(s)) {
    if (required) errors.push(`${field}: ${path} is blank`);
    return undefined;
  }
  if (charLength(s) > max) {
    errors.push(`${field}: ${path} is longer than ${max} characters`);
    return undefined;
  }
  return s;
}
