/** /groups and /stats/noise: alert groups, acting on a group's alerts, and how much noise stays out of the pager. */
import { Router } from 'express';
import type { WorkflowClient } from '@temporalio/client';
import type pg from 'pg';
import { z } from 'zod';
import { getGroup, listGroups, noiseStats } from '../store/groups';
import { groupActionSignal, groupViewQuery } from '../workflows/messages';
import { actorOf } from './auth';
import { HttpError, notFound, parseInput } from './errors';

const idParams = z.object({ id: z.uuid() });

/** Returns the router for groups and noise statistics. */
export function groupsRouter({ pool, workflows }: { pool: pg.Pool; workflows: WorkflowClient }): Router {
  const router = Router();

  router.get('/groups', async (req, res) => {
    const q = parseInput(z.strictObject({ open: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }), req.query, 'query');
    const rows = await listGroups(pool, { open: q.open === undefined ? undefined : q.open === 'true', limit: q.limit });
    res.json({ groups: rows });
  });

  router.get('/groups/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const group = await getGroup(pool, id);
    if (!group) throw notFound(`group ${id}`);
    res.json(group);
  });

  for (const action of ['acknowledge', 'resolve'] as const) {
    router.post(`/groups/:id/${action}`, async (req, res) => {
      const { id } = parseInput(idParams, req.params, 'params');
      const { rows } = await pool.query<{ workflow_id: string }>('select workflow_id from alert_groups where id = $1', [id]);
      if (!rows[0]) throw notFound(`group ${id}`);
      const handle = workflows.getHandle(rows[0].workflow_id);
      // The group workflow with this id may since have closed and a new group opened under the same key.
      const view = await handle.query(groupViewQuery).catch(() => undefined);
      if (!view || view.groupId !== id) throw new HttpError(409, 'group_closed', `group ${id} is closed; act on its alerts one by one`);
      await handle.signal(groupActionSignal, { action, actor: actorOf(req.apiKey) });
      res.status(202).json({ id, action, alerts: view.members.length });
    });
  }

  router.get('/stats/noise', async (req, res) => {
    const q = parseInput(z.strictObject({ from: z.iso.date().optional(), to: z.iso.date().optional() }), req.query, 'query');
    const to = q.to ? new Date(`${q.to}T00:00:00Z`) : new Date();
    const from = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(to.getTime() - 6 * 86_400_000);
    if (to < from) throw new HttpError(400, 'invalid_request', 'query.to: must not be before from', { errors: [{ field: 'query.to', message: 'must not be before from' }] });
    if (to.getTime() - from.getTime() > 366 * 86_400_000) throw new HttpError(400, 'invalid_request', 'query.from: the range is limited to 366 days', { errors: [{ field: 'query.from', message: 'the range is limited to 366 days' }] });
    res.json(await noiseStats(pool, from, to));
  });

  return router;
}
