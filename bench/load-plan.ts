/**
 * What the load test sends and does, and when: new alerts paced at a steady rate over four services (one
 * per way in: POST /alerts, PagerDuty, generic JSON, Alertmanager with its group keys), repeats of open
 * alerts under the same dedup key, and the responders' acknowledges and resolves. Pure and seeded: the
 * same options give the same load, so a change is measured against the same input.
 */
import { prng } from '../domain/oncall/reference.test-helpers';
import type { Severity } from '../domain/severity';

export type Route = 'rest' | 'pagerduty' | 'generic' | 'alertmanager';

/** The service each way in reports for; only Alertmanager's (checkout) groups its alerts. */
export const ROUTE_SERVICE: Readonly<Record<Route, string>> = {
  rest: 'web',
  pagerduty: 'payments',
  generic: 'search',
  alertmanager: 'checkout',
};

/** How the alerts that are not grouped are spread over the other ways in. */
const UNGROUPED_ROUTES: readonly [Route, number][] = [
  ['pagerduty', 0.45],
  ['generic', 0.3],
  ['rest', 0.25],
];

/** Severities of alerts that do not page (critical is decided apart, by `criticalShare`). */
const QUIET_SEVERITIES: readonly [Severity, number][] = [
  ['high', 0.15],
  ['medium', 0.35],
  ['low', 0.25],
  ['info', 0.25],
];

export interface LoadOptions {
  seed: number;
  /** Alerts still open once everything is sent: the ones held open at the end. */
  alerts: number;
  /** New alerts offered per second. */
  rate: number;
  /** Extra alerts, as a share of `alerts`, that a responder resolves through the API. */
  resolveShare: number;
  /** Share of the quiet ungrouped alerts that a responder acknowledges through the API (they stay open). */
  ackShare: number;
  /** Repeats of open alerts (same dedup key), as a share of `alerts`. */
  duplicateShare: number;
  /** Share of the ungrouped alerts that are critical: each pages, and is acknowledged once paged. */
  criticalShare: number;
  /** Share of all alerts sent through Alertmanager into groups. */
  groupShare: number;
  /** Alerts per Alertmanager group key (one incident each). */
  groupSize: number;
  /** Share of the groups that are critical: each pages once, and is acknowledged as a group once paged. */
  criticalGroupShare: number;
}

export const DEFAULT_LOAD: LoadOptions = {
  seed: 12,
  alerts: 10_000,
  // Recorded as fast as offered on a 2-core machine running nothing else; 20/s outran it (README).
  rate: 8,
  resolveShare: 0.05,
  ackShare: 0.1,
  duplicateShare: 0.2,
  criticalShare: 0.03,
  groupShare: 0.2,
  groupSize: 25,
  criticalGroupShare: 0.2,
};

/**
 * What happens to an alert after it is sent: nothing (`open`), acknowledged or resolved a while after it
 * is recorded, or (`paged`) acknowledged once its pages have come, alone or with its group.
 */
export type Fate = 'open' | 'ack' | 'resolve' | 'paged';

/** The delays a responder takes, in milliseconds, drawn uniformly from [min, max]. */
export const ACTION_DELAY_MS: Readonly<Record<Exclude<Fate, 'open'>, [number, number]>> = {
  ack: [10_000, 90_000],
  resolve: [20_000, 180_000],
  paged: [5_000, 30_000],
};

/** When a repeat follows its alert's first event, in milliseconds, drawn uniformly from [min, max]. */
export const DUPLICATE_DELAY_MS: readonly [number, number] = [2_000, 120_000];

export interface PlannedAlert {
  /** The dedup key (also the fingerprint), and the first word of the summary, so a page names it. */
  key: string;
  route: Route;
  service: string;
  severity: Severity;
  /** Index into `groups`, for alerts sent through Alertmanager. */
  group?: number;
  /** Milliseconds from the start: when its first event is due. */
  at: number;
  fate: Fate;
  /** For ack and resolve: after the record; for paged: after its last page (a group acts once, for all). */
  actionDelayMs: number;
}

export interface PlannedGroup {
  /** Alertmanager's groupKey. */
  key: string;
  critical: boolean;
  /** Indexes into `alerts`, in the order sent. */
  alerts: number[];
  /** For a critical group: how long after its last page it is acknowledged. */
  actionDelayMs: number;
}

export interface PlannedEvent {
  /** Milliseconds from the start. */
  at: number;
  /** Index into `alerts`. */
  alert: number;
  kind: 'new' | 'duplicate';
}

export interface LoadPlan {
  options: LoadOptions;
  runId: string;
  alerts: PlannedAlert[];
  groups: PlannedGroup[];
  /** Every event in the order it is due. */
  events: PlannedEvent[];
}

/** Returns the plan; `runId` prefixes every dedup key and group key, so runs on one database never meet. */
export function planLoad(o: LoadOptions, runId: string): LoadPlan {
  if (!(Number.isInteger(o.alerts) && o.alerts >= 1))
    throw new RangeError('alerts must be a whole number ≥ 1');
  if (!(o.rate > 0)) throw new RangeError('rate must be > 0');
  if (!(Number.isInteger(o.groupSize) && o.groupSize >= 1))
    throw new RangeError('groupSize must be a whole number ≥ 1');
  for (const [name, v] of Object.entries(o))
    if (name.endsWith('Share') && !(v >= 0 && (v <= 1 || name === 'duplicateShare')))
      throw new RangeError(`${name} must be within 0..1`);
  if (!/^[A-Za-z0-9]+$/.test(runId)) throw new RangeError('runId must be letters and digits');

  const rnd = prng(o.seed);
  const between = ([min, max]: readonly [number, number]) => Math.round(min + rnd() * (max - min));
  const resolves = Math.round(o.alerts * o.resolveShare);
  const total = o.alerts + resolves;
  const width = String(total - 1).length;
  const alerts: PlannedAlert[] = [];
  const groups: PlannedGroup[] = [];
  let open: PlannedGroup | undefined;

  for (let i = 0; i < total; i++) {
    const key = `${runId}-${String(i).padStart(width, '0')}`;
    const at = Math.round((i * 1000) / o.rate);
    if (rnd() < o.groupShare) {
      // Groups fill one after another: an incident's alerts arrive together, as in an outage.
      if (!open || open.alerts.length >= o.groupSize) {
        const critical = rnd() < o.criticalGroupShare;
        open = {
          key: `{}/{load="${runId}"}:{alertname="CheckoutErrors", incident="${groups.length + 1}"}`,
          critical,
          alerts: [],
          actionDelayMs: critical ? between(ACTION_DELAY_MS.paged) : 0,
        };
        groups.push(open);
      }
      open.alerts.push(i);
      const severity: Severity = open.critical ? 'critical' : 'high';
      alerts.push({
        key,
        route: 'alertmanager',
        service: ROUTE_SERVICE.alertmanager,
        severity,
        group: groups.length - 1,
        at,
        fate: open.critical ? 'paged' : 'open',
        actionDelayMs: 0,
      });
      continue;
    }
    const route = pick(UNGROUPED_ROUTES, rnd());
    const critical = rnd() < o.criticalShare;
    let severity: Severity = critical ? 'critical' : pick(QUIET_SEVERITIES, rnd());
    // PagerDuty has four severities; Klaxon maps its `info` to info and has no way in for `low`.
    if (route === 'pagerduty' && severity === 'low') severity = 'info';
    alerts.push({
      key,
      route,
      service: ROUTE_SERVICE[route],
      severity,
      at,
      fate: critical ? 'paged' : 'open',
      actionDelayMs: critical ? between(ACTION_DELAY_MS.paged) : 0,
    });
  }

  // Resolves and acknowledges go to quiet ungrouped alerts only: a page or a group's leader never
  // changes under them, so the pages expected stay exact.
  const quiet = shuffle(
    alerts.flatMap((a, i) => (a.fate === 'open' && a.group === undefined ? [i] : [])),
    rnd,
  );
  const resolved = quiet.slice(0, resolves);
  const acked = quiet.slice(resolves, resolves + Math.round((quiet.length - resolves) * o.ackShare));
  for (const i of resolved)
    Object.assign(alerts[i]!, { fate: 'resolve', actionDelayMs: between(ACTION_DELAY_MS.resolve) });
  for (const i of acked)
    Object.assign(alerts[i]!, { fate: 'ack', actionDelayMs: between(ACTION_DELAY_MS.ack) });

  const events: PlannedEvent[] = alerts.map((a, i) => ({ at: a.at, alert: i, kind: 'new' }));
  // Repeats only of alerts that stay open: a repeat of a resolved alert would reopen it.
  const repeatable = alerts.flatMap((a, i) => (a.fate === 'resolve' ? [] : [i]));
  const duplicates = repeatable.length > 0 ? Math.round(o.alerts * o.duplicateShare) : 0;
  for (let d = 0; d < duplicates; d++) {
    const i = repeatable[Math.floor(rnd() * repeatable.length)]!;
    events.push({ at: alerts[i]!.at + between(DUPLICATE_DELAY_MS), alert: i, kind: 'duplicate' });
  }
  events.sort((a, b) => a.at - b.at || a.alert - b.alert || (a.kind === 'new' ? -1 : 1));
  return { options: o, runId, alerts, groups, events };
}

export interface PlanCounts {
  alerts: number;
  events: number;
  duplicates: number;
  byRoute: Record<Route, number>;
  bySeverity: Record<Severity, number>;
  byFate: Record<Fate, number>;
  groups: number;
  groupedAlerts: number;
  criticalGroups: number;
  /** Ungrouped critical alerts and critical groups: each is paged once on every tier-1 contact. */
  pagedIncidents: number;
  /** Alerts open once every resolve is done. */
  openAtEnd: number;
  /** Milliseconds from the start to the last event due. */
  lastEventAt: number;
}

/** Returns the plan's size by route, severity, fate and kind of event. */
export function describePlan(plan: LoadPlan): PlanCounts {
  const tally = <K extends string>(keys: readonly K[], of: (a: PlannedAlert) => K) => {
    const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
    for (const a of plan.alerts) out[of(a)] += 1;
    return out;
  };
  const byFate = tally(['open', 'ack', 'resolve', 'paged'] as const, (a) => a.fate);
  const duplicates = plan.events.filter((e) => e.kind === 'duplicate').length;
  const criticalGroups = plan.groups.filter((g) => g.critical).length;
  return {
    alerts: plan.alerts.length,
    events: plan.events.length,
    duplicates,
    byRoute: tally(['rest', 'pagerduty', 'generic', 'alertmanager'] as const, (a) => a.route),
    bySeverity: tally(['critical', 'high', 'medium', 'low', 'info'] as const, (a) => a.severity),
    byFate,
    groups: plan.groups.length,
    groupedAlerts: plan.alerts.filter((a) => a.group !== undefined).length,
    criticalGroups,
    pagedIncidents:
      plan.alerts.filter((a) => a.fate === 'paged' && a.group === undefined).length + criticalGroups,
    openAtEnd: plan.alerts.length - byFate.resolve,
    lastEventAt: plan.events.at(-1)?.at ?? 0,
  };
}

function pick<T>(weights: readonly [T, number][], x: number): T {
  const sum = weights.reduce((n, [, w]) => n + w, 0);
  let acc = 0;
  for (const [value, w] of weights) {
    acc += w / sum;
    if (x < acc) return value;
  }
  return weights.at(-1)![0];
}

/** Fisher–Yates with the seeded generator; shuffles in place and returns the array. */
function shuffle<T>(list: T[], rnd: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}
