/** /groups and /stats/noise: alert groups, acting on a group's alerts, and how much noise stays out of the pager. */
import { Router } from 'express';
import type { WorkflowClient } from '@temporalio/client';
import type pg from 'pg';
import { getGroup, listGroups, noiseStats } from '../store/groups';
import { actorOf } from './auth';
import { actOnGroup } from './group-actions';
import { HttpError, notFound, parseInput } from './errors';
import { mount } from './route';
import { groupRoutes as routes } from './schemas/groups';

/** Returns the router for groups and noise statistics. */
export function groupsRouter({ pool, workflows, flushCounts }: { pool: pg.Pool; workflows: WorkflowClient; flushCounts?: () => Promise<void> }): Router {
  const router = Router();

  mount(router, routes.list, async (req, res) => {
    const q = parseInput(routes.list.request.query, req.query, 'query');
    const rows = await listGroups(pool, { open: q.open === undefined ? undefined : q.open === 'true', limit: q.limit });
    res.json({ groups: rows });
  });

  mount(router, routes.get, async (req, res) => {
    const { id } = parseInput(routes.get.request.params, req.params, 'params');
    const group = await getGroup(pool, id);
    if (!group) throw notFound(`group ${id}`);
    res.json(group);
  });

  for (const action of ['acknowledge', 'resolve'] as const) {
    mount(router, routes[action], async (req, res) => {
      const { id } = parseInput(routes[action].request.params, req.params, 'params');
      const group = await getGroup(pool, id);
      if (!group) throw notFound(`group ${id}`);
      if (group.close_reason === 'resolved') throw new HttpError(409, 'group_closed', `every alert of group ${id} is resolved`);
      const alerts = await actOnGroup({ pool, workflows }, id, action, actorOf(req.principal));
      res.status(202).json({ id, action, alerts: alerts ?? 0 });
    });
  }

  mount(router, routes.noise, async (req, res) => {
    const q = parseInput(routes.noise.request.query, req.query, 'query');
    const to = q.to ? new Date(`${q.to}T00:00:00Z`) : new Date();
    const from = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(to.getTime() - 6 * 86_400_000);
    if (to < from) throw new HttpError(400, 'invalid_request', 'query.to: must not be before from', { errors: [{ field: 'query.to', message: 'must not be before from' }] });
    if (to.getTime() - from.getTime() > 366 * 86_400_000) throw new HttpError(400, 'invalid_request', 'query.from: the range is limited to 366 days', { errors: [{ field: 'query.from', message: 'the range is limited to 366 days' }] });
    // Raw events are counted in memory (api/ingest-counts.ts): this process's own are written first.
    await flushCounts?.();
    res.json(await noiseStats(pool, from, to));
  });

  return router;
}
