/** /escalation-policies and /escalation-rules: who gets paged for which alerts, in what order. */
import { Router } from 'express';
import type pg from 'pg';
import { type z } from 'zod';
import { defaultPolicyRefusal, type PolicyChange } from '../domain/default-policy';
import { policyProblems, shownTarget, type Target } from '../domain/escalation';
import { checkWebhookUrl, NO_ALLOWLIST, withoutUrlCredentials, type OutboundAllowlist } from '../domain/outbound-address';
import { inTransaction, type Queryable } from '../store/db';
import {
  clearDefaultPolicy,
  deletePolicy,
  getPolicy,
  insertPolicy,
  listPolicies,
  listRules,
  lockDefaultPolicy,
  replaceRules,
  updatePolicy,
  type PolicyFields,
  type StoredPolicy,
} from '../store/policies';
import { existingScheduleIds } from '../store/schedules';
import { existingUserIds } from '../store/users';
import { HttpError, notFound, parseInput } from './errors';
import { mount } from './route';
import { type policyBody, policyRoutes as routes } from './schemas/policies';

const fail = (errors: { field: string; message: string }[]) =>
  new HttpError(400, 'invalid_request', `${errors[0]!.field}: ${errors[0]!.message}`, { errors });

/** Returns the stored fields of a valid policy body, or throws a 400 naming every problem. */
async function validatePolicy(pool: pg.Pool, body: z.infer<typeof policyBody>, allowlist: OutboundAllowlist): Promise<PolicyFields> {
  const tiers = body.tiers.map((t) => ({ delayMinutes: t.delay_minutes, targets: t.targets as Target[] }));
  const errors = policyProblems({ tiers }).map((p) => ({ field: `body.${p.path}`, message: p.message }));
  const userIds = tiers.flatMap((t) => t.targets.flatMap((x) => (x.type === 'user' ? [x.id] : [])));
  const scheduleIds = tiers.flatMap((t) => t.targets.flatMap((x) => (x.type === 'schedule' ? [x.id] : [])));
  const [known, schedules] = await Promise.all([existingUserIds(pool, userIds), existingScheduleIds(pool, scheduleIds)]);
  tiers.forEach((tier, i) =>
    tier.targets.forEach((t, j) => {
      if (t.type === 'schedule' && !schedules.has(t.id)) {
        errors.push({ field: `body.tiers.${i}.targets.${j}.id`, message: `no schedule ${t.id}` });
      } else if (t.type === 'user' && !known.has(t.id)) {
        errors.push({ field: `body.tiers.${i}.targets.${j}.id`, message: `no user ${t.id}` });
      } else if (t.type === 'webhook') {
        const checked = checkWebhookUrl(t.url, allowlist);
        if (!checked.ok) errors.push({ field: `body.tiers.${i}.targets.${j}.url`, message: checked.message });
      }
    }),
  );
  if (errors.length) throw fail(errors);
  return {
    name: body.name,
    tiers,
    repeat: body.repeat,
    repeatDelayMinutes: body.repeat_delay_minutes,
    ackTimeoutMinutes: body.ack_timeout_minutes,
    autoResolveMinutes: body.auto_resolve_minutes,
    isDefault: body.is_default,
  };
}

// A secret shows only as has_secret; credentials in a URL stored before they were refused, not at all.
const shownWithoutCredentials = (t: Target) => {
  const shown = shownTarget(t);
  return shown.type === 'webhook' ? { ...shown, url: withoutUrlCredentials(shown.url) } : shown;
};

const policyJson = (p: StoredPolicy) => ({
  id: p.id,
  name: p.name,
  tiers: p.tiers.map((t) => ({ delay_minutes: t.delayMinutes, targets: t.targets.map(shownWithoutCredentials) })),
  repeat: p.repeat,
  repeat_delay_minutes: p.repeatDelayMinutes,
  ack_timeout_minutes: p.ackTimeoutMinutes,
  auto_resolve_minutes: p.autoResolveMinutes,
  is_default: p.isDefault,
  created_at: p.createdAt,
  updated_at: p.updatedAt,
});

const duplicateName = (err: unknown) => (err as { code?: string; constraint?: string }).code === '23505';

/** Takes the default-policy lock and throws a 409 if the change would leave no default policy. */
async function keepDefault(tx: Queryable, change: PolicyChange): Promise<void> {
  const currentDefaultId = await lockDefaultPolicy(tx);
  const refusal = defaultPolicyRefusal(currentDefaultId, change);
  if (refusal) throw new HttpError(409, 'last_default_policy', refusal, { policy_id: currentDefaultId, field: change.kind === 'save' ? 'body.is_default' : 'params.id' });
}

/**
 * Returns the router for policies and rules. `changed` hears of every committed change to them, so this
 * process's plan cache never serves what the request just replaced. Webhook targets must pass the
 * outbound rule with `allowlist` (OUTBOUND_ALLOWLIST).
 */
export function policiesRouter({
  pool,
  changed = () => {},
  allowlist = NO_ALLOWLIST,
}: {
  pool: pg.Pool;
  changed?: (table: string) => void;
  allowlist?: OutboundAllowlist;
}): Router {
  const router = Router();

  const save = async (id: string | null, fields: PolicyFields) => {
    try {
      const saved = await inTransaction(pool, async (tx) => {
        await keepDefault(tx, { kind: 'save', policyId: id, isDefault: fields.isDefault });
        if (fields.isDefault) await clearDefaultPolicy(tx);
        return id ? updatePolicy(tx, id, fields) : insertPolicy(tx, fields);
      });
      changed('escalation_policies');
      return saved;
    } catch (err) {
      if (duplicateName(err)) throw new HttpError(409, 'duplicate', `body.name: a policy named "${fields.name}" exists`);
      throw err;
    }
  };

  mount(router, routes.create, async (req, res) => {
    const fields = await validatePolicy(pool, parseInput(routes.create.request.body, req.body, 'body'), allowlist);
    const policy = (await save(null, fields))!;
    res.status(201).location(`/escalation-policies/${policy.id}`).json(policyJson(policy));
  });

  mount(router, routes.list, async (_req, res) => {
    res.json({ policies: (await listPolicies(pool)).map(policyJson) });
  });

  mount(router, routes.get, async (req, res) => {
    const { id } = parseInput(routes.get.request.params, req.params, 'params');
    const policy = await getPolicy(pool, id);
    if (!policy) throw notFound(`escalation policy ${id}`);
    res.json(policyJson(policy));
  });

  mount(router, routes.update, async (req, res) => {
    const { id } = parseInput(routes.update.request.params, req.params, 'params');
    const fields = await validatePolicy(pool, parseInput(routes.update.request.body, req.body, 'body'), allowlist);
    const policy = await save(id, fields);
    if (!policy) throw notFound(`escalation policy ${id}`);
    res.json(policyJson(policy));
  });

  mount(router, routes.delete, async (req, res) => {
    const { id } = parseInput(routes.delete.request.params, req.params, 'params');
    const deleted = await inTransaction(pool, async (tx) => {
      await keepDefault(tx, { kind: 'delete', policyId: id });
      return deletePolicy(tx, id);
    });
    if (!deleted) throw notFound(`escalation policy ${id}`);
    changed('escalation_policies');
    res.status(204).end();
  });

  mount(router, routes.listRules, async (_req, res) => {
    const rules = await listRules(pool);
    res.json({ rules: rules.map((r) => ({ policy_id: r.policyId, severities: r.severities, services: r.services, labels: r.labels })) });
  });

  mount(router, routes.replaceRules, async (req, res) => {
    const body = parseInput(routes.replaceRules.request.body, req.body, 'body');
    const known = new Set((await listPolicies(pool)).map((p) => p.id));
    const errors = body.rules.flatMap((r, i) => (known.has(r.policy_id) ? [] : [{ field: `body.rules.${i}.policy_id`, message: `no escalation policy ${r.policy_id}` }]));
    if (errors.length) throw fail(errors);
    await inTransaction(pool, (tx) =>
      replaceRules(tx, body.rules.map((r) => ({ policyId: r.policy_id, severities: r.severities, services: r.services, labels: r.labels }))),
    );
    changed('escalation_rules');
    res.json({ rules: body.rules });
  });

  return router;
}
