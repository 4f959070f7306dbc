/**
 * The Temporal SDK's process-wide runtime (Runtime.install, once per process) as the worker and `npm
 * start` configure it: every log line of the SDK (its own, the workflows' `log` and the activities'
 * context loggers, which add the workflow id, run id and activity type) goes to the process's pino
 * logger at LOG_LEVEL, and its worker metrics (task slots, schedule-to-start latency, poll results,
 * sticky cache) are served for Prometheus on TEMPORAL_METRICS_ADDRESS by the SDK's core, next to
 * Klaxon's own metrics.
 */
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Config } from './config';
import type { Logger } from './logger';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** Returns the SDK's logger interface over a pino logger (pino's level decides what is written). */
export function sdkLoggerOf(log: Logger): SdkLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => log[LEVELS[level]](meta ?? {}, message);
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}

/** Returns the runtime options for the config; `shutdownSignals: []` when the caller owns Ctrl-C. */
export function sdkRuntimeOptions(config: Pick<Config, 'TEMPORAL_METRICS_ADDRESS'>, log: Logger, extra: Pick<RuntimeOptions, 'shutdownSignals'> = {}): RuntimeOptions {
  return {
    ...extra,
    logger: sdkLoggerOf(log.child({ component: 'temporal' })),
    ...(config.TEMPORAL_METRICS_ADDRESS === 'off'
      ? {}
      : {
          telemetryOptions: {
            metrics: {
              // Prometheus conventions: `_total` counters, seconds, unit suffixes (e.g.
              // temporal_workflow_task_schedule_to_start_latency_seconds).
              prometheus: { bindAddress: config.TEMPORAL_METRICS_ADDRESS, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
            },
          },
        }),
  };
}

/** Installs the SDK runtime for the config, logging to `log`. */
export function installSdkRuntime(config: Pick<Config, 'TEMPORAL_METRICS_ADDRESS'>, log: Logger, extra: Pick<RuntimeOptions, 'shutdownSignals'> = {}): void {
  Runtime.install(sdkRuntimeOptions(config, log, extra));
}
