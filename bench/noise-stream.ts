/**
 * A replayable synthetic event stream of the kind a monitoring stack sends on a bad afternoon: a few
 * real incidents, alert storms where one failure fires dozens of checks, flapping checks, and the
 * resends every monitor makes while something is still firing. Pure and seeded: the same seed gives the
 * same stream, so a change to dedup or grouping is measured against exactly the same input.
 */
import { prng } from '../domain/oncall/reference.test-helpers';

export interface StreamEvent {
  /** Milliseconds from the start of the stream. */
  at: number;
  /** A PagerDuty Events v2 body without its routing key (the replayer adds it). */
  body: {
    event_action: 'trigger' | 'acknowledge' | 'resolve';
    dedup_key: string;
    payload?: { summary: string; source: string; severity: 'critical' | 'error' | 'warning' | 'info'; component: string };
  };
  /** What produced the event, for the report. */
  kind: 'incident' | 'storm' | 'flap' | 'resend';
}

export interface StreamOptions {
  seed: number;
  hours: number;
  incidents: number;
  storms: number;
  /** Alerts per storm, spread over its first minutes. */
  stormSize: number;
  flappingChecks: number;
  /** Monitors resend a firing alert this often (Alertmanager's repeat_interval, Nagios re-notification). */
  resendEveryMinutes: number;
}

export const DEFAULT_STREAM: StreamOptions = { seed: 42, hours: 4, incidents: 6, storms: 3, stormSize: 60, flappingChecks: 8, resendEveryMinutes: 2 };

const MINUTE = 60_000;

/** Returns the stream's events in time order. */
export function generateStream(opts: StreamOptions = DEFAULT_STREAM): StreamEvent[] {
  const rnd = prng(opts.seed);
  const between = (lo: number, hi: number) => lo + rnd() * (hi - lo);
  const span = opts.hours * 60 * MINUTE;
  const events: StreamEvent[] = [];
  const trigger = (at: number, key: string, component: string, summary: string, severity: 'critical' | 'error' | 'warning', kind: StreamEvent['kind']) =>
    events.push({ at: Math.round(at), kind, body: { event_action: 'trigger', dedup_key: key, payload: { summary, source: `${component}-host`, severity, component } } });
  const resolve = (at: number, key: string, kind: StreamEvent['kind']) => events.push({ at: Math.round(at), kind, body: { event_action: 'resolve', dedup_key: key } });
  /** A firing alert: triggered, resent while it fires, resolved by its monitor. */
  const firing = (start: number, end: number, key: string, component: string, summary: string, severity: 'critical' | 'error' | 'warning', kind: StreamEvent['kind']) => {
    trigger(start, key, component, summary, severity, kind);
    for (let t = start + opts.resendEveryMinutes * MINUTE; t < end; t += opts.resendEveryMinutes * MINUTE) trigger(t, key, component, summary, severity, 'resend');
    resolve(end, key, kind);
  };

  for (let i = 0; i < opts.incidents; i++) {
    const start = between(0, span * 0.8);
    firing(start, start + between(15, 45) * MINUTE, `incident-${i}`, `service-${i}`, `Error rate above 5% on service-${i}`, 'critical', 'incident');
  }
  for (let s = 0; s < opts.storms; s++) {
    // One broken dependency fires a check on every host that uses it, within a few minutes.
    const start = between(0, span * 0.8);
    const component = `dependency-${s}`;
    const end = start + between(10, 30) * MINUTE;
    for (let h = 0; h < opts.stormSize; h++) {
      firing(start + between(0, 4) * MINUTE, end + between(0, 2) * MINUTE, `storm-${s}-host-${h}`, component, `host-${h} cannot reach ${component}`, 'error', 'storm');
    }
  }
  for (let f = 0; f < opts.flappingChecks; f++) {
    // A check on a threshold: fires for a few minutes, clears for a few, again and again.
    let t = between(0, span * 0.5);
    const stop = t + between(60, 120) * MINUTE;
    while (t < stop) {
      const up = between(2, 6) * MINUTE;
      firing(t, t + up, `flap-${f}`, `disk-${f}`, `disk-${f} above 90%`, 'warning', 'flap');
      t += up + between(3, 12) * MINUTE;
    }
  }
  return events.sort((a, b) => a.at - b.at || a.body.dedup_key.localeCompare(b.body.dedup_key));
}

/** Counts of the stream by what produced each event. */
export function describeStream(events: readonly StreamEvent[]): Record<StreamEvent['kind'] | 'total', number> {
  const counts = { incident: 0, storm: 0, flap: 0, resend: 0, total: events.length };
  for (const e of events) counts[e.kind] += 1;
  return counts;
}
