/** The Express application, built from its dependencies; main.ts (or a test) decides where it listens. */
import express from 'express';
import helmet from 'helmet';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import type { OutboundAllowlist } from '../domain/outbound-address';
import type { Logger } from '../runtime/logger';
import { findIntegrationByKey } from '../store/integrations';
import { SCHEDULE_HANDOFF_WORKFLOW_TYPE, scheduleChangedSignal, scheduleHandoffWorkflowId } from '../workflows/messages';
import { alertsRouter } from './alerts';
import type { AppCaches } from './app-caches';
import { apiKeysRouter } from './api-keys';
import { consoleRouter } from './console';
import { requireApiKey, requireRole } from './auth';
import { AuthThrottle } from './auth-throttle';
import { errorHandler, unknownRoute } from './errors';
import { groupsRouter } from './groups';
import { healthRouter } from './health';
import { metricsRouter } from './metrics';
import { httpMetrics, requestLog } from './observe';
import { workerPollers } from './worker-pollers';
import { ingestRouter } from './ingest';
import { directIngestCounts } from './ingest-counts';
import { integrationsRouter } from './integrations';
import { heartbeatPingRouter, heartbeatsRouter } from './heartbeats';
import { silencesRouter } from './silences';
import { docsRouter } from './openapi';
import { policiesRouter } from './policies';
import { repliesRouter, type RepliesDeps } from './replies';
import { RepeatBatcher } from './repeat-batcher';
import { signalRepeat } from './trigger';
import { apiRateLimit } from './rate-limit';
import { schedulesRouter } from './schedules';
import { oidcRouter } from './oidc';
import type { OidcSettings } from './oidc-client';
import { sessionsRouter } from './sessions';
import { testPagesRouter } from './test-pages';
import { contactVerificationRouter } from './contact-verification';
import { notificationRulesRouter } from './notification-rules';
import { simulateRouter } from './simulate';
import { slaRouter } from './sla';
import { usersRouter } from './users';

export interface AppDeps {
  pool: pg.Pool;
  temporal: Client;
  taskQueue: string;
  log: Logger;
  bodyLimit?: string;
  recordWaitMs?: number;
  /** How long an action waits for a worker before answering 202 (queued) or 503 (default 10 s). */
  actionDeadlineMs?: number;
  slaAtRiskFraction?: number;
  reopenWindowMs?: number;
  ingestRatePerMinute?: number;
  /** Answering pages by SMS reply and email link: Twilio auth token, public URL, link key. */
  replies?: Omit<RepliesDeps, 'pool' | 'workflows' | 'log' | 'throttle'>;
  apiRatePerMinute?: number;
  /** Failed authentications a client address may make a minute before its unverified requests get 429. */
  authFailuresPerMinute?: number;
  /**
   * Express's `trust proxy`: which proxies' X-Forwarded-For decides req.ip, the address failed
   * authentications are counted by (default false: the socket's peer, whatever the headers say).
   */
  trustProxy?: boolean | number | string;
  /** The clock accepted events are dated by (default Date.now; tests pass the time-skipping server's). */
  now?: () => number | Promise<number>;
  /**
   * The plan cache, recent alerts and buffered counts (api/app-caches.ts); the caller closes them after
   * the server. Without them every event queries and counts directly.
   */
  caches?: AppCaches;
  /** OUTBOUND_ALLOWLIST: internal webhook receivers a policy or contact method may name (default: none). */
  outboundAllowlist?: OutboundAllowlist;
  /** METRICS_TOKEN: the bearer token GET /metrics requires (default: none, open). */
  metricsToken?: string;
  /** READY_WORKER_POLL_SECONDS in ms: a worker whose last poll is older does not count as polling (default 90 s). */
  workerPollMaxAgeMs?: number;
  /** Console sessions: idle and absolute limits (SESSION_IDLE_HOURS, SESSION_MAX_DAYS), Secure cookies. */
  sessions?: { idleMs?: number; maxAgeMs?: number; secureCookies?: boolean };
  /** Single sign-on through an OpenID Connect provider (OIDC_*); unset: password sign-in only. */
  oidc?: OidcSettings;
  /** Where the built web console is (default: beside the code, see BUILT_CONSOLE_DIR). */
  consoleDir?: string;
  /** True once the process was told to stop: /readyz fails from then on (api/main.ts). */
  stopping?: () => boolean;
}

/** Returns the configured Express app. */
export function createApp({
  pool,
  temporal,
  taskQueue,
  log,
  bodyLimit = '256kb',
  recordWaitMs,
  actionDeadlineMs,
  slaAtRiskFraction = 0.75,
  reopenWindowMs = 30 * 60_000,
  ingestRatePerMinute = 1200,
  replies,
  apiRatePerMinute = 600,
  authFailuresPerMinute = 30,
  trustProxy = false,
  now,
  caches,
  outboundAllowlist,
  metricsToken,
  workerPollMaxAgeMs = 90_000,
  sessions = {},
  oidc,
  consoleDir,
  stopping,
}: AppDeps): express.Express {
  const sessionIdleMs = sessions.idleMs ?? 72 * 3_600_000;
  const sessionMaxAgeMs = sessions.maxAgeMs ?? 30 * 86_400_000;
  const secureCookies = sessions.secureCookies ?? false;
  const app = express();
  app.disable('x-powered-by');
  // Security headers (helmet's defaults) on every response, ingest and errors included; but no CSP
  // upgrade-insecure-requests, which would send the forms of pages served over plain HTTP (a self-hosted
  // install without TLS, `npm start`) to an https:// that is not there.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.set('query parser', 'simple');
  app.set('trust proxy', trustProxy);
  // First, so that every request is logged and timed, refused ones included.
  app.use(requestLog(log), httpMetrics());
  // Shared by every route that authenticates, whatever the credential: guesses of any kind add up.
  const throttle = new AuthThrottle(pool, authFailuresPerMinute, log);
  // Repeats of an alert this process knows to be open share signals while one is in flight.
  const repeats = new RepeatBatcher((workflowId, repeat) => signalRepeat(temporal.workflow, workflowId, repeat));
  const trigger = { pool, workflows: temporal.workflow, taskQueue, slaAtRiskFraction, reopenWindowMs, now, plans: caches?.plans, recent: caches?.recent, repeats };
  const changed = (table: string) => caches?.plans.changed(table);
  // Ingest endpoints authenticate by routing key and parse their own bodies (PagerDuty allows 512 KB).
  app.use(
    ingestRouter({
      ...trigger,
      ratePerMinute: ingestRatePerMinute,
      log,
      counts: caches?.counts ?? directIngestCounts(pool),
      findIntegration: (key) => (caches ? caches.plans.integrationByKey(key) : findIntegrationByKey(pool, key)),
      knownRoutingKey: caches && ((key) => caches.plans.knowsRoutingKey(key)),
      throttle,
      db: pool,
    }),
  );
  // Heartbeat pings: the monitor's key in the path authenticates (cron + curl, no API key).
  const heartbeats = { pool, workflows: temporal.workflow, taskQueue, throttle, log, now };
  app.use(heartbeatPingRouter(heartbeats));
  // SMS replies and email links: authenticated by Twilio's signature / the link's own, own body parsers.
  app.use(repliesRouter({ pool, workflows: temporal.workflow, log, throttle, ...replies }));
  // Parse JSON whatever the content type claims, so a curl without -H still works; strict = objects/arrays only.
  app.use(express.json({ limit: bodyLimit, type: () => true, strict: true }));
  const pollers = workerPollers({ temporal, taskQueue, maxAgeMs: workerPollMaxAgeMs });
  app.use(healthRouter({ pool, temporal, pollers, taskQueue, pollerMaxAgeMs: workerPollMaxAgeMs, ...(stopping ? { stopping } : {}) }));
  app.use(metricsRouter({ pool, pollers, token: metricsToken }));
  // The OpenAPI document and its browsable docs are public, like the health probes.
  app.use(docsRouter());
  // The web console's page and assets are public too; what it shows comes from API calls with the session.
  app.use(consoleRouter({ dir: consoleDir }));
  // Who may call what is declared per route in access.ts: key (401, or 429 past the address's failures),
  // per-key rate limit (429), role (403/404).
  app.use(
    requireApiKey({
      pool,
      findKey: caches && ((key) => caches.plans.apiKey(key)),
      knownKey: caches && ((key) => caches.plans.knowsApiKey(key)),
      throttle,
      sessionIdleMs,
    }),
    apiRateLimit(pool, apiRatePerMinute, log),
    requireRole,
  );
  app.use(
    sessionsRouter({
      pool,
      log,
      throttle,
      idleMs: sessionIdleMs,
      maxAgeMs: sessionMaxAgeMs,
      secureCookies,
    }),
    oidcRouter({ pool, log, throttle, maxAgeMs: sessionMaxAgeMs, secureCookies, oidc }),
  );
  app.use(alertsRouter({ ...trigger, recordWaitMs, actionDeadlineMs, records: caches?.records }));
  app.use(usersRouter({ pool, allowlist: outboundAllowlist }));
  app.use(testPagesRouter({ pool, workflows: temporal.workflow, taskQueue, actionDeadlineMs }));
  app.use(contactVerificationRouter({ pool }));
  app.use(notificationRulesRouter({ pool }));
  app.use(integrationsRouter({ pool, changed }));
  app.use(heartbeatsRouter(heartbeats));
  app.use(silencesRouter({ pool, workflows: temporal.workflow, log, changed, now }));
  app.use(groupsRouter({ pool, workflows: temporal.workflow, flushCounts: caches && (() => caches.counts.flush()) }));
  app.use(policiesRouter({ pool, changed, allowlist: outboundAllowlist }));
  app.use(simulateRouter({ pool, slaAtRiskFraction, allowlist: outboundAllowlist }));
  app.use(slaRouter({ pool, changed }));
  app.use(apiKeysRouter({ pool, log }));
  app.use(
    schedulesRouter({
      pool,
      // Idempotent: starts the schedule's handoff workflow if it is not running, else tells it to recompute.
      onScheduleChanged: async (scheduleId) => {
        await temporal.workflow.signalWithStart(SCHEDULE_HANDOFF_WORKFLOW_TYPE, {
          workflowId: scheduleHandoffWorkflowId(scheduleId),
          taskQueue,
          args: [{ scheduleId }],
          signal: scheduleChangedSignal,
        });
      },
    }),
  );
  app.use(unknownRoute);
  app.use(errorHandler(log));
  return app;
}
