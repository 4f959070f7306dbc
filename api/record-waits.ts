/**
 * Waiting for an alert's record without asking its workflow. POST /alerts answers 201 once the alert is
 * recorded; each new alert row notifies its id at commit (sql/000016-alert-recorded-notify.sql) on the
 * listener connection the app caches hold, and a request waits here for its id. An Update to the
 * workflow would cost every new alert a second workflow task. While the listener is down (`live` false)
 * the caller asks the workflow as before.
 */
import { RecentAlerts } from './recent-alerts';

// A record may commit before its request starts waiting (the worker is quick, the API had more to do):
// ids are kept this long, up to this many, so a late waiter still finds its own.
const SEEN_TTL_MS = 60_000;
const SEEN_MAX = 20_000;

export class RecordWaits {
  private readonly waiting = new Map<string, Set<() => void>>();
  private readonly seen = new RecentAlerts({ max: SEEN_MAX, ttlMs: SEEN_TTL_MS });
  private isLive = false;

  /** True while every record committed is heard: a wait then means what it says. */
  get live(): boolean {
    return this.isLive;
  }

  /** The listener is up (from now on every record is heard) or down (records may go unheard). */
  setLive(live: boolean): void {
    this.isLive = live;
  }

  /** An alert's record was committed. */
  recorded(alertId: string): void {
    this.seen.add(alertId);
    for (const wake of this.waiting.get(alertId) ?? []) wake();
  }

  /** Resolves true once the alert is recorded, false after ms without it (or once the listener drops). */
  wait(alertId: string, ms: number): Promise<boolean> {
    if (this.seen.has(alertId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiters = this.waiting.get(alertId) ?? new Set();
      this.waiting.set(alertId, waiters);
      const done = (recorded: boolean) => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0) this.waiting.delete(alertId);
        resolve(recorded);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(this.seen.has(alertId)), ms);
      waiters.add(wake);
    });
  }

  /** How many requests are waiting (for tests and metrics). */
  get waiters(): number {
    return this.waiting.size;
  }
}
