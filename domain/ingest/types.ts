/** What every ingest path (PagerDuty Events v2, Alertmanager, generic JSON, anomaly detectors) turns a request into. */
import type { Severity } from '../severity';

export type IngestAction = 'trigger' | 'acknowledge' | 'resolve';

export interface IngestEvent {
  action: IngestAction;
  /** Absent on a trigger without one: the caller generates a key (PagerDuty semantics). */
  dedupKey?: string;
  summary: string;
  severity: Severity;
  source: string;
  labels: Record<string, string>;
  details: Record<string, unknown>;
  links: { href: string; text?: string }[];
  /** When the monitoring system says it happened (ISO), if it says. */
  occurredAt?: string;
  /** Alerts sharing a group key within the grouping window page once (Alertmanager's groupKey, or derived). */
  groupKey?: string;
}

/** A parse result: the events, or every problem found (each naming the field). */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };
