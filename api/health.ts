/** Liveness and readiness: unauthenticated, so load balancers and orchestrators can probe them. */
import { Router } from 'express';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import { mount } from './route';
import { healthRoutes as routes } from './schemas/health';

export interface HealthDeps {
  pool: pg.Pool;
  temporal: Pick<Client, 'workflowService'>;
}

async function check(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return 'ok';
  } catch (err) {
    return `unavailable: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Returns the router for /healthz (process up) and /readyz (Postgres and Temporal reachable). */
export function healthRouter({ pool, temporal }: HealthDeps): Router {
  const router = Router();
  mount(router, routes.live, (_req, res) => {
    res.json({ status: 'ok' });
  });
  mount(router, routes.ready, async (_req, res) => {
    const [postgresStatus, temporalStatus] = await Promise.all([
      check(() => pool.query('select 1')),
      check(() => temporal.workflowService.getSystemInfo({})),
    ]);
    const ready = postgresStatus === 'ok' && temporalStatus === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks: { postgres: postgresStatus, temporal: temporalStatus } });
  });
  return router;
}
