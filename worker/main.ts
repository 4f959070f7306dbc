/**
 * `npm run worker`: a worker against an existing Temporal (TEMPORAL_ADDRESS) and Postgres (DATABASE_URL).
 * Run as many as load needs; Temporal spreads the alerts among them.
 */
import { Client } from '@temporalio/client';
import { dataConverterOf } from '../runtime/payload-codec';
import type { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../runtime/config';
import { buildInfo, KLAXON_VERSION } from '../runtime/metrics';
import { serveMetrics } from '../runtime/metrics-server';
import { installSdkRuntime } from '../runtime/sdk-runtime';
import { createLogger, type Logger } from '../runtime/logger';
import {
  connectClient,
  connectWorker,
  registerSearchAttributes,
  type ClientConnection,
} from '../runtime/temporal';
import { temporalTargetOf, type TemporalTarget } from '../runtime/temporal-connection';
import { loggedPoolOptions, poolOptionsOf } from '../runtime/database-connection';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { workerTuningOf } from '../runtime/worker-tuning';
import { createKlaxonWorker, pagingFromConfig, type KlaxonWorker } from './worker';
import { workflowBundleOf } from './workflow-bundle';

/**
 * Returns the worker's and the client's connections once Temporal answers, retrying while it is
 * unreachable; undefined if SIGINT or SIGTERM came first. Worker.run handles signals only once it runs,
 * and the SDK's own handler does not exit, so until then this one stops the wait.
 */
async function connectOrStop(
  target: TemporalTarget,
  log: Logger,
): Promise<{ connection: NativeConnection; clientConnection: ClientConnection } | undefined> {
  const stopped = new AbortController();
  const stop = (signal: string) => stopped.abort(new Error(`${signal} while waiting for Temporal`));
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  let connection: NativeConnection | undefined;
  try {
    connection = await connectWorker(target, { log, signal: stopped.signal });
    const clientConnection = await connectClient(target, { log, signal: stopped.signal });
    return { connection, clientConnection };
  } catch (err) {
    if (!stopped.signal.aborted) throw err;
    log.info({ address: target.address }, `${(stopped.signal.reason as Error).message}: stopped`);
    await connection?.close();
    return undefined;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'klaxon-worker');
  // Certificate files (Temporal's, Postgres's) are read and checked before anything else starts.
  const target = temporalTargetOf(config);
  const poolOptions = loggedPoolOptions(poolOptionsOf(config), log);
  installSdkRuntime(config, log);
  buildInfo.set({ version: KLAXON_VERSION, role: 'worker' }, 1);
  // Set once the worker exists; the metrics server's /readyz asks it from the start.
  const running: { worker?: KlaxonWorker } = {};
  const metricsServer =
    config.WORKER_METRICS_PORT > 0 ? await serveMetrics(config.WORKER_METRICS_PORT, config.HOST, () => running.worker?.getState() ?? 'STARTING') : undefined;
  if (metricsServer)
    log.info(
      {
        url: `http://${config.HOST}:${config.WORKER_METRICS_PORT}/metrics`,
        sdk: config.TEMPORAL_METRICS_ADDRESS,
      },
      'metrics listening',
    );
  if (!config.DATABASE_URL)
    throw new Error('DATABASE_URL is required for `npm run worker` (`npm start` embeds Postgres)');
  // Before anything connects: a missing bundle is a broken install, not something to wait out.
  const workflowBundle = workflowBundleOf(config.WORKFLOW_BUNDLE_PATH);
  const tuning = workerTuningOf(config);
  const pool = createPool(config.DATABASE_URL, poolOptions);
  await migrate(pool);
  const { address } = target;
  const connected = await connectOrStop(target, log);
  if (!connected) {
    metricsServer?.close();
    await pool.end();
    return;
  }
  const { connection, clientConnection } = connected;
  await registerSearchAttributes(clientConnection.connection, config.TEMPORAL_NAMESPACE);
  const client = new Client({
    connection: clientConnection.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterOf(config.TEMPORAL_PAYLOAD_KEYS),
  });
  const worker = (running.worker = await createKlaxonWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    pool,
    ...pagingFromConfig(config),
    workflows: client.workflow,
    dataConverter: dataConverterOf(config.TEMPORAL_PAYLOAD_KEYS),
    tuning,
    workflowBundle,
    shutdownGraceMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  }));
  const workflowCode = workflowBundle ?? 'bundled at start';
  log.info(
    {
      address,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowCode,
      ...tuning,
    },
    'worker started',
  );
  // Worker.run installs SIGINT/SIGTERM handlers and returns after a graceful shutdown: polling stops,
  // activities in flight get SHUTDOWN_TIMEOUT_SECONDS to finish. Should anything hang past that (a
  // connection that never closes), the process still ends, so an orchestrator's grace period is enough.
  const bound = config.SHUTDOWN_TIMEOUT_SECONDS * 1000 + 10_000;
  const onStop = (signal: string) => {
    log.info({ signal, boundMs: bound }, 'stopping: activities in flight may finish');
    setTimeout(() => {
      log.error({ boundMs: bound }, 'not stopped within the bound: exiting');
      process.exit(1);
    }, bound).unref();
  };
  process.once('SIGTERM', () => onStop('SIGTERM'));
  process.once('SIGINT', () => onStop('SIGINT'));
  await worker.run();
  log.info('stopped');
  await connection.close();
  await clientConnection.close();
  metricsServer?.close();
  await pool.end();
}

main().catch((err) => {
  // A configuration problem is the operator's to fix: its message names the variables; a stack adds nothing.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
