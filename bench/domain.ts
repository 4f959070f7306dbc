/**
 * Per-call cost of the pure rules on the alert hot path, against SPEC §8: a transition decision
 * (< 50 ms), an SLA deadline computation (< 10 ms), policy matching over 1,000 rules (< 20 ms).
 * `npm run bench:domain`.
 */
import { advance, fireTime, matchPolicy, startEscalation, type EscalationPolicy, type PolicyRule } from '../domain/escalation';
import { ALERT_STATES, TRANSITION_ACTIONS, decideTransition } from '../domain/lifecycle';
import { SEVERITIES } from '../domain/severity';
import { pendingMarks, slaDeadlines, slaTargetsFor, type SlaOverride } from '../domain/sla';
import { bench, report } from './run';

// 1,000 rules that mostly miss (service-specific, label-specific), so matching walks nearly all of them
// before the last one matches: the worst case for first-match-wins.
const rules: PolicyRule[] = Array.from({ length: 1000 }, (_, i) => ({
  policyId: `p${i}`,
  severities: i % 3 === 0 ? ['critical', 'high'] : null,
  services: [`service-${i}`],
  labels: (i % 2 === 0 ? { region: `r${i % 7}`, team: `t${i % 11}` } : {}) as Record<string, string>,
}));
rules.push({ policyId: 'catch-all', severities: null, services: null, labels: { team: 'storage' } });
const alerts = Array.from({ length: 64 }, (_, i) => ({
  severity: SEVERITIES[i % 5]!,
  service: `unlisted-${i}`,
  labels: { region: `r${i % 7}`, team: 'storage', host: `h${i}` },
}));

const overrides: SlaOverride[] = Array.from({ length: 200 }, (_, i) => ({ service: `service-${i}`, severity: SEVERITIES[i % 5]!, ttaMs: 60_000, ttrMs: 3_600_000 }));
const T0 = Date.UTC(2026, 0, 1);

const policy: EscalationPolicy = {
  id: 'p',
  name: 'p',
  tiers: [0, 5, 15].map((d) => ({ delayMinutes: d, targets: [] })),
  repeat: 3,
  repeatDelayMinutes: 10,
  ackTimeoutMinutes: null,
  autoResolveMinutes: null,
};

const results = [
  {
    result: bench('transition decision (decideTransition)', (i) => decideTransition(ALERT_STATES[i & 3]!, TRANSITION_ACTIONS[i % 5]!).ok, 200_000),
    targetMs: 50,
  },
  {
    result: bench(
      'SLA: targets + deadlines + pending marks',
      (i) => {
        const targets = slaTargetsFor(SEVERITIES[i % 5]!, `service-${i % 300}`, overrides);
        const d = slaDeadlines(T0 + i, targets, 0.75);
        return pendingMarks(d, { respondedAt: null, resolved: false, fired: [] }).length;
      },
      50_000,
    ),
    targetMs: 10,
  },
  { result: bench('policy match over 1,000 rules (worst case)', (i) => matchPolicy(rules, alerts[i & 63]!, null), 2_000), targetMs: 20 },
  {
    result: bench(
      'tier cursor: fire time + advance',
      (i) => {
        const c = startEscalation(T0 + i);
        return advance(policy, c, fireTime(policy, c));
      },
      200_000,
    ),
    targetMs: 50,
  },
];

console.log(`node ${process.version}, ${new Date().toISOString()}`);
report(results);
