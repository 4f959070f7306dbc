/** SQL for escalation policies and the ordered rules that choose one for an alert. */
import type { EscalationPolicy, PolicyRule, Tier } from '../domain/escalation';
import type { Severity } from '../domain/severity';
import type { Queryable } from './db';
import { tiersWithSecretsStored } from './webhook-secrets';

interface PolicyRow {
  id: string;
  name: string;
  tiers: Tier[];
  repeat: number;
  repeat_delay_minutes: number;
  ack_timeout_minutes: number | null;
  auto_resolve_minutes: number | null;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface StoredPolicy extends EscalationPolicy {
  isDefault: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type PolicyFields = Omit<EscalationPolicy, 'id'> & { isDefault: boolean };

function toPolicy(r: PolicyRow): StoredPolicy {
  return {
    id: r.id,
    name: r.name,
    tiers: r.tiers,
    repeat: r.repeat,
    repeatDelayMinutes: r.repeat_delay_minutes,
    ackTimeoutMinutes: r.ack_timeout_minutes,
    autoResolveMinutes: r.auto_resolve_minutes,
    isDefault: r.is_default,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

// Secrets are stored apart and the tiers keep their ids: the tiers are what alerts snapshot into Temporal.
const values = async (db: Queryable, p: PolicyFields) => [
  p.name,
  JSON.stringify(await tiersWithSecretsStored(db, p.tiers)),
  p.repeat,
  p.repeatDelayMinutes,
  p.ackTimeoutMinutes,
  p.autoResolveMinutes,
  p.isDefault,
];

// Every transaction that sets, unsets or deletes the default takes this lock first, so the check that a
// default remains and the write it guards are one step: a row lock alone would not do, since a policy
// that becomes the default in a concurrent transaction is not the default yet when the other one reads.
const DEFAULT_POLICY_LOCK = 0x6b6c6470; // "kldp"

/** Takes the transaction-scoped lock that serialises changes of the default policy; returns its id as then stored. */
export async function lockDefaultPolicy(tx: Queryable): Promise<string | null> {
  await tx.query('select pg_advisory_xact_lock($1)', [DEFAULT_POLICY_LOCK]);
  const { rows } = await tx.query<{ id: string }>('select id from escalation_policies where is_default');
  return rows[0]?.id ?? null;
}

/** Clears the default flag so another policy can take it (call in the same transaction). */
export async function clearDefaultPolicy(db: Queryable): Promise<void> {
  await db.query('update escalation_policies set is_default = false where is_default');
}

/** Inserts a policy and returns it. */
export async function insertPolicy(db: Queryable, p: PolicyFields): Promise<StoredPolicy> {
  const { rows } = await db.query<PolicyRow>(
    `insert into escalation_policies (name, tiers, repeat, repeat_delay_minutes, ack_timeout_minutes, auto_resolve_minutes, is_default)
     values ($1, $2::jsonb, $3, $4, $5, $6, $7) returning *`,
    await values(db, p),
  );
  return toPolicy(rows[0]!);
}

/** Replaces a policy's fields; returns it, or undefined if absent. */
export async function updatePolicy(db: Queryable, id: string, p: PolicyFields): Promise<StoredPolicy | undefined> {
  const { rows } = await db.query<PolicyRow>(
    `update escalation_policies set name = $2, tiers = $3::jsonb, repeat = $4, repeat_delay_minutes = $5,
            ack_timeout_minutes = $6, auto_resolve_minutes = $7, is_default = $8, updated_at = now()
      where id = $1 returning *`,
    [id, ...(await values(db, p))],
  );
  return rows[0] ? toPolicy(rows[0]) : undefined;
}

/** Returns the policy, or undefined. */
export async function getPolicy(db: Queryable, id: string): Promise<StoredPolicy | undefined> {
  const { rows } = await db.query<PolicyRow>('select * from escalation_policies where id = $1', [id]);
  return rows[0] ? toPolicy(rows[0]) : undefined;
}

/** Returns every policy by name. */
export async function listPolicies(db: Queryable): Promise<StoredPolicy[]> {
  const { rows } = await db.query<PolicyRow>('select * from escalation_policies order by name');
  return rows.map(toPolicy);
}

/** Deletes a policy (its rules go with it); returns true if it existed. */
export async function deletePolicy(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query('delete from escalation_policies where id = $1', [id]);
  return (result.rowCount ?? 0) > 0;
}

interface RuleRow {
  id: string;
  position: number;
  policy_id: string;
  severities: Severity[] | null;
  services: string[] | null;
  labels: Record<string, string>;
}

export type StoredRule = PolicyRule & { id: string; position: number };

/** Returns the rules in match order. */
export async function listRules(db: Queryable): Promise<StoredRule[]> {
  const { rows } = await db.query<RuleRow>('select * from escalation_rules order by position');
  return rows.map((r) => ({ id: r.id, position: r.position, policyId: r.policy_id, severities: r.severities, services: r.services, labels: r.labels }));
}

/** Replaces the whole ordered rule list (call in a transaction). */
export async function replaceRules(db: Queryable, rules: PolicyRule[]): Promise<void> {
  await db.query('delete from escalation_rules');
  for (const [position, r] of rules.entries()) {
    await db.query(
      'insert into escalation_rules (position, policy_id, severities, services, labels) values ($1, $2, $3, $4, $5::jsonb)',
      [position, r.policyId, r.severities, r.services, JSON.stringify(r.labels)],
    );
  }
}

/** Returns the rules, the default policy id, and a loader for the matched policy: what matching needs. */
export async function loadMatchingInputs(db: Queryable): Promise<{ rules: StoredRule[]; defaultPolicyId: string | null }> {
  const [rules, def] = await Promise.all([
    listRules(db),
    db.query<{ id: string }>('select id from escalation_policies where is_default'),
  ]);
  return { rules, defaultPolicyId: def.rows[0]?.id ?? null };
}
