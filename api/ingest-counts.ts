/**
 * Raw-event counts per integration and UTC day (ingest_stats, the numerator of noise reduction). Every
 * ingest request used to upsert its integration's row for today: one hot row, locked by every request
 * of a storm in turn. The buffered counter adds up in memory and writes every pending (integration,
 * day) in one statement, on a short interval, on demand (GET /stats/noise flushes first, so one process
 * reads its own counts) and on close.
 *
 * What is at risk: a process killed without closing (SIGKILL, OOM, power loss) loses the counts it has
 * not flushed yet, those of at most the last interval (one second by default), plus any of a failed
 * flush that has not been retried. That is acceptable for a statistic; the alerts themselves are durable
 * in Temporal before the request is answered and are never counted from here.
 */
import type { Logger } from '../runtime/logger';
import type { Queryable } from '../store/db';
import { addIngestCounts, type IngestCount } from '../store/integrations';

export interface IngestCounts {
  /** Counts a request's raw events (and how many were triggers) for an integration, today. */
  add(integrationId: string, raw: number, triggers: number): void | Promise<void>;
  /** Resolves once every count added before the call is in Postgres. */
  flush(): Promise<void>;
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Returns counts written at once, one statement per add (for an app without an owner to close it). */
export function directIngestCounts(db: Queryable, now: () => number = Date.now): IngestCounts {
  return {
    add: (integrationId, raw, triggers) =>
      addIngestCounts(db, [{ integrationId, day: utcDay(now()), raw, triggers }]),
    flush: async () => {},
  };
}

/** Counts kept in memory and written together; close() writes the last of them. */
export class BufferedIngestCounts implements IngestCounts {
  private pending = new Map<string, IngestCount>();
  // Flushes run one after another, so a flush asked for waits for the one in flight and then writes
  // whatever was added since: that is what makes it read-your-writes.
  private queue: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    private readonly db: Queryable,
    log: Logger,
    opts: { everyMs?: number; now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
    // Said once per outage, not once a second while Postgres is away.
    let failing = false;
    this.timer = setInterval(() => {
      this.flush().then(
        () => {
          if (failing) log.info('raw-event counts written again');
          failing = false;
        },
        (err) => {
          if (!failing) log.warn({ err }, 'raw-event counts not written; kept, and tried again every interval');
          failing = true;
        },
      );
    }, opts.everyMs ?? 1_000);
    this.timer.unref();
  }

  add(integrationId: string, raw: number, triggers: number): void {
    this.merge({ integrationId, day: utcDay(this.now()), raw, triggers });
  }

  flush(): Promise<void> {
    const run = this.queue.then(() => this.write());
    this.queue = run.catch(() => {});
    return run;
  }

  /** Stops the interval and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private merge(c: IngestCount): void {
    const key = `${c.integrationId}/${c.day}`;
    const held = this.pending.get(key);
    if (held) {
      held.raw += c.raw;
      held.triggers += c.triggers;
    } else {
      this.pending.set(key, { ...c });
    }
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      await addIngestCounts(this.db, batch);
    } catch (err) {
      // Kept for the next flush, added to whatever came in meanwhile.
      for (const c of batch) this.merge(c);
      throw new Error('write raw-event counts', { cause: err });
    }
  }
}
