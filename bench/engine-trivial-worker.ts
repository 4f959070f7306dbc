/**
 * The engine benchmark's trivial worker, a process of its own beside Klaxon's: it polls its own task
 * queue on the same dev server (TEMPORAL_ADDRESS) and runs bench/engine-trivial-workflow.ts.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { trivialActivities } from './engine-trivial-activities';
import { TRIVIAL_TASK_QUEUE } from './engine-trivial-messages';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is required');
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: TRIVIAL_TASK_QUEUE,
    workflowsPath: require.resolve('./engine-trivial-workflow'),
    activities: trivialActivities,
  });
  console.log('trivial worker started');
  // Worker.run handles SIGINT and SIGTERM itself and returns after a graceful shutdown.
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
