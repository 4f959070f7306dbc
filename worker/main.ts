/**
 * `npm run worker`: a worker against an existing Temporal (TEMPORAL_ADDRESS) and Postgres (DATABASE_URL).
 * Run as many as load needs; Temporal spreads the alerts among them.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { registerSearchAttributes } from '../runtime/temporal';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { createKlaxonWorker, pagingFromConfig } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'klaxon-worker');
  Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN') });
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required for `npm run worker` (`npm start` embeds Postgres)');
  const pool = createPool(config.DATABASE_URL);
  await migrate(pool);
  const address = config.TEMPORAL_ADDRESS ?? 'localhost:7233';
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  await registerSearchAttributes(clientConnection, config.TEMPORAL_NAMESPACE);
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const worker = await createKlaxonWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    pool,
    ...pagingFromConfig(config),
    workflows: client.workflow,
  });
  log.info({ address, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker started');
  // Worker.run installs SIGINT/SIGTERM handlers and returns after a graceful shutdown.
  await worker.run();
  await connection.close();
  await clientConnection.close();
  await pool.end();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
