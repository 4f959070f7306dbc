/**
 * The Temporal servers provisioned by `npm test` (the time-skipping test server; the CLI's dev server),
 * and the workflow bundles tests run: workflows/ as it is, built once per file, and as it was before
 * its patches.
 */
import { DefaultLogger, Runtime, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer, startTimeSkippingServer } from '../../runtime/temporal';
import { createLogger } from '../../runtime/logger';
import { sdkRuntimeOptions } from '../../runtime/sdk-runtime';
import type { ServerExecutable } from '../../runtime/temporal-tools';
import { freePort } from './npm-start';

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
const testLogger = new DefaultLogger('TRACE', (entry) => {
  sdkLog.push({ level: entry.level, message: entry.message, meta: entry.meta ?? {} });
  if (sdkLog.length > SDK_LOG_KEPT) sdkLog.splice(0, sdkLog.length - SDK_LOG_KEPT);
  if (entry.level === 'WARN' || entry.level === 'ERROR') printed.log(entry.level, entry.message, entry.meta);
});
Runtime.install({ logger: testLogger });

/**
 * Replaces the runtime above with one configured as the worker process's (runtime/sdk-runtime.ts),
 * serving the SDK's Prometheus metrics on a free loopback port, and returns that host:port. The SDK
 * allows one runtime at a time, so call it before anything connects to Temporal: the runtime above
 * is still idle then, and shutting it down drops nothing. Its log lines still land in sdkLogEntries().
 */
export async function installSdkRuntimeWithMetrics(): Promise<string> {
  const address = `127.0.0.1:${await freePort()}`;
  await Runtime._instance?.shutdown();
  Runtime.install({
    ...sdkRuntimeOptions({ TEMPORAL_METRICS_ADDRESS: address }, createLogger('silent')),
    logger: testLogger,
  });
  return address;
}

/** Returns a started time-skipping environment with Klaxon's search attributes (on `port` if given). */
export async function startTestTemporal(port?: number): Promise<TestWorkflowEnvironment> {
  const raw = process.env.KLAXON_TEST_SERVER;
  if (!raw) throw new Error('KLAXON_TEST_SERVER is unset: run tests with `npm test`');
  return startTimeSkippingServer(JSON.parse(raw) as ServerExecutable, port);
}

/**
 * Returns a started Temporal CLI dev server (real time, sticky queues, task queue descriptions) on free
 * ports, and removeFiles() for its database file once whoever owns the environment has torn it down.
 */
export async function startTestDevServer(): Promise<{ env: TestWorkflowEnvironment; removeFiles(): void }> {
  const cli = process.env.TEMPORAL_CLI_PATH;
  if (!cli) throw new Error('TEMPORAL_CLI_PATH is unset: run tests with `npm test`, which provisions the CLI');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-dev-server-'));
  const env = await startDevServer({
    executable: { type: 'existing-path', path: cli },
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: path.join(dir, 'temporal.db'),
    namespace: 'default',
  });
  return { env, removeFiles: () => rmSync(dir, { recursive: true, force: true }) };
}

let bundle: Promise<WorkflowBundle> | undefined;

/** Returns the bundle of workflows/, built on first use in this process. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  return bundle;
}

/**
 * Returns a bundle of workflows/ as a worker from before every patch in it ran them: `@temporalio/workflow`
 * is replaced by test/fixtures/workflow-before-patches.ts, whose patched() is false and which records no
 * patch marker. A stand-in for checking out the release before the patches, which a shallow clone lacks;
 * it is as old as "before the patches" only, so a change made without patched() is not undone by it.
 */
export function workflowBundleBeforePatches(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: quietLogger,
    webpackConfigHook: (config) => ({
      ...config,
      resolve: {
        ...config.resolve,
        // `$`: the package itself only, so the shim can still import the real one by its file path.
        alias: { ...config.resolve?.alias, '@temporalio/workflow$': require.resolve('../fixtures/workflow-before-patches') },
      },
    }),
  });
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
