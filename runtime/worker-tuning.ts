/**
 * How a worker process uses memory and slots: the workflow cache, the sticky queue's timeout, the task
 * slots, and where the workflow code comes from. The variables are part of runtime/config.ts's schema;
 * the defaults and how they were chosen are in the README ("Production runtime").
 */
import v8 from 'node:v8';
import { z } from 'zod';

const optionalInt = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
    .pipe(z.coerce.number<string | undefined>().int().min(min).max(max).optional());

export const workerTuningSchema = {
  /**
   * Workflows a worker keeps in memory between their tasks; 0 turns the cache (and sticky queues) off.
   * Unset: derived from the heap limit (workflowCacheFor below).
   */
  WORKER_MAX_CACHED_WORKFLOWS: optionalInt(0, 1_000_000),
  /**
   * How long a task for a cached workflow waits on its worker's sticky queue before the server hands it
   * to any worker (which replays the history). Short: a crashed worker's alerts move on sooner. Long: a
   * busy worker is not bypassed, which would replay histories while it is already behind.
   */
  WORKER_STICKY_QUEUE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
  /** Workflow tasks one worker runs at once (the SDK's default is 40; at least 2 with a cache). */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: optionalInt(1, 10_000),
  /** Activities one worker runs at once, per task queue (the SDK's default is 100). */
  WORKER_MAX_CONCURRENT_ACTIVITIES: optionalInt(1, 10_000),
  /**
   * The SDK's per-promise stack capture in the workflow thread, which the Temporal UI's stack-trace query
   * needs: `off` (default) where worker/workflow-stack-traces.ts is preloaded (`npm run worker:prod`).
   */
  WORKFLOW_STACK_TRACES: z.enum(['on', 'off']).default('off'),
  /**
   * A workflow bundle written by `npm run build` (scripts/build-workflow-bundle.ts). Unset: the built one
   * beside the compiled code when running from dist/, otherwise workflows/ is bundled at start.
   */
  WORKFLOW_BUNDLE_PATH: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v)),
};

type Tuning = z.infer<ReturnType<typeof z.object<typeof workerTuningSchema>>>;

/**
 * The measured memory of one cached alert workflow, in MiB (resident memory per workflow in the cache,
 * `npm run bench:runtime`; README, "Production runtime"). The cache lives in the workflow thread, whose
 * heap has the same limit as the main thread's (--max-old-space-size applies to every isolate).
 */
export const CACHED_WORKFLOW_MIB = 0.25;
/** The heap an idle worker uses before it caches anything, in MiB (same measurement). */
export const IDLE_WORKER_HEAP_MIB = 150;
/** The share of the heap above the idle worker's that the cache may fill; the rest is GC headroom and activities. */
export const CACHE_HEAP_SHARE = 0.5;

/** Returns the default workflow cache for a heap limit: half the heap above the idle worker's, at the measured cost per workflow. */
export function workflowCacheFor(heapLimitMiB: number): number {
  return Math.max(
    10,
    Math.floor((Math.max(heapLimitMiB - IDLE_WORKER_HEAP_MIB, 0) * CACHE_HEAP_SHARE) / CACHED_WORKFLOW_MIB),
  );
}

/** The Temporal worker options the tuning variables decide. */
export interface WorkerTuning {
  maxCachedWorkflows: number;
  stickyQueueScheduleToStartTimeoutMs: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxConcurrentActivityTaskExecutions?: number;
}

/** Returns the worker options for the config, the cache sized from this process's heap limit unless set. */
export function workerTuningOf(
  config: Omit<Tuning, 'WORKFLOW_BUNDLE_PATH'>,
  heapLimitMiB = v8.getHeapStatistics().heap_size_limit / 2 ** 20,
): WorkerTuning {
  return {
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS ?? workflowCacheFor(heapLimitMiB),
    stickyQueueScheduleToStartTimeoutMs: config.WORKER_STICKY_QUEUE_TIMEOUT_SECONDS * 1000,
    ...(config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS !== undefined
      ? { maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS }
      : {}),
    ...(config.WORKER_MAX_CONCURRENT_ACTIVITIES !== undefined
      ? { maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES }
      : {}),
  };
}
