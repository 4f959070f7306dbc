/** /sla: per-service targets and the compliance report. */
import { Router } from 'express';
import type pg from 'pg';
import { DEFAULT_SLA_TARGETS } from '../domain/sla';
import { SEVERITIES } from '../domain/severity';
import { complianceReport, deleteSlaOverride, listSlaOverrides, upsertSlaOverride } from '../store/sla';
import { HttpError, notFound, parseInput } from './errors';
import { mount } from './route';
import { MAX_COMPLIANCE_RANGE_DAYS as MAX_RANGE_DAYS, secondsOf, slaRoutes as routes } from './schemas/sla';

const minutes = (ms: number) => ms / 60_000;

/** Returns the router for /sla; `changed` hears of every committed change to the targets (the plan cache). */
export function slaRouter({ pool, changed = () => {} }: { pool: pg.Pool; changed?: (table: string) => void }): Router {
  const router = Router();

  mount(router, routes.targets, async (req, res) => {
    const { service } = parseInput(routes.targets.request.query, req.query, 'query');
    const overrides = await listSlaOverrides(pool, service);
    res.json({
      defaults: Object.fromEntries(SEVERITIES.map((s) => [s, { tta_minutes: minutes(DEFAULT_SLA_TARGETS[s].ttaMs), ttr_minutes: minutes(DEFAULT_SLA_TARGETS[s].ttrMs) }])),
      overrides: overrides.map((o) => ({ service: o.service, severity: o.severity, tta_minutes: minutes(o.ttaMs), ttr_minutes: minutes(o.ttrMs) })),
    });
  });

  mount(router, routes.put, async (req, res) => {
    const { service, severity } = parseInput(routes.put.request.params, req.params, 'params');
    const body = parseInput(routes.put.request.body, req.body, 'body');
    if (body.ttr_minutes < body.tta_minutes) {
      throw new HttpError(400, 'invalid_request', 'body.ttr_minutes: must be at least tta_minutes', { errors: [{ field: 'body.ttr_minutes', message: 'must be at least tta_minutes' }] });
    }
    const target = { service, severity, ttaMs: secondsOf(body.tta_minutes) * 1000, ttrMs: secondsOf(body.ttr_minutes) * 1000 };
    await upsertSlaOverride(pool, target);
    changed('sla_targets');
    // What was stored, to the second, as GET /sla/targets will show it.
    res.json({ service, severity, tta_minutes: minutes(target.ttaMs), ttr_minutes: minutes(target.ttrMs) });
  });

  mount(router, routes.delete, async (req, res) => {
    const { service, severity } = parseInput(routes.delete.request.params, req.params, 'params');
    if (!(await deleteSlaOverride(pool, service, severity))) throw notFound(`SLA override for ${service}/${severity}`);
    changed('sla_targets');
    res.status(204).end();
  });

  mount(router, routes.compliance, async (req, res) => {
    const q = parseInput(routes.compliance.request.query, req.query, 'query');
    if (q.to <= q.from) {
      throw new HttpError(400, 'invalid_request', 'query.to: must be after from', { errors: [{ field: 'query.to', message: 'must be after from' }] });
    }
    if (q.to.getTime() - q.from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
      throw new HttpError(400, 'invalid_request', `query.from: the range is limited to ${MAX_RANGE_DAYS} days`, { errors: [{ field: 'query.from', message: `the range is limited to ${MAX_RANGE_DAYS} days` }] });
    }
    const report = await complianceReport(pool, q);
    res.json({ from: q.from, to: q.to, service: q.service ?? null, severity: q.severity ?? null, ...report });
  });

  return router;
}
