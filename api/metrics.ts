/**
 * `GET /metrics`: this process's Prometheus metrics. Before answering it reads the gauges that must be
 * true whatever process counted what (open alerts by state and severity, schedules with nobody on call,
 * workers polling), so they never drift across restarts; each read has a deadline, and one that fails
 * keeps the gauge's last value and counts klaxon_scrape_read_errors_total, rather than failing
 * the scrape: the counters beside it still matter most when Postgres is in trouble.
 *
 * Open, like the health probes, unless METRICS_TOKEN is set: then it wants `Authorization: Bearer`.
 * Nothing in it is secret (counts, service names), but an operator may not want it public.
 */
import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type pg from 'pg';
import { onCallAt } from '../domain/oncall';
import { withDeadline } from '../runtime/deadline';
import { exposition, gaugeReadErrors, openAlerts, schedules, schedulesWithoutOnCall, taskQueuePollers } from '../runtime/metrics';
import { openAlertCounts } from '../store/metrics-gauges';
import { loadSchedulesAt } from '../store/schedules';
import { HttpError } from './errors';
import { mount } from './route';
import { healthRoutes as routes } from './schemas/health';
import type { PollerReport } from './worker-pollers';

const READ_DEADLINE_MS = 2_000;

export interface MetricsDeps {
  pool: pg.Pool;
  pollers: () => Promise<PollerReport>;
  /** METRICS_TOKEN: when set, the bearer token a scrape must carry. */
  token?: string;
  now?: () => number;
}

/** Sets the gauges read from Postgres and Temporal; a read that fails leaves its gauge as it was. */
async function readGauges({ pool, pollers, now = Date.now }: MetricsDeps): Promise<void> {
  const reads = [
    withDeadline(openAlertCounts(pool), READ_DEADLINE_MS).then((counts) => {
      // Reset first: a state and severity with no open alert left must read 0, not its last count.
      openAlerts.reset();
      for (const c of counts) openAlerts.set({ state: c.state, severity: c.severity }, c.count);
    }),
    withDeadline(loadSchedulesAt(pool, new Date(now())), READ_DEADLINE_MS).then((all) => {
      const at = now();
      schedules.set(all.length);
      schedulesWithoutOnCall.set(all.filter((s) => onCallAt(s, at).length === 0).length);
    }),
    withDeadline(pollers(), READ_DEADLINE_MS).then((report) => {
      if (report === 'unsupported') return;
      taskQueuePollers.set({ queue: 'alerts' }, report.alerts);
      taskQueuePollers.set({ queue: 'pages' }, report.pages);
    }),
  ];
  for (const r of await Promise.allSettled(reads)) if (r.status === 'rejected') gaugeReadErrors.inc();
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Returns the router for GET /metrics. */
export function metricsRouter(deps: MetricsDeps): Router {
  const router = Router();
  mount(router, routes.metrics, async (req, res) => {
    if (deps.token && !tokenMatches(req.headers.authorization, deps.token)) {
      throw new HttpError(401, 'unauthorized', 'GET /metrics needs the METRICS_TOKEN as `Authorization: Bearer <token>`');
    }
    await readGauges(deps);
    const { contentType, body } = await exposition();
    res.type(contentType).send(body);
  });
  return router;
}
