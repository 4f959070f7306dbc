/** The time-skipping test server provisioned by `npm test`, and a workflow bundle built once per file. */
import { DefaultLogger, Runtime, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTimeSkippingServer } from '../../runtime/temporal';
import { installSdkRuntime } from '../../runtime/sdk-runtime';
import type { ServerExecutable } from '../../runtime/temporal-tools';
import { freePort } from './npm-start';

/**
 * Installs the SDK runtime unless the test file installed its own first (one that serves the SDK's
 * metrics, say): worker lifecycle chatter buries test output, warnings and errors still show.
 */
function installQuietRuntime(): void {
  if (Runtime._instance === undefined) Runtime.install({ logger: new DefaultLogger('WARN') });
}

/**
 * Installs the SDK runtime as the worker process does (runtime/sdk-runtime.ts), serving the SDK's
 * Prometheus metrics on a free loopback port; returns that host:port. Call it before anything starts
 * a worker or a test server: the runtime is installed once per process.
 */
export async function installSdkRuntimeWithMetrics(): Promise<string> {
  if (Runtime._instance !== undefined)
    throw new Error(
      'the SDK runtime is already installed: install the one with metrics before starting a worker or server',
    );
  const address = `127.0.0.1:${await freePort()}`;
  installSdkRuntime({ LOG_LEVEL: 'warn', TEMPORAL_METRICS_ADDRESS: address });
  return address;
}

/** Returns a started time-skipping environment with Klaxon's search attributes (on `port` if given). */
export async function startTestTemporal(port?: number): Promise<TestWorkflowEnvironment> {
  const raw = process.env.KLAXON_TEST_SERVER;
  if (!raw) throw new Error('KLAXON_TEST_SERVER is unset: run tests with `npm test`');
  installQuietRuntime();
  return startTimeSkippingServer(JSON.parse(raw) as ServerExecutable, port);
}

let bundle: Promise<WorkflowBundle> | undefined;

/** Returns the bundle of workflows/, built on first use in this process. */
export function workflowBundle(): Promise<WorkflowBundle> {
  installQuietRuntime();
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  return bundle;
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
