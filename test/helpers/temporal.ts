/** The time-skipping test server provisioned by `npm test`, and a workflow bundle built once per file. */
import { DefaultLogger, Runtime, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTimeSkippingServer } from '../../runtime/temporal';
import type { ServerExecutable } from '../../runtime/temporal-tools';

/** One line the SDK's logger got: its own, a workflow's `log`, an activity's context logger. */
export interface SdkLogEntry {
  level: LogLevel;
  message: string;
  meta: LogMetadata;
}

const SDK_LOG_KEPT = 20_000;
const sdkLog: SdkLogEntry[] = [];

/** Returns the SDK log lines of this process so far (the last 20,000), for tests of what workers log. */
export function sdkLogEntries(): readonly SdkLogEntry[] {
  return sdkLog;
}

// Worker lifecycle chatter buries test output: only warnings and errors are printed, every line is kept.
const printed = new DefaultLogger('WARN');
Runtime.install({
  logger: new DefaultLogger('TRACE', (entry) => {
    sdkLog.push({ level: entry.level, message: entry.message, meta: entry.meta ?? {} });
    if (sdkLog.length > SDK_LOG_KEPT) sdkLog.splice(0, sdkLog.length - SDK_LOG_KEPT);
    if (entry.level === 'WARN' || entry.level === 'ERROR') printed.log(entry.level, entry.message, entry.meta);
  }),
});

/** Returns a started time-skipping environment with Klaxon's search attributes (on `port` if given). */
export async function startTestTemporal(port?: number): Promise<TestWorkflowEnvironment> {
  const raw = process.env.KLAXON_TEST_SERVER;
  if (!raw) throw new Error('KLAXON_TEST_SERVER is unset: run tests with `npm test`');
  return startTimeSkippingServer(JSON.parse(raw) as ServerExecutable, port);
}

let bundle: Promise<WorkflowBundle> | undefined;

/** Returns the bundle of workflows/, built on first use in this process. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  return bundle;
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
