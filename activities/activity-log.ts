/**
 * The SDK's activity logger (it adds the workflow id, run id, activity type and attempt to each line,
 * and goes wherever the worker's Runtime logger goes: runtime/sdk-runtime.ts sends it to pino), or
 * nothing outside an activity, as when a test calls an activity function directly.
 */
import { Context } from '@temporalio/activity';
import type { LogMetadata } from '@temporalio/common';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** Writes one line to the current activity's logger; a no-op outside an activity. */
export function activityLog(level: Level, message: string, meta: LogMetadata): void {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return;
  }
  ctx.log[level](message, meta);
}
