/**
 * The engine benchmark's arithmetic, pure: rates of the A/B rounds and their ratio, the latency steps
 * and the rate at which Klaxon saturates, per-alert costs, and every measure against its target.
 */
import { percentile, summarize, type Summary } from './stats';
import type { EngineCost } from './engine-history';
import type { StatementCounts } from './engine-statements';

/** Processes whose CPU is read; `bench` is this process (it starts the trivial workflows itself). */
export const PROCESSES = ['temporal', 'api', 'worker', 'postgres', 'trivial', 'bench'] as const;
export type ProcessName = (typeof PROCESSES)[number];
export type CpuSeconds = Partial<Record<ProcessName, number>>;

/** One throughput round: A (the trivial workflow) or B (Klaxon's new alert), times in Date.now() ms. */
export interface ThroughputRound {
  kind: 'trivial' | 'klaxon';
  round: number;
  offeredRate: number;
  count: number;
  /** The first item's due time. */
  start: number;
  accepted: number;
  lastAcceptedAt: number | null;
  /** Workflows completed (A) or alerts recorded in Postgres (B), and when the last of them was seen. */
  done: number;
  doneAt: number | null;
  /** When the done count first reached DONE_SHARE of the items (null: it never did). */
  doneAtShare: number | null;
  /** CPU seconds each process used from the start until the last was done. */
  cpu: CpuSeconds;
  /** Tasks the dev server failed and retried during the round (bench/engine-stack.ts). */
  engineRetries: number;
}

/**
 * A round's done rate is taken at 95% of its items: one task the dev server failed and retried a minute
 * later would otherwise set the whole round's length.
 */
export const DONE_SHARE = 0.95;

/** Returns when a growing count first reached the share of the target, from its readings. */
export function reachedShareAt(
  series: readonly { at: number; n: number }[],
  target: number,
  share = DONE_SHARE,
): number | null {
  return series.find((s) => s.n >= Math.ceil(share * target))?.at ?? null;
}

export interface RoundRates {
  acceptedPerSecond: number | undefined;
  /** Items done over the time to DONE_SHARE of them. */
  donePerSecond: number | undefined;
  /** Every item done over the time to the last. */
  allDonePerSecond: number | undefined;
  /** CPU milliseconds per item done, by process. */
  cpuMsPerItem: CpuSeconds;
}

const perSecond = (n: number, from: number, to: number | null): number | undefined =>
  to === null || to <= from || n === 0 ? undefined : n / ((to - from) / 1000);

/** Returns a round's rates: accepted (started) and done (completed, recorded) a second from its start. */
export function roundRates(r: ThroughputRound): RoundRates {
  const cpuMsPerItem: CpuSeconds = {};
  for (const p of PROCESSES) {
    const s = r.cpu[p];
    if (s !== undefined && r.done > 0) cpuMsPerItem[p] = (s * 1000) / r.done;
  }
  return {
    acceptedPerSecond: perSecond(r.accepted, r.start, r.lastAcceptedAt),
    donePerSecond: perSecond(Math.ceil(DONE_SHARE * r.count), r.start, r.doneAtShare),
    allDonePerSecond: perSecond(r.done, r.start, r.doneAt),
    cpuMsPerItem,
  };
}

/** Returns the median of the values, undefined when there are none. */
export const median = (values: readonly (number | undefined)[]): number | undefined =>
  percentile(
    values.filter((v): v is number => v !== undefined),
    50,
  );

/** Returns Klaxon's recorded rate over the trivial workflow's completion rate, median of each kind's rounds. */
export function throughputRatio(rounds: readonly ThroughputRound[]): number | undefined {
  const of = (kind: ThroughputRound['kind']) =>
    median(rounds.filter((r) => r.kind === kind).map((r) => roundRates(r).donePerSecond));
  const a = of('trivial');
  const b = of('klaxon');
  return a === undefined || b === undefined ? undefined : b / a;
}

/** One step of the latency ramp: paging alerts offered at `rate` for a while. */
export interface LatencyStep {
  rate: number;
  count: number;
  start: number;
  accepted: number;
  recorded: number;
  /** When the last alert recorded was seen. */
  recordedAt: number | null;
  /** Request sent → first page received, one per alert paged. */
  latenciesMs: number[];
}

/** Where a step stops keeping up: first-page p99 above this, or recording below this share of offered. */
export const SATURATION = { p99Ms: 5_000, recordedShare: 0.9 } as const;

export interface StepVerdict {
  rate: number;
  recordedPerSecond: number | undefined;
  latency: Summary | undefined;
  /** Alerts that never paged within the wait. */
  unpaged: number;
  saturated: boolean;
  why: string | undefined;
}

/** Returns whether the step kept up, and why not when it did not. */
export function judgeStep(s: LatencyStep): StepVerdict {
  const recordedPerSecond = perSecond(s.recorded, s.start, s.recordedAt);
  const latency = summarize(s.latenciesMs);
  const unpaged = s.count - s.latenciesMs.length;
  const whys = [
    latency && latency.p99 > SATURATION.p99Ms
      ? `first-page p99 over ${SATURATION.p99Ms / 1000} s`
      : undefined,
    (recordedPerSecond ?? 0) < SATURATION.recordedShare * s.rate
      ? `recorded ${(recordedPerSecond ?? 0).toFixed(1)}/s < ${SATURATION.recordedShare * 100}% of offered`
      : undefined,
    unpaged > 0 ? `${unpaged} alerts not paged within the wait` : undefined,
  ].filter((w): w is string => w !== undefined);
  return {
    rate: s.rate,
    recordedPerSecond,
    latency,
    unpaged,
    saturated: whys.length > 0,
    why: whys.length ? whys.join('; ') : undefined,
  };
}

/**
 * Returns the saturation point of a ramp: the lowest rate tried that did not keep up (undefined when
 * every rate kept up) and the highest rate below it that did.
 */
export function saturation(steps: readonly StepVerdict[]): {
  at: number | undefined;
  sustained: number | undefined;
} {
  const sorted = [...steps].sort((a, b) => a.rate - b.rate);
  const first = sorted.find((s) => s.saturated);
  const below = sorted.filter((s) => !s.saturated && (first === undefined || s.rate < first.rate));
  return { at: first?.rate, sustained: below.at(-1)?.rate };
}

/** Worker (and other) memory with this many alerts open. */
export interface OpenSample {
  open: number;
  workerRssKb: number | undefined;
  apiRssKb: number | undefined;
  temporalRssKb: number | undefined;
  /** The SDK's workflow cache: entries, and forced evictions so far. */
  cacheSize: number | undefined;
  evictions: number | undefined;
}

/** A probe: an alert whose second tier was due while many alerts behind it had pushed it out of the cache. */
export interface Probe {
  dueAt: number;
  arrivedAt: number | null;
}

/** Returns each probe's lateness (arrival minus due), and how many never paged their second tier. */
export function probeLateness(probes: readonly Probe[]): { lateness: Summary | undefined; missing: number } {
  const arrived = probes.filter((p) => p.arrivedAt !== null);
  return {
    lateness: summarize(arrived.map((p) => p.arrivedAt! - p.dueAt)),
    missing: probes.length - arrived.length,
  };
}

/** Statements run for a number of alerts, by process. */
export interface StatementSample extends StatementCounts {
  alerts: number;
}

/** Returns statements per alert in all and by process. */
export function statementsPerAlert(
  s: StatementSample | undefined,
): { all: number; api: number; worker: number } | undefined {
  if (!s || s.alerts === 0) return undefined;
  return { all: (s.api + s.worker) / s.alerts, api: s.api / s.alerts, worker: s.worker / s.alerts };
}

/** Returns the largest events and workflow-task counts among the sampled alerts. */
export function worstCost(costs: readonly (EngineCost | undefined)[]): EngineCost | undefined {
  const known = costs.filter((c): c is EngineCost => c !== undefined);
  if (known.length === 0) return undefined;
  return {
    events: Math.max(...known.map((c) => c.events)),
    workflowTasks: Math.max(...known.map((c) => c.workflowTasks)),
  };
}
