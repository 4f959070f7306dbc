/** Builds the Klaxon worker: alert workflows plus activities wired to Postgres and the notifiers. */
import type { WorkflowClient } from '@temporalio/client';
import { Worker, type NativeConnection, type State, type WorkflowBundleOption } from '@temporalio/worker';
import type pg from 'pg';
import { createActivities, type ActivityDeps } from '../activities';
import { createTierPageActivities } from '../activities/tier-pages';
import { createNotifiers } from '../notifiers';
import { DEFAULT_LINK_TTL_MS } from '../domain/replies/links';
import { publicUrlOf, type Config } from '../runtime/config';
import type { dataConverterOf } from '../runtime/payload-codec';
import type { WorkerTuning } from '../runtime/worker-tuning';
import { replyLinkKey } from '../store/secrets';
import { DEFAULT_REOPEN_WINDOW_MS, pagesTaskQueue } from '../workflows/messages';
import { klaxonSinks } from './sinks';
import { WORKFLOWS_PATH } from './workflow-bundle';

export interface KlaxonWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: pg.Pool;
  notifiers: ActivityDeps['notifiers'];
  publicUrl: string;
  /** Key for email reply links (LINK_SIGNING_SECRET); unset: the install's own secret in Postgres. */
  linkSigningSecret?: string;
  /** How long email reply links work. */
  replyLinkTtlMs?: number;
  /** How long a page to a channel that is down keeps being retried (default 24 h). */
  pageRetryCapMs?: number;
  /** Lets activities open and join group workflows. */
  workflows: WorkflowClient;
  /** Test seam, see activities/pages.ts. */
  afterRecorded?: ActivityDeps['afterRecorded'];
  /** A prebuilt workflow bundle (`npm run build`'s file; tests build one per file); otherwise workflows/ is bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  /** Test seam: activities replaced by these (e.g. one that stalls, as Postgres might). */
  activityOverrides?: Partial<ReturnType<typeof createActivities>>;
  /** Test seam: the task queue group workflows are started on (default: taskQueue), polled late or never. */
  groupTaskQueue?: string;
  /** Cache, sticky queue and slots (runtime/worker-tuning.ts); unset: the SDK's defaults. */
  tuning?: WorkerTuning;
  /** Workflow cache size, over tuning's; 0 turns off sticky execution (see test/fixtures/worker-process.ts). */
  maxCachedWorkflows?: number;
  /** Payload encryption (TEMPORAL_PAYLOAD_KEYS, runtime/payload-codec.ts); the API's client needs the same. */
  dataConverter?: ReturnType<typeof dataConverterOf>;
  /** How alerts the worker opens itself (heartbeat monitors') are planned: the API's settings. */
  alerting?: { slaAtRiskFraction: number; reopenWindowMs: number };
  /**
   * SHUTDOWN_TIMEOUT_SECONDS in ms: on shutdown, activities in flight (pages being sent) get this long to
   * finish before they are cancelled (and retried by another worker); 5 s later the worker gives up
   * waiting altogether. Unset: the SDK's (cancelled at once, no bound).
   */
  shutdownGraceMs?: number;
}

/** Returns the notifiers and public URL the activities need, from the validated config. */
export function pagingFromConfig(
  config: Config,
): Pick<
  KlaxonWorkerOptions,
  'notifiers' | 'publicUrl' | 'linkSigningSecret' | 'replyLinkTtlMs' | 'pageRetryCapMs' | 'alerting'
> {
  return {
    alerting: { slaAtRiskFraction: config.SLA_AT_RISK_FRACTION, reopenWindowMs: config.REOPEN_WINDOW_MINUTES * 60_000 },
    notifiers: createNotifiers({
      smtpUrl: config.SMTP_URL,
      smtpFrom: config.SMTP_FROM,
      twilioAccountSid: config.TWILIO_ACCOUNT_SID,
      twilioAuthToken: config.TWILIO_AUTH_TOKEN,
      twilioFromNumber: config.TWILIO_FROM_NUMBER,
      twilioApiUrl: config.TWILIO_API_URL,
      webhookSigningSecret: config.WEBHOOK_SIGNING_SECRET,
      outboundAllowlist: config.OUTBOUND_ALLOWLIST,
    }),
    publicUrl: publicUrlOf(config),
    linkSigningSecret: config.LINK_SIGNING_SECRET,
    replyLinkTtlMs: config.REPLY_LINK_TTL_HOURS * 60 * 60_000,
    pageRetryCapMs: config.PAGE_RETRY_CAP_HOURS * 60 * 60_000,
  };
}

/** Returns the alert worker's options for the tuning (nothing: the SDK's defaults). */
function workflowOptionsOf(tuning: WorkerTuning | undefined) {
  if (!tuning) return {};
  const { maxCachedWorkflows, stickyQueueScheduleToStartTimeoutMs, ...slots } = tuning;
  return {
    maxCachedWorkflows,
    stickyQueueScheduleToStartTimeout: stickyQueueScheduleToStartTimeoutMs,
    ...slots,
  };
}

/** Klaxon's worker: alerts' workflows and activities on the task queue, pages on its pages queue. */
export interface KlaxonWorker {
  run(): Promise<void>;
  shutdown(): void;
  getState(): State;
}

/** Returns a worker ready to run. */
export async function createKlaxonWorker(opts: KlaxonWorkerOptions): Promise<KlaxonWorker> {
  const merged = {
    ...createActivities({
      pool: opts.pool,
      notifiers: opts.notifiers,
      publicUrl: opts.publicUrl,
      replyLinks: {
        key: replyLinkKey(opts.pool, opts.linkSigningSecret),
        ttlMs: opts.replyLinkTtlMs ?? DEFAULT_LINK_TTL_MS,
      },
      afterRecorded: opts.afterRecorded,
      pageRetryCapMs: opts.pageRetryCapMs,
      workflows: opts.workflows,
      taskQueue: opts.groupTaskQueue ?? opts.taskQueue,
      alerting: {
        taskQueue: opts.taskQueue,
        slaAtRiskFraction: opts.alerting?.slaAtRiskFraction ?? 0.75,
        reopenWindowMs: opts.alerting?.reopenWindowMs ?? DEFAULT_REOPEN_WINDOW_MS,
      },
    }),
    ...opts.activityOverrides,
  };
  // A tier's pages go through resolveTargets and sendPage as the worker has them (a test may replace one).
  const activities = { ...merged, ...(opts.activityOverrides?.pageTargets ? {} : createTierPageActivities(opts.pool, merged)) };
  const shutdown =
    opts.shutdownGraceMs !== undefined ? { shutdownGraceTime: opts.shutdownGraceMs, shutdownForceTime: opts.shutdownGraceMs + 5_000 } : {};
  const main = await Worker.create({
    ...shutdown,
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities,
    sinks: klaxonSinks,
    dataConverter: opts.dataConverter,
    ...workflowOptionsOf(opts.tuning),
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
  // Activities only: the queue holds nothing but pages (and their target lookups), so none waits in line
  // behind the records of a storm's thousands of new alerts.
  const pages = await Worker.create({
    ...shutdown,
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: pagesTaskQueue(opts.taskQueue),
    activities,
    dataConverter: opts.dataConverter,
    ...(opts.tuning?.maxConcurrentActivityTaskExecutions !== undefined
      ? { maxConcurrentActivityTaskExecutions: opts.tuning.maxConcurrentActivityTaskExecutions }
      : {}),
  });
  return {
    async run() {
      // One stopping (a signal, a fatal error) stops the other; run() settles when both have.
      const stopBoth = () => {
        for (const w of [main, pages]) if (w.getState() === 'RUNNING') w.shutdown();
      };
      const runs = [main, pages].map((w) => w.run().finally(stopBoth));
      const results = await Promise.allSettled(runs);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    shutdown() {
      for (const w of [main, pages]) if (w.getState() === 'RUNNING') w.shutdown();
    },
    getState: () => main.getState(),
  };
}
