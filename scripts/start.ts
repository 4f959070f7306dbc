/**
 * `npm start`: the whole service on one machine for a newcomer. Embedded Postgres (unless DATABASE_URL),
 * the Temporal CLI dev server with its Web UI (unless TEMPORAL_ADDRESS), migrations, the worker and the
 * API, in one process; Ctrl-C stops everything cleanly.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../api/app';
import { listen } from '../api/listen';
import { repliesFromConfig } from '../api/replies';
import { loadConfig, projectPath } from '../runtime/config';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../runtime/embedded-postgres';
import { createLogger } from '../runtime/logger';
import { registerSearchAttributes, startDevServer } from '../runtime/temporal';
import { resolveTemporalCli, waitForPort } from '../runtime/temporal-tools';
import { bootstrapAdminKey } from '../store/api-keys';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { createKlaxonWorker, pagingFromConfig } from '../worker/worker';

const say = (line: string) => console.log(`[klaxon] ${line}`);

/** Throws a clear error when something already listens on the port (the dev server would fail obscurely). */
async function assertPortFree(port: number, variable: string, hint: string): Promise<void> {
  const inUse = await waitForPort(port, 0).then(
    () => true,
    () => false,
  );
  if (inUse) throw new Error(`port ${port} (${variable}) is already in use: ${hint}`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  // This process owns Ctrl-C: it stops the API, then the worker, then the servers, in that order.
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger(config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN'),
  });
  const log = createLogger(config.LOG_LEVEL);
  const dataDir = projectPath(config.KLAXON_DATA_DIR);
  const cleanups: (() => Promise<unknown>)[] = [];

  let databaseUrl = config.DATABASE_URL;
  let embedded: EmbeddedPostgresHandle | undefined;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: config.EMBEDDED_PG_PORT, log: say });
    cleanups.push(() => embedded!.stop());
    await ensureDatabase(embedded.urlFor('postgres'), 'klaxon');
    databaseUrl = embedded.urlFor('klaxon');
    say(`postgres: embedded, 127.0.0.1:${config.EMBEDDED_PG_PORT}, data in ${path.join(config.KLAXON_DATA_DIR, 'postgres')}`);
  } else {
    say('postgres: DATABASE_URL');
  }
  const pool = createPool(databaseUrl);
  cleanups.unshift(() => pool.end());
  const applied = await migrate(pool);
  say(`migrations: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);

  let address = config.TEMPORAL_ADDRESS;
  let uiUrl: string | undefined;
  let devServer: TestWorkflowEnvironment | undefined;
  if (!address) {
    await assertPortFree(config.TEMPORAL_DEV_PORT, 'TEMPORAL_DEV_PORT', 'another Temporal server? set TEMPORAL_ADDRESS to use it');
    await assertPortFree(config.TEMPORAL_UI_PORT, 'TEMPORAL_UI_PORT', 'choose another port');
    const executable = await resolveTemporalCli({ toolsDir: projectPath(config.KLAXON_TOOLS_DIR), explicitPath: config.TEMPORAL_CLI_PATH, log: say });
    devServer = await startDevServer({
      executable,
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: path.join(dataDir, 'temporal.db'),
      namespace: config.TEMPORAL_NAMESPACE,
    });
    cleanups.push(() => devServer!.teardown());
    address = `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
    uiUrl = `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
  }
  const connection = await Connection.connect({ address });
  cleanups.unshift(() => connection.close());
  await registerSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });

  const workerConnection = await NativeConnection.connect({ address });
  const worker = await createKlaxonWorker({ connection: workerConnection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, pool, ...pagingFromConfig(config), workflows: temporal.workflow });
  const workerDone = worker.run();

  const app = createApp({ pool, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, log, bodyLimit: config.BODY_LIMIT, slaAtRiskFraction: config.SLA_AT_RISK_FRACTION, reopenWindowMs: config.REOPEN_WINDOW_MINUTES * 60_000, ingestRatePerMinute: config.INGEST_RATE_LIMIT_PER_MINUTE, replies: repliesFromConfig(config), apiRatePerMinute: config.API_RATE_LIMIT_PER_MINUTE });
  const server = await listen(app, config.PORT, config.HOST);
  const apiUrl = `http://${config.HOST}:${config.PORT}`;

  const adminKey = await bootstrapAdminKey(pool);
  say(`temporal: ${address} (namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE})`);
  if (uiUrl) say(`Temporal Web UI: ${uiUrl}`);
  say(`API: ${apiUrl}   (try: curl ${apiUrl}/healthz)`);
  if (adminKey) say(`admin API key, shown this once, keep it: ${adminKey}`);
  say('ready. Ctrl-C stops everything.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    try {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerDone.catch((err) => log.error({ err }, 'worker stopped with an error'));
      await workerConnection.close();
    } finally {
      for (const cleanup of cleanups) await cleanup().catch((err) => log.error({ err }, 'cleanup failed'));
    }
    say('stopped');
    process.exit(0);
  };
  // embedded-postgres registers an exit hook that stops Postgres and exits on the first signal, before
  // the worker has drained; this process stops things in its own order instead.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
