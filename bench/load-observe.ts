/**
 * What the load test watches while it runs: the run's alerts in Postgres (counts every second, and the
 * ids of alerts a responder is about to act on), the pages as they arrive, the memory of the service's
 * processes and the machine's load. It is also where the progress line comes from.
 */
import os from 'node:os';
import type pg from 'pg';
import { descendants, familyMemory, processMemory, type FamilyMemory } from './proc-memory';
import { sleep } from './service';
import type { ReceivedPage } from './load-pages';

/** The run's alerts in Postgres at one moment; `at` in milliseconds from the start. */
export interface DbSample {
  at: number;
  recorded: number;
  open: number;
  acknowledged: number;
  resolved: number;
  grouped: number;
  occurrences: number;
}

/** Memory of the service's processes at one moment; `at` in milliseconds from the start. */
export interface MemorySample {
  at: number;
  phase: Phase;
  /** Open alerts in the last Postgres sample before it. */
  open: number;
  /** `npm start`'s own process: the API and the worker. */
  serviceKb: number | undefined;
  /** The Temporal CLI dev server, a child of the service. */
  temporal: FamilyMemory | undefined;
  /** Postgres and its backends, children of the service (embedded) or absent (DATABASE_URL). */
  postgres: FamilyMemory | undefined;
}

export type Phase = 'idle' | 'sending' | 'draining' | 'holding';

export interface RecordedAlert {
  id: string;
  groupId: string | null;
}

export interface ObserverOptions {
  db: pg.Pool;
  /** Date.now() of the run's time zero. */
  start: number;
  /** Where the run's alerts are: its services and its dedup keys' prefix. */
  services: readonly string[];
  keyPrefix: string;
  /** The service's process, or undefined when nothing of it can be read. */
  pid: number | undefined;
  pages: () => ReceivedPage[];
  memoryEveryMs: number;
}

const POLL_MS = 1_000;

/** Polls until stopped; every reading is kept for the report. */
export class Observer {
  readonly samples: DbSample[] = [];
  readonly memory: MemorySample[] = [];
  readonly load: { at: number; load1: number }[] = [];
  phase: Phase = 'idle';
  private readonly recorded = new Map<string, RecordedAlert>();
  private readonly wanted = new Set<string>();
  private tierPages = new Map<string, Set<string>>();
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(private readonly o: ObserverOptions) {
    this.loop = this.run();
  }

  /** Returns the latest Postgres sample. */
  latest(): DbSample | undefined {
    return this.samples.at(-1);
  }

  /** Returns the alert's id and group once it is recorded; asks the next poll to look for it. */
  recordOf(key: string): RecordedAlert | undefined {
    const found = this.recorded.get(key);
    if (!found) this.wanted.add(key);
    return found;
  }

  /** Returns the contacts that have had a tier page of the alert with this key. */
  pagedContacts(key: string): ReadonlySet<string> {
    return this.tierPages.get(key) ?? new Set();
  }

  /** Takes a memory sample now (also taken every `memoryEveryMs`). */
  sampleMemory(): MemorySample {
    const all = this.o.pid === undefined ? [] : [this.o.pid, ...descendants(this.o.pid)];
    const procs = all.flatMap((pid) => processMemory(pid) ?? []);
    const sample: MemorySample = {
      at: Date.now() - this.o.start,
      phase: this.phase,
      open: this.latest()?.open ?? 0,
      serviceKb: procs.find((p) => p.pid === this.o.pid)?.rssKb,
      temporal: familyMemory(procs, /^temporal$/),
      postgres: familyMemory(procs, /^postgres$/),
    };
    this.memory.push(sample);
    return sample;
  }

  /** Stops polling; harmless to repeat. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    let lastMemory = 0;
    let lastLoad = 0;
    while (!this.stopped) {
      const now = Date.now();
      if (now - lastLoad >= 10_000) {
        this.load.push({ at: now - this.o.start, load1: os.loadavg()[0]! });
        lastLoad = now;
      }
      if (now - lastMemory >= this.o.memoryEveryMs) {
        this.sampleMemory();
        lastMemory = now;
      }
      try {
        await this.poll();
      } catch (err) {
        // A slow or failed poll leaves a gap in the samples; waits on them are bounded anyway.
        if (!this.stopped) console.error(`[load] polling Postgres failed: ${String(err)}`);
      }
      this.indexPages();
      await sleep(POLL_MS);
    }
    this.load.push({ at: Date.now() - this.o.start, load1: os.loadavg()[0]! });
  }

  private async poll(): Promise<void> {
    const where = `service = any($1) and dedup_key like $2`;
    const params = [this.o.services, `${this.o.keyPrefix}%`];
    const { rows } = await this.o.db.query<Omit<DbSample, 'at'>>(
      `select count(*)::int as recorded,
              count(*) filter (where state <> 'resolved')::int as open,
              count(*) filter (where state = 'acknowledged')::int as acknowledged,
              count(*) filter (where state = 'resolved')::int as resolved,
              count(group_id)::int as grouped,
              coalesce(sum(occurrences), 0)::int as occurrences
         from alerts where ${where}`,
      params,
    );
    this.samples.push({ at: Date.now() - this.o.start, ...rows[0]! });
    if (this.wanted.size === 0) return;
    const keys = [...this.wanted];
    const found = await this.o.db.query<{ dedup_key: string; id: string; group_id: string | null }>(
      `select dedup_key, id, group_id from alerts where ${where} and dedup_key = any($3)`,
      [...params, keys],
    );
    for (const r of found.rows) {
      this.recorded.set(r.dedup_key, { id: r.id, groupId: r.group_id });
      this.wanted.delete(r.dedup_key);
    }
  }

  private indexPages(): void {
    const index = new Map<string, Set<string>>();
    for (const p of this.o.pages()) {
      if (p.kind !== 'page' || p.key === undefined) continue;
      let contacts = index.get(p.key);
      if (!contacts) index.set(p.key, (contacts = new Set()));
      contacts.add(p.contact);
    }
    this.tierPages = index;
  }
}

/** Returns kilobytes as megabytes: `412 MB`. */
export const mb = (kb: number | undefined): string =>
  kb === undefined ? '—' : `${Math.round(kb / 1024)} MB`;
