/** /integrations: routing keys for monitoring systems, one per source and service. */
import { Router } from 'express';
import type pg from 'pg';
import { validateBands } from '../domain/ingest/anomaly';
import { createIntegration, deleteIntegration, listIntegrations, type IntegrationRow } from '../store/integrations';
import { HttpError, notFound, parseInput } from './errors';
import { mount } from './route';
import { integrationRoutes as routes } from './schemas/integrations';

const urlFor = (i: IntegrationRow, key: string) =>
  i.type === 'pagerduty' ? '/v2/enqueue (routing_key in the body)' : `/integrations/${i.type}/${key}`;

const json = (i: IntegrationRow) => ({
  id: i.id,
  name: i.name,
  type: i.type,
  service: i.service,
  key_prefix: i.key_prefix,
  settings: i.settings,
  group_by: i.group_by,
  group_window_minutes: i.group_window_minutes,
  created_at: i.created_at,
});

/** Returns the router for /integrations; `changed` hears of every committed change (the plan cache). */
export function integrationsRouter({ pool, changed = () => {} }: { pool: pg.Pool; changed?: (table: string) => void }): Router {
  const router = Router();

  mount(router, routes.create, async (req, res) => {
    const b = parseInput(routes.create.request.body, req.body, 'body');
    if (b.type === 'anomaly' && b.bands) {
      const problems = validateBands(b.bands);
      if (problems.length) throw new HttpError(400, 'invalid_request', `body.bands: ${problems[0]}`, { errors: problems.map((message) => ({ field: 'body.bands', message })) });
    }
    const settings = b.type === 'generic' ? { mapping: b.mapping } : b.type === 'anomaly' && b.bands ? { bands: b.bands } : {};
    try {
      const { key, row } = await createIntegration(pool, {
        name: b.name,
        type: b.type,
        service: b.service,
        settings,
        groupBy: b.group_by,
        groupWindowMinutes: b.group_window_minutes,
      });
      changed('integrations');
      // The routing key is shown this once; only its digest is stored.
      res.status(201).location(`/integrations/${row.id}`).json({ ...json(row), routing_key: key, endpoint: urlFor(row, key) });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new HttpError(409, 'duplicate', `body.name: an integration named "${b.name}" exists`);
      throw err;
    }
  });

  mount(router, routes.list, async (_req, res) => {
    res.json({ integrations: (await listIntegrations(pool)).map(json) });
  });

  mount(router, routes.delete, async (req, res) => {
    const { id } = parseInput(routes.delete.request.params, req.params, 'params');
    if (!(await deleteIntegration(pool, id))) throw notFound(`integration ${id}`);
    changed('integrations');
    res.status(204).end();
  });

  return router;
}
