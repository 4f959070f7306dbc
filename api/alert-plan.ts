/** What an alert is triggered with: the policy it matches (snapshotted) and its SLA targets. */
import type { Queryable } from '../store/db';
import { matchPolicy, type AlertFacts, type EscalationPolicy, type PolicyRule } from '../domain/escalation';
import type { Severity } from '../domain/severity';
import { slaTargetsFor, type SlaOverride, type SlaTargets } from '../domain/sla';
import { getPolicy, loadMatchingInputs, type StoredPolicy } from '../store/policies';
import { listLiveSilences, type SilenceRow } from '../store/silences';
import { listSlaOverrides } from '../store/sla';
import { isStoreUnreachable } from '../store/unreachable';

export interface AlertPlan {
  policy: EscalationPolicy | null;
  sla: { targets: SlaTargets; atRiskFraction: number };
}

/** Returns the snapshot of a stored policy that an alert carries. */
export function policySnapshot(stored: StoredPolicy): EscalationPolicy {
  return {
    id: stored.id,
    name: stored.name,
    tiers: stored.tiers,
    repeat: stored.repeat,
    repeatDelayMinutes: stored.repeatDelayMinutes,
    ackTimeoutMinutes: stored.ackTimeoutMinutes,
    autoResolveMinutes: stored.autoResolveMinutes,
  };
}

/** Returns the SLA targets (a per-service override, else the default) an alert of this severity and service gets. */
export async function slaPlan(db: Queryable, severity: Severity, service: string, atRiskFraction: number): Promise<AlertPlan['sla']> {
  const overrides = await listSlaOverrides(db, service);
  return { targets: slaTargetsFor(severity, service, overrides), atRiskFraction };
}

/** What planning reads: the store itself, or the API process's cache of it (api/plan-cache.ts). */
export interface PlanReads {
  matchingInputs(): Promise<{ rules: PolicyRule[]; defaultPolicyId: string | null }>;
  policy(id: string): Promise<StoredPolicy | undefined>;
  /** The per-service overrides; any superset of the service's own gives the same targets. */
  slaOverrides(service: string): Promise<readonly SlaOverride[]>;
  /** The silences not deleted and not over (any superset gives the same hold: triggers filter by time). */
  liveSilences?(): Promise<readonly SilenceRow[]>;
  /**
   * The same reads answered from memory alone, each failing with NotInMemory where it would query; or
   * undefined when nothing is answered from memory now. Reads without it always query (storeReads).
   */
  inMemory?(): PlanReads | undefined;
}

/** What a read of PlanReads.inMemory() fails with instead of querying. */
export class NotInMemory extends Error {
  constructor(what: string) {
    super(`${what} is not in memory`);
    this.name = 'NotInMemory';
  }
}

/** Returns the reads that query the store each time. */
export function storeReads(db: Queryable): PlanReads {
  return {
    matchingInputs: () => loadMatchingInputs(db),
    policy: (id) => getPolicy(db, id),
    slaOverrides: (service) => listSlaOverrides(db, service),
    liveSilences: () => listLiveSilences(db, new Date()),
  };
}

/** Returns the matched policy (or null) and SLA targets for an alert about to be triggered. */
export async function planAlert(db: Queryable, facts: AlertFacts, atRiskFraction: number, reads: PlanReads = storeReads(db)): Promise<AlertPlan> {
  return planWith(reads, facts, atRiskFraction);
}

/**
 * Returns the plan when the reads can make it from memory (over reads.inMemory()), null when making it
 * would query Postgres, and undefined when the reads never answer from memory.
 */
export async function planFromMemory(facts: AlertFacts, atRiskFraction: number, reads: PlanReads | undefined): Promise<AlertPlan | null | undefined> {
  if (!reads?.inMemory) return undefined;
  const memory = reads.inMemory();
  if (!memory) return null;
  try {
    return await planWith(memory, facts, atRiskFraction);
  } catch (err) {
    // Not held, or held by a load that failed: planAlert reads the store (with its fallback) if need be.
    if (err instanceof NotInMemory || isStoreUnreachable(err)) return null;
    throw err;
  }
}

async function planWith(reads: PlanReads, facts: AlertFacts, atRiskFraction: number): Promise<AlertPlan> {
  const [{ rules, defaultPolicyId }, overrides] = await Promise.all([reads.matchingInputs(), reads.slaOverrides(facts.service)]);
  const sla = { targets: slaTargetsFor(facts.severity, facts.service, overrides), atRiskFraction };
  const policyId = matchPolicy(rules, facts, defaultPolicyId);
  const stored = policyId ? await reads.policy(policyId) : undefined;
  return { policy: stored ? policySnapshot(stored) : null, sla };
}
