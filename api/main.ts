/** `npm run api`: the HTTP API against an existing Temporal (TEMPORAL_ADDRESS) and Postgres (DATABASE_URL). */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@temporalio/client';
import { dataConverterOf } from '../runtime/payload-codec';
import { ConfigError, loadConfig } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { buildInfo, KLAXON_VERSION } from '../runtime/metrics';
import { connectClient, registerSearchAttributes } from '../runtime/temporal';
import { temporalTargetOf } from '../runtime/temporal-connection';
import { loggedPoolOptions, poolOptionsOf } from '../runtime/database-connection';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { createApp } from './app';
import { startAppCaches } from './app-caches';
import { appSettingsOf, firstStart } from './app-config';
import { drainOf } from './drain';
import { listen } from './listen';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'klaxon-api');
  // Certificate files (Temporal's, Postgres's) are read and checked before anything else starts.
  const target = temporalTargetOf(config);
  const poolOptions = loggedPoolOptions(poolOptionsOf(config), log);
  buildInfo.set({ version: KLAXON_VERSION, role: 'api' }, 1);
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required for `npm run api` (`npm start` embeds Postgres)');
  const pool = createPool(config.DATABASE_URL, poolOptions);
  await migrate(pool);
  const { adminKey, setupLink } = await firstStart(pool, config);
  if (adminKey) console.log(`\nFirst start on an empty database: admin API key (shown once)\n  ${adminKey}\n`);
  if (setupLink) console.log(`\nNo admin can sign in to the console yet: set one up at (works once)\n  ${setupLink}\n`);
  // Started during a Temporal outage (or before it, as docker compose may), it waits rather than exits.
  const clientConnection = await connectClient(target, { log });
  await registerSearchAttributes(clientConnection.connection, config.TEMPORAL_NAMESPACE);
  const temporal = new Client({ connection: clientConnection.connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterOf(config.TEMPORAL_PAYLOAD_KEYS) });
  const settings = appSettingsOf(config);
  const caches = startAppCaches({ pool, databaseUrl: config.DATABASE_URL, log, reopenWindowMs: settings.reopenWindowMs! });
  let stopping = false;
  const app = createApp({ pool, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, log, caches, ...settings, stopping: () => stopping });
  const server = await listen(app, config.PORT, config.HOST);
  const drain = drainOf(server);
  log.info({ url: `http://${config.HOST}:${config.PORT}` }, 'api listening');
  const delayMs = config.SHUTDOWN_READINESS_DELAY_SECONDS * 1000;
  const boundMs = config.SHUTDOWN_TIMEOUT_SECONDS * 1000;
  const stop = (signal: string) => {
    if (stopping) return;
    // Readiness fails first and requests are still served for the delay, so the load balancer stops
    // sending new ones before the listener closes (a Kubernetes Service updates its endpoints a moment
    // after the pod is told to stop). Then requests in flight get the bound, then 503 (api/drain.ts);
    // then nothing retries against Temporal.
    stopping = true;
    log.info({ signal, readinessDelayMs: delayMs, boundMs }, 'stopping: readiness fails from now on');
    void sleep(delayMs)
      .then(() => drain.stop(boundMs))
      .then(({ unfinished }) => unfinished > 0 && log.warn({ unfinished }, 'requests still waiting at shutdown answered 503'))
      .then(() => clientConnection.stopRetries())
      // The caches write their last counts, so they close before the pool.
      .then(() => caches.close())
      .catch((err) => log.error({ err }, 'stopping failed'))
      .then(() => Promise.all([clientConnection.close(), pool.end()]))
      .then(() => log.info('stopped'))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  // A configuration problem is the operator's to fix: its message names the variables; a stack adds nothing.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
