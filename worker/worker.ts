/** Builds the Klaxon worker: alert workflows plus activities wired to Postgres. */
import { type NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type pg from 'pg';
import { createActivities } from '../activities';

export interface KlaxonWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: pg.Pool;
  /** A prebuilt workflow bundle (tests build one per file); otherwise workflows/ is bundled at start. */
  workflowBundle?: WorkflowBundle;
  /** Workflow cache size; 0 turns off sticky execution (see test/fixtures/worker-process.ts). */
  maxCachedWorkflows?: number;
}

/** Returns a worker ready to run. */
export async function createKlaxonWorker(opts: KlaxonWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities({ pool: opts.pool }),
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
}
