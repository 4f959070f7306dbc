/** Liveness and readiness: unauthenticated, so load balancers and orchestrators can probe them. */
import { Router } from 'express';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import { withDeadline } from '../runtime/deadline';
import { mount } from './route';
import { missingWorkers, type PollerReport } from './worker-pollers';
import { healthRoutes as routes } from './schemas/health';

export interface HealthDeps {
  pool: pg.Pool;
  temporal: Pick<Client, 'workflowService'>;
  /** Recent pollers of the task queues (worker-pollers.ts), and what the check calls the queue. */
  pollers: () => Promise<PollerReport>;
  taskQueue: string;
  pollerMaxAgeMs: number;
  /** True once the process was told to stop: readiness fails at once, before anything stops serving. */
  stopping?: () => boolean;
}

/** What the workers check says where Temporal cannot describe task queues (the time-skipping test server): not a failure. */
const UNKNOWN_WORKERS = 'unknown: this Temporal server does not describe task queues';

/** Returns 'ok' (or, with `detail`, what fn answered), or 'unavailable: <why>' when it fails or is late. */
async function check(fn: () => Promise<unknown>, timeoutMs = 2000, detail = false): Promise<string> {
  try {
    const answer = await withDeadline(fn(), timeoutMs);
    if (answer === UNKNOWN_WORKERS) return answer;
    return detail && typeof answer === 'string' && answer !== 'ok' ? `ok: ${answer}` : 'ok';
  } catch (err) {
    return `unavailable: ${(err as Error).message}`;
  }
}

/**
 * Returns the router for /healthz (process up) and /readyz (can page: Postgres and Temporal answer, and
 * a worker polled the task queues recently).
 */
export function healthRouter({ pool, temporal, pollers, taskQueue, pollerMaxAgeMs, stopping }: HealthDeps): Router {
  const router = Router();
  mount(router, routes.live, (_req, res) => {
    res.json({ status: 'ok' });
  });
  mount(router, routes.ready, async (_req, res) => {
    if (stopping?.()) {
      const notChecked = 'not checked: this process is stopping';
      res.status(503).json({ status: 'stopping', checks: { postgres: notChecked, temporal: notChecked, workers: notChecked } });
      return;
    }
    const workersCheck = async () => {
      const report = await pollers();
      const missing = missingWorkers(report, taskQueue, pollerMaxAgeMs);
      if (missing) throw new Error(missing);
      return report === 'unsupported' ? UNKNOWN_WORKERS : `${report.alerts} alert and ${report.pages} page pollers`;
    };
    const [postgresStatus, temporalStatus, workersStatus] = await Promise.all([
      check(() => pool.query('select 1')),
      check(() => temporal.workflowService.getSystemInfo({})),
      check(workersCheck, 3000, true),
    ]);
    const ready = [postgresStatus, temporalStatus, workersStatus].every((s) => !s.startsWith('unavailable'));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks: { postgres: postgresStatus, temporal: temporalStatus, workers: workersStatus } });
  });
  return router;
}
