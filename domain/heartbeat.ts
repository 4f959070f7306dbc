/**
 * Heartbeat monitors' rules: the bounds of an interval and grace period, when a ping is overdue, and the
 * alert an overdue monitor raises. Pure: the monitor's workflow and the API both use these.
 */

/** Shorter than a minute is a liveness probe, not a heartbeat: the timer churn would buy nothing. */
export const MIN_INTERVAL_SECONDS = 60;
/** A weekly job is the longest cadence worth a timer; past it, a calendar reminder fits better. */
export const MAX_INTERVAL_SECONDS = 7 * 86_400;
export const MAX_GRACE_SECONDS = 86_400;

/**
 * The grace a monitor gets when none is given: a tenth of its interval, at least a minute, so a job
 * that runs a little late (cron start-up, a slow curl) does not page anyone.
 */
export function defaultGraceSeconds(intervalSeconds: number): number {
  return Math.min(MAX_GRACE_SECONDS, Math.max(60, Math.round(intervalSeconds / 10)));
}

/** When a monitor last heard from at `since` (its last ping, or when watching began) is overdue. */
export function dueAt(since: number, intervalSeconds: number, graceSeconds: number): number {
  return since + (intervalSeconds + graceSeconds) * 1000;
}

/** The dedup key of a monitor's alert: one open alert per monitor, whatever else uses its service. */
export function heartbeatDedupKey(monitorId: string): string {
  return `heartbeat:${monitorId}`;
}

export type HeartbeatState = 'waiting' | 'up' | 'overdue';

/** waiting: never pinged since it was created; overdue: its alert is open; up: pinging on time. */
export function heartbeatState(m: { lastPingAt: Date | null; overdueSince: Date | null }): HeartbeatState {
  if (m.overdueSince) return 'overdue';
  return m.lastPingAt ? 'up' : 'waiting';
}

/** The overdue alert's summary: what stopped and for how long it was expected. */
export function overdueSummary(name: string, intervalSeconds: number, lastPingAt: number | null): string {
  const every = describeSeconds(intervalSeconds);
  return lastPingAt === null
    ? `Heartbeat "${name}" never pinged (expected every ${every})`
    : `Heartbeat "${name}" missed its ping (expected every ${every})`;
}

/** 90 → "90 s", 300 → "5 min", 7200 → "2 h", 86400 → "1 d": the unit that divides it, largest first. */
export function describeSeconds(s: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
  ] as const)
    if (s % size === 0) return `${s / size} ${unit}`;
  return `${s} s`;
}
