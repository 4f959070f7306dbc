/**
 * The engine benchmark's open alerts. No alert of the run is ever resolved (no policy auto-resolves), so
 * the earlier phases leave theirs open too: a watcher reads the worker's memory when the open count first
 * reaches each target, wherever in the run that is. The open-alert phase adds quiet alerts (no policy)
 * up to the targets not reached yet. Before the last
 * stretch, probe alerts are sent whose policy pages a second tier minutes later; the alerts recorded
 * after them push them out of the worker's cache (smaller than the open count), so each second tier
 * fires on an evicted workflow. Its lateness is its page's arrival minus its due time (the alert's
 * triggered_at in Postgres plus the tier's delay).
 */
import { openAlerts, openSample, untilCount } from './engine-observe';
import type { OpenSample, Probe } from './engine-report';
import { firstPages, recordedCount, SERVICES, sendAlerts, type EngineContext } from './engine-rounds';
import { sleep } from './service';

export interface OpenOptions {
  /** Open-alert counts at which memory is still to be read (the earlier phases may have passed some). */
  targets: number[];
  /** Quiet alerts recorded after the probes: more than the worker's cache holds. */
  afterProbes: number;
  probes: number;
  tier2Minutes: number;
  fillRate: number;
  inFlight: number;
  stallMs: number;
}

export interface OpenResult {
  samples: OpenSample[];
  probes: Probe[];
  /**
   * Whether the probes were out of the worker's cache when their second tier fired: the cache was full
   * (fewer entries than open alerts) and more alerts than it holds came after the probes. Undefined when
   * the SDK's cache gauge could not be read.
   */
  evicted: boolean | undefined;
}

/** Reads memory once the open alerts first reach each target, wherever in the run that happens. */
export class OpenWatcher {
  readonly samples: OpenSample[] = [];
  private readonly pending: number[];

  constructor(
    private readonly ctx: EngineContext,
    targets: readonly number[],
  ) {
    this.pending = [...targets].sort((a, b) => a - b);
  }

  /** The targets not reached yet. */
  remaining(): number[] {
    return [...this.pending];
  }

  /** Takes a sample if the open alerts have reached the next target (one sample covers every target passed). */
  async check(): Promise<void> {
    const open = await openAlerts(this.ctx.stack.pool);
    if (this.pending.length === 0 || open < this.pending[0]!) return;
    while (this.pending.length > 0 && this.pending[0]! <= open) this.pending.shift();
    await this.sample();
  }

  /** Takes a sample now. */
  async sample(): Promise<OpenSample> {
    // Let the last records' tasks finish, so the reading is of the alerts held, not of the burst.
    await sleep(5_000);
    const s = await openSample(this.ctx.stack);
    this.samples.push(s);
    this.ctx.say(
      `${s.open} open: worker RSS ${Math.round((s.workerRssKb ?? 0) / 1024)} MiB, cache ${s.cacheSize ?? '—'}`,
    );
    return s;
  }
}

/** Runs the phase; see the module comment. */
export async function openPhase(
  ctx: EngineContext,
  watcher: OpenWatcher,
  o: OpenOptions,
): Promise<OpenResult> {
  let batch = 0;
  const fillTo = async (open: number) => {
    const missing = open - (await openAlerts(ctx.stack.pool));
    if (missing <= 0) return;
    const prefix = `o${batch++}-`;
    ctx.say(`adding ${missing} open alerts (to ${open})`);
    const start = Date.now() + 100;
    const [, done] = await Promise.all([
      sendAlerts(ctx, 'open', prefix, { count: missing, rate: o.fillRate, inFlight: o.inFlight }, start),
      untilCount(() => recordedCount(ctx, 'open', prefix), missing, o.stallMs, 1_000),
    ]);
    ctx.say(`${done.n} of ${missing} recorded in ${((Date.now() - start) / 1000).toFixed(0)} s`);
  };

  const targets = watcher.remaining();
  const last = targets.at(-1) ?? 0;
  const probeAt = Math.max(await openAlerts(ctx.stack.pool), last - o.afterProbes);
  const finalOpen = Math.max(last, probeAt + o.afterProbes);
  let probeSent: Awaited<ReturnType<typeof sendAlerts>> = [];
  let atFinal: OpenSample | undefined;
  for (const m of [...new Set([...targets, probeAt, finalOpen])].sort((a, b) => a - b)) {
    await fillTo(m);
    if (m === probeAt) {
      const start = Date.now() + 100;
      probeSent = await sendAlerts(
        ctx,
        'probe',
        'q-',
        { count: o.probes, rate: o.fillRate, inFlight: o.inFlight },
        start,
      );
      ctx.say(
        `${probeSent.filter((s) => s.acceptedAt !== null).length} probe alerts sent; second tier due in ${o.tier2Minutes} min`,
      );
    }
    if (targets.includes(m)) await watcher.check();
    if (m === finalOpen)
      atFinal = watcher.samples.at(-1)?.open === m ? watcher.samples.at(-1) : await watcher.sample();
  }

  const keys = probeSent.map((_, i) => `q-${i}`);
  await untilCount(() => recordedCount(ctx, 'probe', 'q-'), keys.length, o.stallMs, 1_000);
  const due = await probeDueTimes(ctx, keys, o.tier2Minutes);
  const waitUntil = Math.max(...[...due.values()], Date.now()) + 60_000;
  const arrived = () => firstPages(ctx.receiver, '/probe-2');
  while (Date.now() < waitUntil && keys.some((k) => !arrived().has(k))) await sleep(1_000);
  await watcher.sample();
  const pages = arrived();
  return {
    samples: watcher.samples,
    evicted:
      atFinal?.cacheSize === undefined
        ? undefined
        : atFinal.cacheSize < atFinal.open && atFinal.cacheSize < o.afterProbes,
    probes: keys.flatMap((k) => {
      const dueAt = due.get(k);
      return dueAt === undefined ? [] : [{ dueAt, arrivedAt: pages.get(k) ?? null }];
    }),
  };
}

/** Returns each probe's second-tier due time: its triggered_at in Postgres plus the tier's delay. */
async function probeDueTimes(
  ctx: EngineContext,
  keys: string[],
  minutes: number,
): Promise<Map<string, number>> {
  const { rows } = await ctx.stack.pool.query<{ dedup_key: string; t: number }>(
    `select dedup_key, (extract(epoch from triggered_at) * 1000)::float8 as t
       from alerts where service = $1 and dedup_key = any($2)`,
    [SERVICES.probe, keys],
  );
  return new Map(rows.map((r) => [r.dedup_key, r.t + minutes * 60_000]));
}
