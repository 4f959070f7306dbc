/**
 * What the load test concludes from what it observed: throughput and backlog, latencies (ingest, first
 * page, acknowledge), memory while the alerts are held open, and every error: non-2xx answers, alerts
 * lost, pages missing, doubled or unexpected. Pure.
 */
import { describePlan, type LoadPlan, type PlanCounts, type Route } from './load-plan';
import type { ActionKind, ActionOutcome } from './load-actions';
import type { DbSample, MemorySample } from './load-observe';
import type { ReceivedPage } from './load-pages';
import type { EventOutcome } from './load-send';
import { summarize, type Summary } from './stats';

export interface AlertRow {
  dedup_key: string;
  state: string;
  occurrences: number;
  group_id: string | null;
}

export interface LoadObservation {
  plan: LoadPlan;
  /** How the service ran: `npm start`, or `npm start` against DATABASE_URL / TEMPORAL_ADDRESS. */
  mode: string;
  /** Date.now() of time zero; pages' `at` are Date.now() values, every other time is relative to it. */
  start: number;
  events: EventOutcome[];
  actions: ActionOutcome[];
  pages: ReceivedPage[];
  /** The contacts each paged incident must reach once. */
  contacts: readonly string[];
  samples: DbSample[];
  memory: MemorySample[];
  /** The alerts of the run as recorded at the end. */
  rows: AlertRow[];
  klaxonGroups: number;
  load: { at: number; load1: number }[];
  uptime: { before: string; after: string };
  /** What was still missing when the wait for the record gave up. */
  gaveUp?: string;
}

export interface MemoryAt {
  serviceKb: number | undefined;
  temporalKb: number | undefined;
  postgresKb: number | undefined;
  postgresPssKb: number | undefined;
  postgresProcesses: number | undefined;
}

export interface LoadReport {
  options: LoadPlan['options'];
  counts: PlanCounts;
  mode: string;
  uptime: { before: string; after: string };
  load: { start: number; max: number; end: number } | undefined;
  send: {
    events: number;
    accepted: number;
    newAccepted: number;
    duplicatesAccepted: number;
    /** Events the sender gave up on (out of attempts, or refused for good). */
    neverAccepted: number;
    attempts: number;
    /** Every attempt not accepted, by status. */
    failures: Record<string, number>;
    firstErrors: string[];
    /** First send to last answer. */
    durationMs: number;
    /** How late events left: sent − due. */
    lateness: Summary | undefined;
    /** Send to 2xx, per accepted event, by way in. */
    latency: Partial<Record<Route, Summary>>;
  };
  throughput: {
    offeredPerSecond: number;
    acceptedPerSecond: number | null;
    /** Alerts recorded per second, from the first record to the last. */
    recordedPerSecond: number | null;
    /**
     * The same while events were still being sent, and after the last answer until the last record:
     * ingest and recording share the engine, so the first can be far below the second.
     */
    recordedWhileSendingPerSecond: number | null;
    recordedAfterSendingPerSecond: number | null;
    /** When Postgres held every accepted alert, from the start; null: never. */
    allRecordedMs: number | null;
    /** Accepted but not yet recorded, when the last event was answered, and at most. */
    backlogAtSendEnd: number;
    maxBacklog: number;
  };
  records: {
    expected: number;
    recorded: number;
    missing: number;
    occurrencesExpected: number;
    occurrencesRecorded: number;
    shortOfOccurrences: number;
    byState: Record<string, number>;
    klaxonGroups: number;
    plannedGroups: number;
    /** Alerts sent with a group key that were recorded in no group. */
    groupedWithoutGroup: number;
  };
  pages: {
    incidents: number;
    expected: number;
    /** Tier pages received, all of them. */
    received: number;
    missing: number;
    duplicated: number;
    unexpected: number;
    sla: number;
    other: number;
    /** Pages naming no alert of the run. */
    unmatched: number;
    incidentsNeverPaged: number;
    /** Accepting 2xx of the paged alert → the receiver getting its first page, per incident. */
    firstPage: Summary | undefined;
    /** The same for every expected page. */
    everyPage: Summary | undefined;
  };
  actions: Record<
    ActionKind,
    { planned: number; accepted: number; latency: Summary | undefined; failures: Record<string, number> }
  > & { notes: Record<string, number> };
  memory: {
    /** Idle, after set-up and before the first event. */
    baseline: MemoryAt | undefined;
    holdStart: MemoryAt | undefined;
    holdEnd: MemoryAt | undefined;
    holdMax: MemoryAt | undefined;
    holdMs: number;
    openDuringHold: { min: number; max: number } | undefined;
  };
  gaveUp?: string;
}

const add = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
};

/** Returns the plan's index of a run key (`<runId>-00042` → 42), or undefined for anything else. */
export function indexOfKey(plan: LoadPlan, key: string): number | undefined {
  if (!key.startsWith(`${plan.runId}-`)) return undefined;
  const i = Number(key.slice(plan.runId.length + 1));
  return Number.isInteger(i) && i >= 0 && i < plan.alerts.length ? i : undefined;
}

const memoryAt = (s: MemorySample | undefined): MemoryAt | undefined =>
  s && {
    serviceKb: s.serviceKb,
    temporalKb: s.temporal?.rssKb,
    postgresKb: s.postgres?.rssKb,
    postgresPssKb: s.postgres?.pssKb,
    postgresProcesses: s.postgres?.processes,
  };

/** Returns the largest of each measure over the samples. */
function maxMemory(samples: MemorySample[]): MemoryAt | undefined {
  if (samples.length === 0) return undefined;
  const max = (f: (s: MemorySample) => number | undefined) => {
    const v = samples.map(f).filter((x): x is number => x !== undefined);
    return v.length > 0 ? Math.max(...v) : undefined;
  };
  return {
    serviceKb: max((s) => s.serviceKb),
    temporalKb: max((s) => s.temporal?.rssKb),
    postgresKb: max((s) => s.postgres?.rssKb),
    postgresPssKb: max((s) => s.postgres?.pssKb),
    postgresProcesses: max((s) => s.postgres?.processes),
  };
}

/** Returns the report of an observed run. */
export function analyzeLoad(o: LoadObservation): LoadReport {
  const { plan } = o;
  const counts = describePlan(plan);
  const accepted = o.events.filter((e) => e.acceptedAt !== null);
  const acceptedAt = new Map<number, number>();
  for (const e of accepted)
    if (e.kind === 'new')
      acceptedAt.set(e.alert, Math.min(acceptedAt.get(e.alert) ?? Infinity, e.acceptedAt!));
  const failures: Record<string, number> = {};
  for (const e of o.events) add(failures, e.failures);
  const latency: Partial<Record<Route, Summary>> = {};
  for (const route of ['rest', 'pagerduty', 'generic', 'alertmanager'] as const) {
    const s = summarize(accepted.filter((e) => e.route === route).map((e) => e.acceptedAt! - e.sentAt));
    if (s) latency[route] = s;
  }
  const firstSent = Math.min(...o.events.map((e) => e.sentAt));
  const lastAnswer = Math.max(0, ...o.events.map((e) => e.answeredAt));
  const newAccepts = [...acceptedAt.values()];
  const lastNewAccept = Math.max(...newAccepts);

  // Backlog: accepted by the sample's time, less recorded then.
  const sortedAccepts = [...newAccepts].sort((a, b) => a - b);
  const acceptedBy = (t: number) => {
    let lo = 0;
    let hi = sortedAccepts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sortedAccepts[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const backlogs = o.samples.map((s) => ({ at: s.at, backlog: Math.max(0, acceptedBy(s.at) - s.recorded) }));
  const atSendEnd = backlogs.find((b) => b.at >= lastAnswer) ?? backlogs.at(-1);
  const atSendEndSample = o.samples.find((s) => s.at >= lastAnswer) ?? o.samples.at(-1);
  const firstRecord = o.samples.find((s) => s.recorded > 0)?.at;
  const allRecorded = o.samples.find((s) => s.recorded >= acceptedAt.size)?.at ?? null;

  // Records: every accepted alert once, with at least the occurrences accepted for it.
  const rows = new Map(o.rows.map((r) => [r.dedup_key, r]));
  const occurrencesOf = new Map<number, number>();
  for (const e of accepted) occurrencesOf.set(e.alert, (occurrencesOf.get(e.alert) ?? 0) + 1);
  let missing = 0;
  let short = 0;
  let groupedWithoutGroup = 0;
  for (const [i, n] of occurrencesOf) {
    const a = plan.alerts[i]!;
    const row = rows.get(a.key);
    if (!acceptedAt.has(i)) continue;
    if (!row) missing++;
    else {
      if (row.occurrences < n) short++;
      if (a.group !== undefined && row.group_id === null) groupedWithoutGroup++;
    }
  }
  const byState: Record<string, number> = {};
  for (const r of o.rows) byState[r.state] = (byState[r.state] ?? 0) + 1;

  // Pages: each paged incident (an ungrouped critical alert, or a critical group) reaches every
  // first-tier contact once; a page of any other alert, or to another contact, is unexpected.
  const incidentOf = (i: number) => {
    const g = plan.alerts[i]!.group;
    return g === undefined ? `a${i}` : `g${g}`;
  };
  const incidents = new Set<string>();
  for (const i of acceptedAt.keys()) if (plan.alerts[i]!.fate === 'paged') incidents.add(incidentOf(i));
  const contacts = new Set(o.contacts);
  const seen = new Map<string, number>();
  const firstOf = new Map<string, number>();
  const every: number[] = [];
  let unexpected = 0;
  let unmatched = 0;
  for (const p of [...o.pages].sort((a, b) => a.at - b.at)) {
    if (p.kind !== 'page') continue;
    const i = p.key === undefined ? undefined : indexOfKey(plan, p.key);
    if (i === undefined) {
      unmatched++;
      continue;
    }
    const incident = incidentOf(i);
    if (!incidents.has(incident) || !contacts.has(p.contact)) {
      unexpected++;
      continue;
    }
    const slot = `${incident} ${p.contact}`;
    seen.set(slot, (seen.get(slot) ?? 0) + 1);
    if (seen.get(slot) !== 1) continue;
    const latencyMs = p.at - o.start - (acceptedAt.get(i) ?? NaN);
    every.push(latencyMs);
    if (!firstOf.has(incident)) firstOf.set(incident, latencyMs);
  }
  const tierPages = o.pages.filter((p) => p.kind === 'page').length;

  const kinds = ['ack', 'group-ack', 'resolve'] as const;
  const notes: Record<string, number> = {};
  for (const a of o.actions) if (a.note) notes[a.note] = (notes[a.note] ?? 0) + 1;
  const actions = Object.fromEntries(
    kinds.map((k) => {
      const mine = o.actions.filter((a) => a.kind === k);
      const f: Record<string, number> = {};
      for (const a of mine) add(f, a.failures);
      const done = mine.flatMap((a) => (a.latencyMs === null ? [] : [a.latencyMs]));
      return [k, { planned: mine.length, accepted: done.length, latency: summarize(done), failures: f }];
    }),
  ) as Omit<LoadReport['actions'], 'notes'>;

  const holding = o.memory.filter((m) => m.phase === 'holding');
  const openHeld = o.samples.filter(
    (s) => holding.length > 0 && s.at >= holding[0]!.at && s.at <= holding.at(-1)!.at,
  );

  return {
    options: plan.options,
    counts,
    mode: o.mode,
    uptime: o.uptime,
    load:
      o.load.length > 0
        ? { start: o.load[0]!.load1, max: Math.max(...o.load.map((l) => l.load1)), end: o.load.at(-1)!.load1 }
        : undefined,
    send: {
      events: o.events.length,
      accepted: accepted.length,
      newAccepted: acceptedAt.size,
      duplicatesAccepted: accepted.filter((e) => e.kind === 'duplicate').length,
      neverAccepted: o.events.length - accepted.length,
      attempts: o.events.reduce((n, e) => n + e.attempts, 0),
      failures,
      firstErrors: [...new Set(o.events.flatMap((e) => (e.lastError ? [e.lastError] : [])))].slice(0, 5),
      durationMs: o.events.length > 0 ? lastAnswer - firstSent : 0,
      lateness: summarize(o.events.map((e) => Math.max(0, e.sentAt - e.dueAt))),
      latency,
    },
    throughput: {
      offeredPerSecond: plan.options.rate,
      acceptedPerSecond:
        newAccepts.length > 1 ? (newAccepts.length * 1000) / (lastNewAccept - firstSent) : null,
      recordedPerSecond:
        allRecorded !== null && firstRecord !== undefined && allRecorded > firstRecord
          ? (acceptedAt.size * 1000) / (allRecorded - firstRecord)
          : null,
      recordedWhileSendingPerSecond:
        atSendEndSample && lastAnswer > firstSent
          ? (atSendEndSample.recorded * 1000) / (lastAnswer - firstSent)
          : null,
      recordedAfterSendingPerSecond:
        atSendEndSample && allRecorded !== null && allRecorded > atSendEndSample.at
          ? ((acceptedAt.size - atSendEndSample.recorded) * 1000) / (allRecorded - atSendEndSample.at)
          : null,
      allRecordedMs: allRecorded,
      backlogAtSendEnd: atSendEnd?.backlog ?? 0,
      maxBacklog: Math.max(0, ...backlogs.map((b) => b.backlog)),
    },
    records: {
      expected: acceptedAt.size,
      recorded: o.rows.length,
      missing,
      occurrencesExpected: accepted.length,
      occurrencesRecorded: o.rows.reduce((n, r) => n + r.occurrences, 0),
      shortOfOccurrences: short,
      byState,
      klaxonGroups: o.klaxonGroups,
      plannedGroups: new Set([...acceptedAt.keys()].flatMap((i) => plan.alerts[i]!.group ?? [])).size,
      groupedWithoutGroup,
    },
    pages: {
      incidents: incidents.size,
      expected: incidents.size * contacts.size,
      received: tierPages,
      missing: incidents.size * contacts.size - seen.size,
      duplicated: [...seen.values()].reduce((n, c) => n + c - 1, 0),
      unexpected,
      sla: o.pages.filter((p) => p.kind === 'sla').length,
      other: o.pages.filter((p) => p.kind === 'other').length,
      unmatched,
      incidentsNeverPaged: incidents.size - firstOf.size,
      firstPage: summarize([...firstOf.values()]),
      everyPage: summarize(every),
    },
    actions: { ...actions, notes },
    memory: {
      baseline: memoryAt(o.memory.filter((m) => m.phase === 'idle').at(-1)),
      holdStart: memoryAt(holding[0]),
      holdEnd: memoryAt(holding.at(-1)),
      holdMax: maxMemory(holding),
      holdMs: holding.length > 1 ? holding.at(-1)!.at - holding[0]!.at : 0,
      openDuringHold:
        openHeld.length > 0
          ? { min: Math.min(...openHeld.map((s) => s.open)), max: Math.max(...openHeld.map((s) => s.open)) }
          : undefined,
    },
    ...(o.gaveUp ? { gaveUp: o.gaveUp } : {}),
  };
}
