/**
 * What the engine benchmark reads while it runs: the CPU and memory of each process of the stack, the
 * worker's workflow cache from the SDK's metrics, and counts that grow (alerts recorded, workflows
 * completed) polled until they reach what was sent.
 */
import type pg from 'pg';
import type { EngineStack } from './engine-stack';
import type { CpuSeconds, OpenSample } from './engine-report';
import { familyCpuSeconds, processCpuSeconds } from './proc-cpu';
import { processMemory } from './proc-memory';
import { sleep } from './service';

/** Returns the CPU seconds every process of the stack (and this one) has used so far. */
export function cpuNow(s: EngineStack): CpuSeconds {
  const of = (pid: number | undefined) => (pid === undefined ? undefined : processCpuSeconds(pid));
  const pgPid = s.postgresPid();
  return {
    temporal: of(s.temporal.pid),
    api: of(s.api.pid),
    worker: of(s.worker.pid),
    trivial: of(s.trivial.pid),
    postgres: pgPid === undefined ? undefined : familyCpuSeconds(pgPid),
    bench: of(process.pid),
  };
}

/** Returns what each process used between two readings (a process restarted in between is left out). */
export function cpuBetween(before: CpuSeconds, after: CpuSeconds): CpuSeconds {
  const out: CpuSeconds = {};
  for (const [k, v] of Object.entries(after) as [keyof CpuSeconds, number | undefined][]) {
    const b = before[k];
    if (v !== undefined && b !== undefined && v >= b) out[k] = v - b;
  }
  return out;
}

/** Returns the sum of every sample of a metric in Prometheus text (any labels), or undefined when absent. */
export function metricSum(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !/^[{ ]/.test(line.slice(name.length))) continue;
    const value = Number(line.trim().split(/\s+/).at(-1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

/** Returns the worker's workflow cache size and forced evictions, from the SDK's metrics endpoint. */
async function workerCache(
  s: EngineStack,
): Promise<{ size: number | undefined; evictions: number | undefined }> {
  try {
    const text = await (
      await fetch(`http://${s.workerSdkMetrics}/metrics`, { signal: AbortSignal.timeout(5_000) })
    ).text();
    return {
      size: metricSum(text, 'temporal_sticky_cache_size'),
      evictions:
        metricSum(text, 'temporal_sticky_cache_total_forced_eviction') ??
        metricSum(text, 'temporal_sticky_cache_total_forced_eviction_total'),
    };
  } catch {
    return { size: undefined, evictions: undefined };
  }
}

/** Returns the alerts open in Postgres now. */
export async function openAlerts(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `select count(*)::int as n from alerts where state <> 'resolved'`,
  );
  return rows[0]!.n;
}

/** Returns the memory of the worker, the API and the dev server, and the worker's cache, with this many open. */
export async function openSample(s: EngineStack): Promise<OpenSample> {
  const rss = (pid: number | undefined) => (pid === undefined ? undefined : processMemory(pid)?.rssKb);
  const cache = await workerCache(s);
  return {
    open: await openAlerts(s.pool),
    workerRssKb: rss(s.worker.pid),
    apiRssKb: rss(s.api.pid),
    temporalRssKb: rss(s.temporal.pid),
    cacheSize: cache.size,
    evictions: cache.evictions,
  };
}

export interface Reached {
  /** The count when the wait ended. */
  n: number;
  /** Date.now() when the count last grew (null: it never grew). */
  at: number | null;
  /** Every growth seen: when, and to what. */
  series: { at: number; n: number }[];
}

/**
 * Polls `read` until it reaches `target`, or until it has not grown for `stallMs`; returns the count and
 * when it last grew. A failed read counts as no growth.
 */
export async function untilCount(
  read: () => Promise<number>,
  target: number,
  stallMs: number,
  everyMs = 250,
): Promise<Reached> {
  let n = 0;
  let at: number | null = null;
  let changedAt = Date.now();
  const series: Reached['series'] = [];
  for (;;) {
    const value = await read().catch(() => n);
    // Dated when the read answered: the count was there by then (at most one poll late).
    const now = Date.now();
    if (value > n) {
      [n, at, changedAt] = [value, now, now];
      series.push({ at, n });
    }
    if (n >= target || now - changedAt > stallMs) return { n, at, series };
    await sleep(everyMs);
  }
}
