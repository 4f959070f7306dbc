/** The Express application, built from its dependencies; main.ts (or a test) decides where it listens. */
import express from 'express';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import type { Logger } from '../runtime/logger';
import { alertsRouter } from './alerts';
import { requireApiKey } from './auth';
import { errorHandler, unknownRoute } from './errors';
import { healthRouter } from './health';

export interface AppDeps {
  pool: pg.Pool;
  temporal: Client;
  taskQueue: string;
  log: Logger;
  bodyLimit?: string;
  recordWaitMs?: number;
}

/** Returns the configured Express app. */
export function createApp({ pool, temporal, taskQueue, log, bodyLimit = '256kb', recordWaitMs }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Parse JSON whatever the content type claims, so a curl without -H still works; strict = objects/arrays only.
  app.use(express.json({ limit: bodyLimit, type: () => true, strict: true }));
  app.use(healthRouter({ pool, temporal }));
  app.use(requireApiKey(pool));
  app.use(alertsRouter({ pool, workflows: temporal.workflow, taskQueue, recordWaitMs }));
  app.use(unknownRoute);
  app.use(errorHandler(log));
  return app;
}
