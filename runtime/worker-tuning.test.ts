import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigError, loadConfig } from './config';
import {
  CACHE_HEAP_SHARE,
  CACHED_WORKFLOW_MIB,
  IDLE_WORKER_HEAP_MIB,
  workerTuningOf,
  workflowCacheFor,
} from './worker-tuning';

it('sizes the default cache from the heap: its share of the heap above the idle worker, at the measured cost each', () => {
  assert.equal(
    workflowCacheFor(IDLE_WORKER_HEAP_MIB + 1024),
    Math.floor((1024 * CACHE_HEAP_SHARE) / CACHED_WORKFLOW_MIB),
  );
  assert.ok(workflowCacheFor(4096) > workflowCacheFor(2048), 'a larger heap caches more');
  assert.equal(workflowCacheFor(64), 10, 'a heap smaller than the idle worker still caches a few');
});

it('uses the cache, sticky timeout and slots the variables give, and leaves the slots to the SDK unset', () => {
  const defaults = workerTuningOf(loadConfig({}), 2048);
  assert.deepEqual(defaults, {
    maxCachedWorkflows: workflowCacheFor(2048),
    stickyQueueScheduleToStartTimeoutMs: 10_000,
  });
  const set = workerTuningOf(
    loadConfig({
      WORKER_MAX_CACHED_WORKFLOWS: '0',
      WORKER_STICKY_QUEUE_TIMEOUT_SECONDS: '30',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '8',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '50',
    }),
    2048,
  );
  assert.deepEqual(set, {
    maxCachedWorkflows: 0,
    stickyQueueScheduleToStartTimeoutMs: 30_000,
    maxConcurrentWorkflowTaskExecutions: 8,
    maxConcurrentActivityTaskExecutions: 50,
  });
});

it('refuses tuning values that are no whole numbers in range, naming each', () => {
  assert.throws(
    () =>
      loadConfig({
        WORKER_MAX_CACHED_WORKFLOWS: '-1',
        WORKER_STICKY_QUEUE_TIMEOUT_SECONDS: '0',
        WORKER_MAX_CONCURRENT_ACTIVITIES: 'many',
        WORKFLOW_STACK_TRACES: 'yes',
      }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const keys = err.problems.map((p) => p.split(':')[0]).sort();
      assert.deepEqual(keys, [
        'WORKER_MAX_CACHED_WORKFLOWS',
        'WORKER_MAX_CONCURRENT_ACTIVITIES',
        'WORKER_STICKY_QUEUE_TIMEOUT_SECONDS',
        'WORKFLOW_STACK_TRACES',
      ]);
      return true;
    },
  );
  assert.equal(
    loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: ' ' }).WORKER_MAX_CACHED_WORKFLOWS,
    undefined,
    'blank is unset',
  );
});
