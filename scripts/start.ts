/**
 * `npm start`: the whole service on one machine for a newcomer. Embedded Postgres (unless DATABASE_URL),
 * the Temporal CLI dev server with its Web UI (unless TEMPORAL_ADDRESS), migrations, the worker and the
 * API, in one process; Ctrl-C stops everything cleanly.
 */
import path from 'node:path';
import { Client } from '@temporalio/client';
import { dataConverterOf } from '../runtime/payload-codec';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../api/app';
import { buildInfo, KLAXON_VERSION } from '../runtime/metrics';
import { installSdkRuntime } from '../runtime/sdk-runtime';
import { startAppCaches } from '../api/app-caches';
import { drainOf } from '../api/drain';
import { listen } from '../api/listen';
import { appSettingsOf, firstStart } from '../api/app-config';
import { ConfigError, loadConfig, projectPath } from '../runtime/config';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../runtime/embedded-postgres';
import { createLogger } from '../runtime/logger';
import { connectClient, connectWorker, registerSearchAttributes, startDevServer } from '../runtime/temporal';
import { temporalTargetOf } from '../runtime/temporal-connection';
import { loggedPoolOptions, poolOptionsOf } from '../runtime/database-connection';
import { resolveTemporalCli, waitForPort } from '../runtime/temporal-tools';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { workerTuningOf } from '../runtime/worker-tuning';
import { createKlaxonWorker, pagingFromConfig } from '../worker/worker';
import { workflowBundleOf } from '../worker/workflow-bundle';
import { COMPILED } from '../runtime/project-root';
import { ensureConsoleBuilt } from './build-web';

const say = (line: string) => console.log(`[klaxon] ${line}`);

// How long requests in flight at Ctrl-C get to finish before they are answered 503.
const DRAIN_MS = 5_000;

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
  const log = createLogger(config.LOG_LEVEL);
  // Certificate files are checked before anything starts. TLS and API keys are for an external Temporal
  // only: config.ts refuses them without TEMPORAL_ADDRESS (the dev server below is plaintext).
  const externalTemporal = config.TEMPORAL_ADDRESS ? temporalTargetOf(config) : undefined;
  const poolOptions = loggedPoolOptions(poolOptionsOf(config), log);
  // This process owns Ctrl-C: it stops the API, then the worker, then the servers, in that order.
  installSdkRuntime(config, log, { shutdownSignals: [] });
  buildInfo.set({ version: KLAXON_VERSION, role: 'all' }, 1);
  const dataDir = projectPath(config.KLAXON_DATA_DIR);
  const cleanups: { what: string; run: () => Promise<unknown> }[] = [];

  let databaseUrl = config.DATABASE_URL;
  let embedded: EmbeddedPostgresHandle | undefined;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: config.EMBEDDED_PG_PORT, log: say });
    cleanups.push({ what: 'postgres', run: () => embedded!.stop() });
    await ensureDatabase(embedded.urlFor('postgres'), 'klaxon');
    databaseUrl = embedded.urlFor('klaxon');
    say(`postgres: embedded, 127.0.0.1:${config.EMBEDDED_PG_PORT}, data in ${path.join(config.KLAXON_DATA_DIR, 'postgres')}`);
  } else {
    say('postgres: DATABASE_URL');
  }
  const pool = createPool(databaseUrl, poolOptions);
  cleanups.unshift({ what: 'database pool', run: () => pool.end() });
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
    cleanups.push({ what: 'temporal dev server', run: () => devServer!.teardown() });
    address = `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
    uiUrl = `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
  }
  // An external Temporal (TEMPORAL_ADDRESS) may be down or not up yet: wait for it, saying so.
  const target = externalTemporal ?? { address };
  const clientConnection = await connectClient(target, { log });
  cleanups.unshift({ what: 'temporal client', run: () => clientConnection.close() });
  const { connection } = clientConnection;
  await registerSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterOf(config.TEMPORAL_PAYLOAD_KEYS) });

  const workerConnection = await connectWorker(target, { log });
  const worker = await createKlaxonWorker({ connection: workerConnection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, pool, ...pagingFromConfig(config), workflows: temporal.workflow, dataConverter: dataConverterOf(config.TEMPORAL_PAYLOAD_KEYS), tuning: workerTuningOf(config), workflowBundle: workflowBundleOf(config.WORKFLOW_BUNDLE_PATH) });
  const workerDone = worker.run();

  // From source, the console is (re)built when missing or older than web/; compiled, `npm run build` made it.
  if (!COMPILED) await ensureConsoleBuilt(undefined, say);
  const settings = appSettingsOf(config);
  const caches = startAppCaches({ pool, databaseUrl, log, reopenWindowMs: settings.reopenWindowMs! });
  const app = createApp({ pool, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, log, caches, ...settings });
  const server = await listen(app, config.PORT, config.HOST);
  const drain = drainOf(server);
  const apiUrl = `http://${config.HOST}:${config.PORT}`;

  const { adminKey, setupLink } = await firstStart(pool, config);
  say(`temporal: ${address} (namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE})`);
  if (uiUrl) say(`Temporal Web UI: ${uiUrl}`);
  say(`API: ${apiUrl}   (try: curl ${apiUrl}/healthz)`);
  say(`web console: ${apiUrl}/console`);
  say(`metrics: ${apiUrl}/metrics (Klaxon)${config.TEMPORAL_METRICS_ADDRESS === 'off' ? '' : `, http://${config.TEMPORAL_METRICS_ADDRESS}/metrics (Temporal SDK)`}`);
  if (adminKey) say(`admin API key, shown this once, keep it: ${adminKey}`);
  if (setupLink) say(`set up the first console admin (the link works once): ${setupLink}`);
  say('ready. Ctrl-C stops everything.');

  let stopping = false;
  /**
   * Runs one shutdown step, going on after `ms` if it has not settled. Ctrl-C also reaches Postgres and
   * the dev server (same process group), and a step waiting on a process that already left may never
   * settle; with nothing else pending, Node would then exit silently half-way through stopping.
   */
  const step = async (what: string, run: () => Promise<unknown>, ms = 10_000) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.warn(`${what}: not stopped after ${ms / 1000} s, going on`);
        resolve();
      }, ms);
    });
    try {
      await Promise.race([run().catch((err) => log.error({ err }, `${what}: stopping failed`)), late]);
    } finally {
      clearTimeout(timer);
    }
  };
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    // Stop accepting; requests in flight finish within DRAIN_MS (the worker still runs, so an alert being
    // triggered can be recorded) or are answered 503. Ctrl-C has stopped the dev server already, so a
    // request waiting on it would otherwise wait out every retry the SDK makes.
    await step('api', async () => {
      const { unfinished } = await drain.stop(DRAIN_MS);
      if (unfinished > 0) say(`api: ${unfinished} request(s) still waiting after ${DRAIN_MS / 1000} s answered 503`);
    });
    // Nothing may retry against Temporal from here on; the connection closes once the last retry ran.
    clientConnection.stopRetries();
    // Right after the API, while Postgres is most likely still up: it writes the last raw-event counts.
    await step('api caches', () => caches.close());
    await step('worker', async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerDone;
      await workerConnection.close();
    });
    for (const cleanup of cleanups) await step(cleanup.what, cleanup.run);
    say('stopped');
    process.exit(0);
  };
  // embedded-postgres registers an exit hook that stops Postgres and exits on the first signal, before
  // the worker has drained; this process stops things in its own order instead.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  // Ctrl-C in a terminal signals the whole process group, and `npm start` relays the same signal to us
  // a moment later: one press, two signals. Only a press well after the first forces an exit.
  let firstSignalAt = 0;
  const onSignal = (signal: string) => {
    if (!stopping) {
      firstSignalAt = Date.now();
      void stop(signal);
    } else if (Date.now() - firstSignalAt > 1_000) {
      say(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

main().catch((err) => {
  // A configuration problem is the operator's to fix: its message names the variables; a stack adds nothing.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
