/**
 * The express-rate-limit store of every limiter here: counts in Postgres (store/rate-limits.ts), so every
 * API process on the database counts against one limit. One statement per hit, on the counted key's row.
 *
 * Written here rather than taken from @acpr/rate-limit-postgresql: that store opens its own pool from a
 * connection config (not ours, so a second set of connections per limiter), runs its own migration tool
 * from its constructor without waiting for it (an unhandled rejection, so a crash, when Postgres is down
 * at start) and needs the uuid-ossp extension; and like any store it fails every request while Postgres
 * is away, where ingest must go on answering from the cache (api/plan-cache.ts).
 *
 * So while Postgres cannot be reached, or a statement takes longer than the deadline (a network that
 * drops packets rather than refusing them), hits are counted in this process's memory, and Postgres is
 * tried again a few seconds later: limits hold per process through an outage instead of failing the
 * request or lapsing. Any other error is a bug, and goes on to the error handler.
 */
import { MemoryStore, type ClientRateLimitInfo, type Options, type Store } from 'express-rate-limit';
import type { Logger } from '../runtime/logger';
import type { Queryable } from '../store/db';
import { countHit, dropEndedWindows, forgetHits, readHits, uncountHit, type WindowHits } from '../store/rate-limits';
import { isStoreUnreachable } from '../store/unreachable';
import { DeadlineExceeded, withDeadline } from '../runtime/deadline';

export interface SharedStoreOptions {
  db: Queryable;
  /** Keeps this limiter's keys apart from the others' in the one table. */
  prefix: string;
  log: Logger;
  /** A statement slower than this is abandoned and the hit counted in memory (default 1 s). */
  deadlineMs?: number;
  /** After Postgres failed, count in memory this long before trying it again (default 5 s). */
  retryMs?: number;
}

const info = (w: WindowHits): ClientRateLimitInfo => ({ totalHits: w.hits, resetTime: w.resetAt });

export class SharedRateLimitStore implements Store {
  /** Hits counted by one process count in every other's: express-rate-limit checks for double counting by this. */
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs = 60_000;
  private readonly memory = new MemoryStore();
  private readonly deadlineMs: number;
  private readonly retryMs: number;
  /** While Date.now() is before this, hits are counted in memory. */
  private localUntil = 0;
  private nextSweep = 0;

  constructor(private readonly o: SharedStoreOptions) {
    this.prefix = o.prefix;
    this.deadlineMs = o.deadlineMs ?? 1_000;
    this.retryMs = o.retryMs ?? 5_000;
  }

  init(options: Pick<Options, 'windowMs'>): void {
    this.windowMs = options.windowMs;
    this.memory.init(options as Options);
  }

  /** True while hits are counted in this process only. */
  get local(): boolean {
    return Date.now() < this.localUntil;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.shared(
      async () => {
        const w = await readHits(this.o.db, this.prefix + key);
        return w && info(w);
      },
      () => this.memory.get(key),
    );
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    this.sweep();
    return this.shared(
      async () => info(await countHit(this.o.db, this.prefix + key, this.windowMs)),
      async () => ({ ...(await this.memory.increment(key)) }),
    );
  }

  async decrement(key: string): Promise<void> {
    await this.shared(
      () => uncountHit(this.o.db, this.prefix + key),
      () => this.memory.decrement(key),
    );
  }

  async resetKey(key: string): Promise<void> {
    await this.shared(
      () => forgetHits(this.o.db, this.prefix + key),
      () => this.memory.resetKey(key),
    );
  }

  shutdown(): void {
    this.memory.shutdown();
  }

  private async shared<T>(query: () => Promise<T>, inMemory: () => Promise<T>): Promise<T> {
    if (this.local) return inMemory();
    try {
      const value = await withDeadline(query(), this.deadlineMs);
      if (this.localUntil !== 0) {
        this.localUntil = 0;
        this.o.log.info({ limiter: this.prefix }, 'rate limits counted in Postgres again');
      }
      return value;
    } catch (err) {
      if (!(err instanceof DeadlineExceeded) && !isStoreUnreachable(err)) throw err;
      if (this.localUntil === 0) this.o.log.warn({ err, limiter: this.prefix }, 'postgres unreachable: rate limits counted in this process only');
      this.localUntil = Date.now() + this.retryMs;
      return inMemory();
    }
  }

  /** Ended windows are deleted about once a window, by whichever hit comes after; failure waits for the next. */
  private sweep(): void {
    const now = Date.now();
    if (now < this.nextSweep || this.local) return;
    this.nextSweep = now + this.windowMs;
    void dropEndedWindows(this.o.db).catch(() => {});
  }
}
