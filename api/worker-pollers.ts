/**
 * Whether anyone can be paged: how many workers polled Klaxon's task queues recently, from Temporal's
 * task-queue description. With every worker gone the API still accepts events (202) and Temporal still
 * starts their workflows, but nothing records or pages them; /readyz and klaxon_task_queue_pollers say so.
 *
 * "Recently": a poller's last access time is when its current long poll began, and an idle worker's long
 * poll lasts up to a minute (the server's long-poll expiry), so a healthy idle worker can look 60 s old.
 * The threshold (READY_WORKER_POLL_SECONDS, default 90) must stay above that; a worker that stopped is
 * noticed that long after its last poll.
 */
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { pagesTaskQueue } from '../workflows/messages';

const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;
// gRPC's UNIMPLEMENTED: the time-skipping test server has no task-queue description.
const UNIMPLEMENTED = 12;
/** Probes and scrapes arrive every few seconds from several places; one description serves them all. */
const CACHE_MS = 5_000;
const DEADLINE_MS = 2_000;

/** Workers seen polling within the threshold: alert workflows on the task queue, pages on its pages queue. */
export interface PollerCounts {
  alerts: number;
  pages: number;
}

/** The counts, or `unsupported` when this Temporal server cannot describe task queues. */
export type PollerReport = PollerCounts | 'unsupported';

export interface WorkerPollersDeps {
  temporal: Pick<Client, 'workflowService' | 'connection' | 'options'>;
  taskQueue: string;
  /** A poller whose last poll began longer ago than this does not count (ms). */
  maxAgeMs: number;
  now?: () => number;
}

/** Returns a function that reports recent pollers, each answer reused for a few seconds. */
export function workerPollers({ temporal: client, taskQueue, maxAgeMs, now = Date.now }: WorkerPollersDeps): () => Promise<PollerReport> {
  let cached: { at: number; report: Promise<PollerReport> } | undefined;
  const recent = async (name: string, taskQueueType: number): Promise<number> => {
    const answer = await client.connection.withDeadline(Date.now() + DEADLINE_MS, () =>
      client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name }, taskQueueType }),
    );
    const cutoff = now() - maxAgeMs;
    return (answer.pollers ?? []).filter((p) => p.lastAccessTime && Number(p.lastAccessTime.seconds ?? 0) * 1000 + Math.floor((p.lastAccessTime.nanos ?? 0) / 1e6) >= cutoff).length;
  };
  const describe = async (): Promise<PollerReport> => {
    try {
      const [alerts, pages] = await Promise.all([recent(taskQueue, TASK_QUEUE_TYPE_WORKFLOW), recent(pagesTaskQueue(taskQueue), TASK_QUEUE_TYPE_ACTIVITY)]);
      return { alerts, pages };
    } catch (err) {
      if (isGrpcServiceError(err) && err.code === UNIMPLEMENTED) return 'unsupported';
      throw err;
    }
  };
  return () => {
    if (!cached || now() - cached.at >= CACHE_MS) {
      const entry = { at: now(), report: describe() };
      cached = entry;
      // Neither a failed description nor one without pollers is reused: the next probe asks again, so a
      // worker that just started polling counts at once. (Only this entry is dropped, not a newer one.)
      const drop = () => {
        if (cached === entry) cached = undefined;
      };
      entry.report.then((r) => r !== 'unsupported' && (r.alerts === 0 || r.pages === 0) && drop(), drop);
    }
    return cached.report;
  };
}

/** Returns what a readiness probe says of the report: undefined when workers can page, else what is missing. */
export function missingWorkers(report: PollerReport, taskQueue: string, maxAgeMs: number): string | undefined {
  if (report === 'unsupported') return undefined;
  const seconds = Math.round(maxAgeMs / 1000);
  const missing = [report.alerts === 0 && `task queue ${taskQueue} (alert workflows)`, report.pages === 0 && `task queue ${pagesTaskQueue(taskQueue)} (pages)`].filter(Boolean);
  return missing.length ? `no worker polled ${missing.join(' or ')} in the last ${seconds} s` : undefined;
}
