/**
 * /silences: maintenance windows. Creating one holds the open alerts it matches at once (signals to
 * their workflows) and every alert triggered while it lasts (api/trigger.ts); deleting one releases the
 * alerts it holds. Its end needs no request: each alert's workflow holds its end as a duty.
 */
import type { WorkflowClient } from '@temporalio/client';
import { Router } from 'express';
import type pg from 'pg';
import { silenceHolds, windowProblem } from '../domain/silence';
import { windowsFrom } from '../domain/silence-recurrence';
import type { Logger } from '../runtime/logger';
import {
  createSilence,
  deleteSilence,
  getSilence,
  listLiveSilences,
  listSilences,
  type OpenAlertRow,
  type SilenceRow,
} from '../store/silences';
import { actorOf } from './auth';
import { HttpError, notFound, parseInput } from './errors';
import { mount } from './route';
import { recurrenceJson, recurrenceOf, silenceRoutes as routes, windowOf } from './schemas/silences';
import { openAlertsMatching, silenceOpenAlerts, unsilenceOpenAlerts, windowsOf } from './silence-holds';

export interface SilenceRouterDeps {
  pool: pg.Pool;
  workflows: WorkflowClient;
  log: Logger;
  /** Tells this process's plan cache that a table changed (it holds the live silences triggers read). */
  changed?: (table: string) => void;
  /** The clock silences are dated by (tests pass the time-skipping server's). */
  now?: () => number | Promise<number>;
}

/** Pending until its (next) window starts, active while one holds, expired once none is left. */
function stateOf(s: SilenceRow, now: number): 'pending' | 'active' | 'expired' | 'deleted' {
  if (s.deleted_at) return 'deleted';
  const next = windowsOf(s, now)[0];
  return !next ? 'expired' : silenceHolds(next, now) ? 'active' : 'pending';
}

const json = (s: SilenceRow, now: number) => ({
  id: s.id,
  matchers: s.matchers,
  starts_at: s.starts_at.toISOString(),
  ends_at: s.ends_at.toISOString(),
  recurrence: s.recurrence && recurrenceJson(s.recurrence),
  reason: s.reason,
  state: stateOf(s, now),
  created_by: s.created_by,
  created_at: s.created_at.toISOString(),
  deleted_by: s.deleted_by,
  deleted_at: s.deleted_at?.toISOString() ?? null,
});

const alertJson = (a: OpenAlertRow) => ({
  id: a.id,
  summary: a.summary,
  service: a.service,
  severity: a.severity,
  state: a.state,
  triggered_at: a.triggered_at.toISOString(),
});

const invalid = (field: string, message: string) =>
  new HttpError(400, 'invalid_request', `${field}: ${message}`, { errors: [{ field, message }] });

/** Returns the router for /silences. */
export function silencesRouter(deps: SilenceRouterDeps): Router {
  const router = Router();
  const now = async () => (deps.now ?? Date.now)();

  /** The body, its window checked against now: a 400 naming ends_at for an empty, inverted or past one. */
  const parseSilence = async (body: unknown) => {
    const b = parseInput(routes.create.request.body, body, 'body');
    const at = await now();
    const window = windowOf(b, at);
    const problem =
      windowProblem(window, b.recurrence !== undefined) ??
      (window.endsAt <= at ? 'ends_at must be in the future' : null);
    if (problem) throw invalid('body.ends_at', problem);
    const recurrence = b.recurrence ? recurrenceOf(b.recurrence) : null;
    if (recurrence && windowsFrom(window, recurrence, at).length === 0)
      throw invalid('body.recurrence', 'no occurrence falls between starts_at and ends_at');
    return { b, window, at, recurrence };
  };

  mount(router, routes.create, async (req, res) => {
    const { b, window, at, recurrence } = await parseSilence(req.body);
    const row = await createSilence(deps.pool, {
      matchers: b.matchers,
      startsAt: new Date(window.startsAt),
      endsAt: new Date(window.endsAt),
      recurrence,
      reason: b.reason,
      createdBy: actorOf(req.principal),
    });
    deps.changed?.('silences');
    const alerts = await openAlertsMatching(deps.pool, row.matchers);
    try {
      await silenceOpenAlerts(deps.workflows, row, alerts, at);
    } catch (err) {
      // The silence stands and holds every alert triggered from now on; open ones not reached page on.
      deps.log.warn({ err, silence: row.id }, 'silence created; some open alerts were not told');
    }
    res
      .status(201)
      .location(`/silences/${row.id}`)
      .json({ ...json(row, at), alerts: alerts.map(alertJson) });
  });

  mount(router, routes.preview, async (req, res) => {
    const { b } = await parseSilence(req.body);
    res.json({ alerts: (await openAlertsMatching(deps.pool, b.matchers)).map(alertJson) });
  });

  mount(router, routes.list, async (_req, res) => {
    const at = await now();
    res.json({ silences: (await listSilences(deps.pool)).map((s) => json(s, at)) });
  });

  mount(router, routes.get, async (req, res) => {
    const { id } = parseInput(routes.get.request.params, req.params, 'params');
    const s = await getSilence(deps.pool, id);
    if (!s) throw notFound(`silence ${id}`);
    res.json(json(s, await now()));
  });

  mount(router, routes.delete, async (req, res) => {
    const { id } = parseInput(routes.delete.request.params, req.params, 'params');
    const at = await now();
    const deleted = await deleteSilence(deps.pool, id, actorOf(req.principal), new Date(at));
    if (!deleted) throw notFound(`silence ${id}`);
    deps.changed?.('silences');
    const [alerts, live] = await Promise.all([
      openAlertsMatching(deps.pool, deleted.matchers),
      listLiveSilences(deps.pool, new Date(at)),
    ]);
    try {
      await unsilenceOpenAlerts(deps.workflows, deleted, alerts, live, at);
    } catch (err) {
      // Those not reached stay held until the silence's end, which their workflows keep.
      deps.log.warn({ err, silence: id }, 'silence deleted; some alerts it holds were not told');
    }
    res.status(204).end();
  });

  return router;
}
