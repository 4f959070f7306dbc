/** The Express application, built from its dependencies; main.ts (or a test) decides where it listens. */
import express from 'express';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import type { Logger } from '../runtime/logger';
import { SCHEDULE_HANDOFF_WORKFLOW_TYPE, scheduleChangedSignal, scheduleHandoffWorkflowId } from '../workflows/messages';
import { alertsRouter } from './alerts';
import { requireApiKey } from './auth';
import { errorHandler, unknownRoute } from './errors';
import { groupsRouter } from './groups';
import { healthRouter } from './health';
import { ingestRouter } from './ingest';
import { integrationsRouter } from './integrations';
import { docsRouter } from './openapi';
import { policiesRouter } from './policies';
import { schedulesRouter } from './schedules';
import { slaRouter } from './sla';
import { usersRouter } from './users';

export interface AppDeps {
  pool: pg.Pool;
  temporal: Client;
  taskQueue: string;
  log: Logger;
  bodyLimit?: string;
  recordWaitMs?: number;
  slaAtRiskFraction?: number;
  reopenWindowMs?: number;
  ingestRatePerMinute?: number;
}

/** Returns the configured Express app. */
export function createApp({
  pool,
  temporal,
  taskQueue,
  log,
  bodyLimit = '256kb',
  recordWaitMs,
  slaAtRiskFraction = 0.75,
  reopenWindowMs = 30 * 60_000,
  ingestRatePerMinute = 1200,
}: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Ingest endpoints authenticate by routing key and parse their own bodies (PagerDuty allows 512 KB).
  app.use(ingestRouter({ pool, workflows: temporal.workflow, taskQueue, slaAtRiskFraction, reopenWindowMs, ratePerMinute: ingestRatePerMinute }));
  // Parse JSON whatever the content type claims, so a curl without -H still works; strict = objects/arrays only.
  app.use(express.json({ limit: bodyLimit, type: () => true, strict: true }));
  app.use(healthRouter({ pool, temporal }));
  // The OpenAPI document and its browsable docs are public, like the health probes.
  app.use(docsRouter());
  app.use(requireApiKey(pool));
  app.use(alertsRouter({ pool, workflows: temporal.workflow, taskQueue, recordWaitMs, slaAtRiskFraction, reopenWindowMs }));
  app.use(usersRouter({ pool }));
  app.use(integrationsRouter({ pool }));
  app.use(groupsRouter({ pool, workflows: temporal.workflow }));
  app.use(policiesRouter({ pool }));
  app.use(slaRouter({ pool }));
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
