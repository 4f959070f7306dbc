/** What an alert is triggered with: the policy it matches (snapshotted) and its SLA targets. */
import type { Queryable } from '../store/db';
import { matchPolicy, type AlertFacts, type EscalationPolicy } from '../domain/escalation';
import { slaTargetsFor, type SlaTargets } from '../domain/sla';
import { getPolicy, loadMatchingInputs } from '../store/policies';
import { listSlaOverrides } from '../store/sla';

export interface AlertPlan {
  policy: EscalationPolicy | null;
  sla: { targets: SlaTargets; atRiskFraction: number };
}

/** Returns the matched policy (or null) and SLA targets for an alert about to be triggered. */
export async function planAlert(db: Queryable, facts: AlertFacts, atRiskFraction: number): Promise<AlertPlan> {
  const [{ rules, defaultPolicyId }, overrides] = await Promise.all([loadMatchingInputs(db), listSlaOverrides(db, facts.service)]);
  const policyId = matchPolicy(rules, facts, defaultPolicyId);
  const stored = policyId ? await getPolicy(db, policyId) : undefined;
  const policy: EscalationPolicy | null = stored
    ? {
        id: stored.id,
        name: stored.name,
        tiers: stored.tiers,
        repeat: stored.repeat,
        repeatDelayMinutes: stored.repeatDelayMinutes,
        ackTimeoutMinutes: stored.ackTimeoutMinutes,
        autoResolveMinutes: stored.autoResolveMinutes,
      }
    : null;
  return { policy, sla: { targets: slaTargetsFor(facts.severity, facts.service, overrides), atRiskFraction } };
}
