/** /integrations: routing keys for monitoring systems, one per source and service. */
import { Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { validateBands } from '../domain/ingest/anomaly';
import { validatePath } from '../domain/ingest/generic';
import { SEVERITIES } from '../domain/severity';
import { createIntegration, deleteIntegration, listIntegrations, type IntegrationRow } from '../store/integrations';
import { HttpError, notFound, parseInput } from './errors';

const path = z.string().min(2).max(200).superRefine((p, ctx) => {
  const problem = validatePath(p);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const common = {
  name: z.string().trim().min(1).max(200),
  service: z.string().trim().min(1).max(200),
  /** Labels whose values, with the service, make the group key (Alertmanager's own groupKey wins). */
  group_by: z.array(z.string().min(1).max(100)).max(10).default([]),
  group_window_minutes: z.number().int().min(1).max(1440).default(5),
};

const body = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('pagerduty'), ...common }),
  z.strictObject({ type: z.literal('alertmanager'), ...common }),
  z.strictObject({
    type: z.literal('generic'),
    ...common,
    mapping: z.strictObject({
      summary: path,
      severity: path.optional(),
      dedupKey: path.optional(),
      status: path.optional(),
      source: path.optional(),
      severityMap: z.record(z.string(), z.enum(SEVERITIES)).optional(),
      resolvedValues: z.array(z.string()).max(20).optional(),
      acknowledgedValues: z.array(z.string()).max(20).optional(),
      defaultSeverity: z.enum(SEVERITIES).optional(),
    }),
  }),
  z.strictObject({
    type: z.literal('anomaly'),
    ...common,
    bands: z.array(z.strictObject({ min: z.number(), severity: z.enum(SEVERITIES) })).min(1).max(10).optional(),
  }),
]);

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

/** Returns the router for /integrations. */
export function integrationsRouter({ pool }: { pool: pg.Pool }): Router {
  const router = Router();

  router.post('/integrations', async (req, res) => {
    const b = parseInput(body, req.body, 'body');
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
      // The routing key is shown this once; only its digest is stored.
      res.status(201).location(`/integrations/${row.id}`).json({ ...json(row), routing_key: key, endpoint: urlFor(row, key) });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new HttpError(409, 'duplicate', `body.name: an integration named "${b.name}" exists`);
      throw err;
    }
  });

  router.get('/integrations', async (_req, res) => {
    res.json({ integrations: (await listIntegrations(pool)).map(json) });
  });

  router.delete('/integrations/:id', async (req, res) => {
    const { id } = parseInput(z.object({ id: z.uuid() }), req.params, 'params');
    if (!(await deleteIntegration(pool, id))) throw notFound(`integration ${id}`);
    res.status(204).end();
  });

  return router;
}
