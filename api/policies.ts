/** /escalation-policies and /escalation-rules: who gets paged for which alerts, in what order. */
import { Router } from 'express';
import type pg from 'pg';
import { defaultPolicyRefusal, type PolicyChange } from '../domain/default-policy';
import { shownTarget, type Target } from '../domain/escalation';
import { NO_ALLOWLIST, withoutUrlCredentials, type OutboundAllowlist } from '../domain/outbound-address';
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
import { HttpError, notFound, parseInput } from './errors';
import { invalidFields, validatePolicy } from './policy-input';
import { mount } from './route';
import { policyRoutes as routes } from './schemas/policies';

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
    const body = parseInput(routes.update.request.body, req.body, 'body');
    const current = await getPolicy(pool, id);
    if (!current) throw notFound(`escalation policy ${id}`);
    const policy = await save(id, await validatePolicy(pool, body, allowlist, { current }));
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
    if (errors.length) throw invalidFields(errors);
    await inTransaction(pool, (tx) =>
      replaceRules(tx, body.rules.map((r) => ({ policyId: r.policy_id, severities: r.severities, services: r.services, labels: r.labels }))),
    );
    changed('escalation_rules');
    res.json({ rules: body.rules });
  });

  return router;
}
