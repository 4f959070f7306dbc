/**
 * The escalation rules while they are being edited: services and labels as the text typed, in and out of
 * the PUT /escalation-rules body. An empty severity list or services text means "any".
 */
import type { components } from './api/schema.js';

export type RulesRequest = components['schemas']['EscalationRules'];
type Rule = RulesRequest['rules'][number];
export type Severity = NonNullable<Rule['severities']>[number];

export interface RuleDraft {
  policyId: string;
  severities: Severity[];
  /** Comma-separated; empty: any service. */
  services: string;
  /** One `key=value` a line. */
  labels: string;
}

/** Returns the draft of a stored rule. */
export function ruleDraftOf(rule: {
  policy_id: string;
  severities: Severity[] | null;
  services: string[] | null;
  labels: Record<string, string>;
}): RuleDraft {
  return {
    policyId: rule.policy_id,
    severities: rule.severities ?? [],
    services: (rule.services ?? []).join(', '),
    labels: Object.entries(rule.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  };
}

/** Returns a new rule sending everything (until narrowed) to `policyId`. */
export const newRule = (policyId: string): RuleDraft => ({
  policyId,
  severities: [],
  services: '',
  labels: '',
});

/** Returns the labels of `key=value` lines; a line without `=` is a key that must be present with an empty value. */
export function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    if (at < 0) labels[line.trim()] = '';
    else labels[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return labels;
}

/** Returns the PUT /escalation-rules body for the drafts, in order. */
export function rulesBody(drafts: readonly RuleDraft[]): RulesRequest {
  return {
    rules: drafts.map((d) => {
      const services = d.services
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      return {
        policy_id: d.policyId,
        severities: d.severities.length ? d.severities : null,
        services: services.length ? services : null,
        labels: labelsOf(d.labels),
      };
    }),
  };
}

/** Returns what the form calls an API error's field ('body.rules.2.policy_id' → 'Rule 3, policy'). */
export function ruleFieldLabel(field: string): string {
  const m = /^body\.rules\.(\d+)(?:\.(\w+))?/.exec(field);
  if (!m) return field;
  const names: Record<string, string> = {
    policy_id: 'policy',
    severities: 'severities',
    services: 'services',
    labels: 'labels',
  };
  return `Rule ${Number(m[1]) + 1}${m[2] ? `, ${names[m[2]] ?? m[2]}` : ''}`;
}
