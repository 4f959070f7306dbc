/**
 * One attempt of a page as Temporal runs it: its number, when the page and this attempt were scheduled,
 * heartbeats and cancellation. Outside an activity (a direct call in a test) it is a lone attempt with
 * nothing to heartbeat to and nobody to cancel it.
 */
import { Context } from '@temporalio/activity';

export interface PageAttempt {
  /** Temporal's attempt number (1 for the first); undefined outside an activity. */
  number: number | undefined;
  /** When the page's first attempt was scheduled, and this one: the server's clock, the cap is measured on it. */
  firstScheduledMs: number;
  scheduledMs: number;
  /** Aborted once the workflow asks the page to stop (or the server gave up on this attempt). */
  signal: AbortSignal | undefined;
  /** Tells Temporal the attempt is alive (a no-op unless the activity has a heartbeat timeout). */
  heartbeat(): void;
}

/**
 * Attempts a page had before the activity now running it: a page first tried within its tier's
 * pageTargets activity and then retried on its own goes on counting, and its retry cap counts, from there.
 */
export interface EarlierAttempts {
  attempts: number;
  firstScheduledMs: number;
}

/** Returns the attempt running in the current activity context, or a lone attempt outside one. */
export function currentAttempt(earlier?: EarlierAttempts): PageAttempt {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    const now = Date.now();
    return {
      number: undefined,
      firstScheduledMs: now,
      scheduledMs: now,
      signal: undefined,
      heartbeat: () => {},
    };
  }
  const { info } = ctx;
  return {
    number: info.attempt + (earlier?.attempts ?? 0),
    firstScheduledMs: Math.min(info.scheduledTimestampMs, earlier?.firstScheduledMs ?? Infinity),
    scheduledMs: info.currentAttemptScheduledTimestampMs,
    signal: ctx.cancellationSignal,
    // Runs from before schedule pages without a heartbeat timeout; an activity must not heartbeat then.
    heartbeat: info.heartbeatTimeoutMs ? () => ctx.heartbeat() : () => {},
  };
}

/** Returns when an entry about this attempt happened: now, but never before the attempt was scheduled. */
export function attemptTime(a: PageAttempt): Date {
  // The server's clock and this process's agree in production; on a time-skipping server the first is ahead.
  return new Date(Math.max(Date.now(), a.scheduledMs));
}
