/** Builds the Klaxon worker: alert workflows plus activities wired to Postgres and the notifiers. */
import type { WorkflowClient } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type pg from 'pg';
import { createActivities, type ActivityDeps } from '../activities';
import { createNotifiers } from '../notifiers';
import { DEFAULT_LINK_TTL_MS } from '../domain/replies/links';
import { publicUrlOf, type Config } from '../runtime/config';
import { replyLinkKey } from '../store/secrets';

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
  /** Lets activities open and join group workflows. */
  workflows: WorkflowClient;
  /** Test seam, see activities/pages.ts. */
  afterRecorded?: ActivityDeps['afterRecorded'];
  /** A prebuilt workflow bundle (tests build one per file); otherwise workflows/ is bundled at start. */
  workflowBundle?: WorkflowBundle;
  /** Test seam: activities replaced by these (e.g. one that stalls, as Postgres might). */
  activityOverrides?: Partial<ReturnType<typeof createActivities>>;
  /** Test seam: the task queue group workflows are started on (default: taskQueue), polled late or never. */
  groupTaskQueue?: string;
  /** Workflow cache size; 0 turns off sticky execution (see test/fixtures/worker-process.ts). */
  maxCachedWorkflows?: number;
}

/** Returns the notifiers and public URL the activities need, from the validated config. */
export function pagingFromConfig(config: Config): Pick<KlaxonWorkerOptions, 'notifiers' | 'publicUrl' | 'linkSigningSecret' | 'replyLinkTtlMs'> {
  return {
    notifiers: createNotifiers({
      smtpUrl: config.SMTP_URL,
      smtpFrom: config.SMTP_FROM,
      twilioAccountSid: config.TWILIO_ACCOUNT_SID,
      twilioAuthToken: config.TWILIO_AUTH_TOKEN,
      twilioFromNumber: config.TWILIO_FROM_NUMBER,
      twilioApiUrl: config.TWILIO_API_URL,
      webhookSigningSecret: config.WEBHOOK_SIGNING_SECRET,
    }),
    publicUrl: publicUrlOf(config),
    linkSigningSecret: config.LINK_SIGNING_SECRET,
    replyLinkTtlMs: config.REPLY_LINK_TTL_HOURS * 60 * 60_000,
  };
}

/** Returns a worker ready to run. */
export async function createKlaxonWorker(opts: KlaxonWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: {
      ...createActivities({
      pool: opts.pool,
      notifiers: opts.notifiers,
      publicUrl: opts.publicUrl,
      replyLinks: { key: replyLinkKey(opts.pool, opts.linkSigningSecret), ttlMs: opts.replyLinkTtlMs ?? DEFAULT_LINK_TTL_MS },
      afterRecorded: opts.afterRecorded,
      workflows: opts.workflows,
      taskQueue: opts.groupTaskQueue ?? opts.taskQueue,
      }),
      ...opts.activityOverrides,
    },
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
}
