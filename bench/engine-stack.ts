/**
 * The engine benchmark's processes, each on its own as in a deployment: an embedded Postgres with
 * pg_stat_statements loaded, the Temporal CLI dev server, Klaxon's API (`npm run api`) and worker (`npm
 * run worker`), and the trivial worker (bench/engine-trivial-worker.ts) on its own task queue of the same
 * dev server. The API and the worker connect to Postgres as roles of their own, so the statements each
 * runs are counted apart. Started through the chaos benchmark's supervisor, which also counts exits.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { loadConfig, projectPath } from '../runtime/config';
import { ensureDatabase } from '../runtime/embedded-postgres';
import { resolveTemporalCli } from '../runtime/temporal-tools';
import { createApiKey } from '../store/api-keys';
import { migrate } from '../store/migrate';
import {
  RestartablePostgres,
  devServer,
  httpReady,
  klaxonProcess,
  printed,
  type Supervised,
} from './chaos-processes';
import { freePort } from './service';

/** The Postgres roles the API and the worker log in as: pg_stat_statements counts by role. */
export const ROLES = { api: 'bench_api', worker: 'bench_worker' } as const;
const PASSWORD = 'klaxon';

export interface EngineStack {
  postgres: RestartablePostgres;
  temporal: Supervised;
  api: Supervised;
  worker: Supervised;
  trivial: Supervised;
  apiUrl: string;
  temporalAddress: string;
  /** Where the worker serves the Temporal SDK's own metrics (its workflow cache among them). */
  workerSdkMetrics: string;
  /** The benchmark's own connection (the `klaxon` role, so its polling is not counted as Klaxon's). */
  pool: pg.Pool;
  adminKey: string;
  /** The postmaster's process id: Postgres's backends are its children. */
  postgresPid(): number | undefined;
  /**
   * Tasks the dev server failed to process so far and will retry ("context deadline exceeded" when its
   * SQLite store is starved of CPU): a round with many is one where the engine was overloaded.
   */
  devServerRetries(): number;
  stop(): Promise<void>;
}

export interface StackOptions {
  dir: string;
  logs: string;
  /** Added to the worker's environment (WORKER_MAX_CACHED_WORKFLOWS, ...). */
  workerEnv: Record<string, string>;
  /** `compiled`: the API and worker run from dist/ under plain node (npm run build first), as in production. */
  runtime: 'compiled' | 'tsx';
  log: (line: string) => void;
}

/** Starts Postgres with pg_stat_statements, migrates it, then the dev server, the API and both workers. */
export async function startEngineStack(o: StackOptions): Promise<EngineStack> {
  const config = loadConfig();
  const cli = await resolveTemporalCli({
    toolsDir: projectPath(config.KLAXON_TOOLS_DIR),
    explicitPath: config.TEMPORAL_CLI_PATH,
    log: o.log,
  });
  if (cli.type !== 'existing-path')
    throw new Error(
      'the engine benchmark runs the Temporal CLI as its own process: run npm run provision first',
    );
  const [pgPort, temporalPort, apiPort, workerMetricsPort, sdkPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dataDir = path.join(o.dir, 'postgres');
  const postgres = new RestartablePostgres({ dataDir, port: pgPort, log: o.log });
  await postgres.start();
  await preloadStatements(postgres);
  await ensureDatabase(postgres.urlFor('postgres'), 'klaxon');
  const pool = new pg.Pool({ connectionString: postgres.urlFor('klaxon'), max: 3 });
  await migrate(pool);
  await pool.query('create extension if not exists pg_stat_statements');
  for (const role of Object.values(ROLES))
    await pool.query(`create role ${role} login superuser password '${PASSWORD}'`);
  const { key: adminKey } = await createApiKey(pool, { name: 'engine-bench', role: 'admin' });
  const urlAs = (role: string) => `postgres://${role}:${PASSWORD}@127.0.0.1:${pgPort}/klaxon`;

  const temporal = devServer({
    cli: cli.path,
    port: temporalPort,
    dbFile: path.join(o.dir, 'temporal.db'),
    logFile: path.join(o.logs, 'temporal.log'),
  });
  await temporal.start();
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const common = {
    TEMPORAL_ADDRESS: temporalAddress,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // One sender for every alert: the per-key limits are not under test.
    API_RATE_LIMIT_PER_MINUTE: '1000000',
    INGEST_RATE_LIMIT_PER_MINUTE: '1000000',
    // The page receiver listens on loopback, which webhooks may not reach by default.
    OUTBOUND_ALLOWLIST: '127.0.0.1/32',
  };
  const api = klaxonProcess({
    name: 'api',
    script: 'api/main.ts',
    ...(o.runtime === 'compiled' ? { args: ['dist/api/main.js'] } : {}),
    env: { ...common, DATABASE_URL: urlAs(ROLES.api), PORT: String(apiPort), TEMPORAL_METRICS_ADDRESS: 'off' },
    logFile: path.join(o.logs, 'api.log'),
    ready: (_out, exited) => httpReady(`${apiUrl}/healthz`, exited),
  });
  const workerSdkMetrics = `127.0.0.1:${sdkPort}`;
  const worker = klaxonProcess({
    name: 'worker',
    script: 'worker/main.ts',
    // The same preload as npm run worker:prod (the SDK's per-promise stack capture off).
    ...(o.runtime === 'compiled' ? { args: ['--require', './dist/worker/workflow-stack-traces.js', 'dist/worker/main.js'] } : {}),
    env: {
      ...common,
      // Its start-up line is what tells it ready.
      LOG_LEVEL: 'info',
      DATABASE_URL: urlAs(ROLES.worker),
      WORKER_METRICS_PORT: String(workerMetricsPort),
      TEMPORAL_METRICS_ADDRESS: workerSdkMetrics,
      ...o.workerEnv,
    },
    logFile: path.join(o.logs, 'worker.log'),
    ready: (out, exited) => printed(out, '"msg":"worker started"', exited),
  });
  const trivial = klaxonProcess({
    name: 'trivial-worker',
    script: 'bench/engine-trivial-worker.ts',
    env: { TEMPORAL_ADDRESS: temporalAddress },
    logFile: path.join(o.logs, 'trivial-worker.log'),
    ready: (out, exited) => printed(out, 'trivial worker started', exited),
  });
  await Promise.all([api.start(), worker.start(), trivial.start()]);
  return {
    postgres,
    temporal,
    api,
    worker,
    trivial,
    apiUrl,
    temporalAddress,
    workerSdkMetrics,
    pool,
    adminKey,
    postgresPid: () => {
      try {
        return Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      } catch {
        return undefined;
      }
    },
    devServerRetries: () => {
      try {
        return (
          readFileSync(path.join(o.logs, 'temporal.log'), 'utf8').split('Fail to process task').length - 1
        );
      } catch {
        return 0;
      }
    },
    async stop() {
      await Promise.all([worker.stop(), trivial.stop(), api.stop()]);
      await temporal.stop();
      await pool.end().catch(() => {});
      await postgres.stop();
    },
  };
}

/** Loads pg_stat_statements at start (it needs shared_preload_libraries): one restart of the fresh cluster. */
async function preloadStatements(postgres: RestartablePostgres): Promise<void> {
  const client = new pg.Client({ connectionString: postgres.urlFor('postgres') });
  await client.connect();
  try {
    await client.query(`alter system set shared_preload_libraries = 'pg_stat_statements'`);
    // begin and commit count too: each is a statement a client sends.
    await client.query(`alter system set pg_stat_statements.track_utility = on`);
  } finally {
    await client.end();
  }
  await postgres.restart(0);
}
