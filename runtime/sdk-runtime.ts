/**
 * The Temporal SDK's process-wide runtime (Runtime.install, once per process) as the worker and `npm
 * start` configure it: the SDK's own log level follows LOG_LEVEL, and its worker metrics (task slots,
 * schedule-to-start latency, poll results, sticky cache) are served for Prometheus on
 * TEMPORAL_METRICS_ADDRESS by the SDK's core, next to Klaxon's own metrics.
 */
import { DefaultLogger, Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Config } from './config';

/** Returns the runtime options for the config; `shutdownSignals: []` when the caller owns Ctrl-C. */
export function sdkRuntimeOptions(config: Pick<Config, 'LOG_LEVEL' | 'TEMPORAL_METRICS_ADDRESS'>, extra: Pick<RuntimeOptions, 'shutdownSignals'> = {}): RuntimeOptions {
  const verbose = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace';
  return {
    ...extra,
    logger: new DefaultLogger(verbose ? 'DEBUG' : 'WARN'),
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

/** Installs the SDK runtime for the config. */
export function installSdkRuntime(config: Pick<Config, 'LOG_LEVEL' | 'TEMPORAL_METRICS_ADDRESS'>, extra: Pick<RuntimeOptions, 'shutdownSignals'> = {}): void {
  Runtime.install(sdkRuntimeOptions(config, extra));
}
