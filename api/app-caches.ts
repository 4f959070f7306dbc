/**
 * What an API process keeps in memory to answer ingest storms quickly: the plan cache with the listener
 * that keeps it true, the alerts it delivered to lately, and the buffered raw-event counts. Whoever
 * creates the app creates these (api/main.ts, scripts/start.ts, the test harness) and calls close()
 * after the HTTP server has stopped and before the pool ends: it closes the listening connection and
 * writes the last counts. An app built without them queries and counts directly, as a test app may.
 */
import type { Logger } from '../runtime/logger';
import type { Queryable } from '../store/db';
import { listenForChanges, listenerClient, type ChangeListenerOptions } from '../store/change-listener';
import { BufferedIngestCounts } from './ingest-counts';
import { PlanCache } from './plan-cache';
import { RecentAlerts } from './recent-alerts';
import { RecordWaits } from './record-waits';

export interface AppCaches {
  plans: PlanCache;
  recent: RecentAlerts;
  counts: BufferedIngestCounts;
  /** Requests waiting for their alert's record, woken by the listener. */
  records: RecordWaits;
  close(): Promise<void>;
}

export interface AppCachesOptions {
  pool: Queryable;
  /** The database the pool connects to; the listener holds its own connection there. */
  databaseUrl: string;
  log: Logger;
  /** How long a resolved alert stays open for a reopen: past that, a recent id is likely closed. */
  reopenWindowMs: number;
  /** At most this many recently delivered workflow ids are remembered (default 50,000). */
  recentMax?: number;
  countsEveryMs?: number;
  /** Tests shorten or stretch the reconnect backoff, or hand in clients that fail to connect. */
  listener?: Partial<Pick<ChangeListenerOptions, 'newClient' | 'backoff' | 'heartbeat'>>;
}

/** Returns the caches, their listener already connecting; cached values are served once it listens. */
export function startAppCaches(o: AppCachesOptions): AppCaches {
  const plans = new PlanCache(o.pool);
  const records = new RecordWaits();
  const listener = listenForChanges({
    newClient: () => listenerClient(o.databaseUrl),
    ...o.listener,
    onChange: (table) => plans.changed(table),
    onAlertRecorded: (id) => records.recorded(id),
    onLive: (live, err) => {
      plans.setLive(live);
      records.setLive(live);
      if (live) o.log.info('config listener up: planning reads are cached');
      else o.log.warn({ err }, 'config listener down: planning reads query Postgres until it is back');
    },
  });
  const recent = new RecentAlerts({ max: o.recentMax ?? 50_000, ttlMs: o.reopenWindowMs });
  const counts = new BufferedIngestCounts(o.pool, o.log, { everyMs: o.countsEveryMs });
  return {
    plans,
    recent,
    counts,
    records,
    async close() {
      await listener.close();
      plans.setLive(false);
      records.setLive(false);
      await counts.close();
    },
  };
}
