/**
 * POST /escalation-policies/:id/simulate: the escalation dry-run. Loads the policy (snapshotted as an
 * alert would carry it), the SLA targets for the severity and service, and every schedule, user and
 * contact method the policy can reach, then runs the pure simulator over them: the same rules the alert
 * workflow follows, with today's directory data.
 */
import { Router } from 'express';
import type pg from 'pg';
import type { Target } from '../domain/escalation';
import { simulateEscalation, type SimEntry } from '../domain/escalation-simulate';
import { NO_ALLOWLIST, withoutUrlCredentials, type OutboundAllowlist } from '../domain/outbound-address';
import { resolveTargetsIn } from '../domain/resolve-targets';
import { getPolicy } from '../store/policies';
import { loadDirectory } from '../store/directory';
import { policySnapshot, slaPlan } from './alert-plan';
import { notFound, parseInput } from './errors';
import { validatePolicy } from './policy-input';
import { mount } from './route';
import { policyRoutes } from './schemas/policies';

const MINUTE = 60_000;

// Webhook URLs stored before credentials in them were refused are shown as https://***@host/….
const targetJson = (t: Target) => (t.type === 'webhook' ? { type: t.type, url: withoutUrlCredentials(t.url) } : t);

const entryJson = (e: SimEntry) => ({
  at: new Date(e.at).toISOString(),
  kind: e.kind,
  cycle: e.cycle,
  loop: e.loop,
  tier: e.tier,
  target: e.recipient ? targetJson(e.recipient.target) : null,
  ...(e.recipient
    ? {
        page_kind: e.pageKind,
        user_id: e.recipient.userId,
        channel: e.recipient.channel,
        address: withoutUrlCredentials(e.recipient.address),
        schedule_id: e.recipient.scheduleId ?? null,
        ...(e.recipient.delayMinutes ? { delay_minutes: e.recipient.delayMinutes } : {}),
      }
    : {}),
  ...(e.mark ? { mark: e.mark } : {}),
  ...(e.note ? { note: e.note } : {}),
});

/**
 * Returns the router for the escalation dry-run. A draft policy in the body is simulated instead of the
 * saved one, after the checks PUT makes (webhook URLs against `allowlist`, as for saving).
 */
export function simulateRouter({
  pool,
  slaAtRiskFraction,
  allowlist = NO_ALLOWLIST,
}: {
  pool: pg.Pool;
  slaAtRiskFraction: number;
  allowlist?: OutboundAllowlist;
}): Router {
  const router = Router();

  mount(router, policyRoutes.simulate, async (req, res) => {
    const { id } = parseInput(policyRoutes.simulate.request.params, req.params, 'params');
    const body = parseInput(policyRoutes.simulate.request.body, req.body, 'body');
    const stored = await getPolicy(pool, id);
    if (!stored) throw notFound(`escalation policy ${id}`);
    // A draft is snapshotted as the saved policy would be once it were saved.
    const draft =
      body.policy && (await validatePolicy(pool, body.policy, allowlist, { field: 'body.policy', current: stored }));
    const policy = policySnapshot(draft ? { ...stored, ...draft } : stored);
    const start = body.start ? Date.parse(body.start) : Date.now();
    const [sla, directory] = await Promise.all([
      slaPlan(pool, body.severity, body.service, slaAtRiskFraction),
      loadDirectory(pool, policy.tiers.flatMap((t) => t.targets)),
    ]);
    const result = simulateEscalation({
      policy,
      start,
      sla,
      acknowledgeAfterMs: body.acknowledge_after_minutes == null ? null : body.acknowledge_after_minutes * MINUTE,
      horizonMs: body.horizon_hours * 60 * MINUTE,
      resolve: (targets, at) => resolveTargetsIn(directory, targets, at),
    });
    // Already in time order; a stable sort keeps same-instant entries in the order they happen.
    const timeline = [...result.entries].sort((a, b) => a.at - b.at).map(entryJson);
    res.json({
      policy: { id: policy.id, name: policy.name },
      severity: body.severity,
      service: body.service,
      start: new Date(start).toISOString(),
      horizon_end: new Date(result.end).toISOString(),
      acknowledge_after_minutes: body.acknowledge_after_minutes ?? null,
      sla: { tta_minutes: sla.targets.ttaMs / MINUTE, ttr_minutes: sla.targets.ttrMs / MINUTE, at_risk_fraction: sla.atRiskFraction },
      timeline,
      pages: timeline.filter((e) => e.kind === 'page').length,
      truncated: result.truncated,
    });
  });

  return router;
}
