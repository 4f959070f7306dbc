/**
 * Escalation rules: which policy an alert gets (ordered rules, first match wins, else the default), and
 * the tier cursor that says which tier fires next and when. Pure, so the workflow and the dry-run
 * simulator share one implementation.
 */
import type { Severity } from './severity';

export type Target =
  | { type: 'user'; id: string }
  /**
   * A webhook's HMAC secret is stored apart (store/webhook-secrets.ts) and named by `secretId`, so it never
   * travels through Temporal; `secret` is the secret itself, only in a request body before it is stored
   * and in the snapshots of alerts triggered before secrets moved out.
   */
  | { type: 'webhook'; url: string; secretId?: string; secret?: string }
  | { type: 'schedule'; id: string };

/** A target as it may be shown or logged: a webhook's secret is write-only, only its presence shows. */
export type ShownTarget = Exclude<Target, { type: 'webhook' }> | { type: 'webhook'; url: string; has_secret: boolean };

/** Returns the target without its secret; a target already shown is returned as it is. */
export function shownTarget(t: Target | ShownTarget): ShownTarget {
  if (t.type !== 'webhook' || 'has_secret' in t) return t;
  return { type: 'webhook', url: t.url, has_secret: !!t.secretId || (t.secret !== undefined && t.secret !== '') };
}

export interface Tier {
  /** Minutes after the start of a loop at which this tier fires (non-decreasing along the chain). */
  delayMinutes: number;
  targets: Target[];
}

/** A policy as snapshotted into an alert: editing the stored policy later never changes it. */
export interface EscalationPolicy {
  id: string;
  name: string;
  tiers: Tier[];
  /** How many more times the whole chain runs after the first pass. */
  repeat: number;
  /** Minutes between the last tier of a loop and the first tier of the next. */
  repeatDelayMinutes: number;
  /** Acknowledged but untouched this long → back to `new`, escalation restarts. */
  ackTimeoutMinutes: number | null;
  /** Not resolved this long after (re)opening → resolved by the system. */
  autoResolveMinutes: number | null;
}

export interface PolicyRule {
  policyId: string;
  /** null/empty: any severity. */
  severities: Severity[] | null;
  /** null/empty: any service. */
  services: string[] | null;
  /** Every label here must be present with this value. */
  labels: Record<string, string>;
}

export interface AlertFacts {
  severity: Severity;
  service: string;
  labels: Record<string, string>;
}

/** Returns true when the rule matches the alert. */
export function ruleMatches(rule: PolicyRule, alert: AlertFacts): boolean {
  if (rule.severities?.length && !rule.severities.includes(alert.severity)) return false;
  if (rule.services?.length && !rule.services.includes(alert.service)) return false;
  for (const key in rule.labels) {
    if (alert.labels[key] !== rule.labels[key]) return false;
  }
  return true;
}

/** Returns the policy id of the first matching rule (rules in order), else the default policy id. */
export function matchPolicy(rules: readonly PolicyRule[], alert: AlertFacts, defaultPolicyId: string | null): string | null {
  for (const rule of rules) if (ruleMatches(rule, alert)) return rule.policyId;
  return defaultPolicyId;
}

/** Where escalation stands: the tier that fires next, in which loop, and when that loop started. */
export interface EscalationCursor {
  loop: number;
  tier: number;
  loopStartedAt: number;
}

const MINUTE = 60_000;

/** Returns the cursor of a fresh escalation starting at `now`. */
export function startEscalation(now: number): EscalationCursor {
  return { loop: 0, tier: 0, loopStartedAt: now };
}

/** Returns the epoch-ms instant at which the cursor's tier fires. */
export function fireTime(policy: EscalationPolicy, cursor: EscalationCursor): number {
  const tier = policy.tiers[cursor.tier];
  if (!tier) throw new RangeError(`policy ${policy.id} has no tier ${cursor.tier}`);
  return cursor.loopStartedAt + tier.delayMinutes * MINUTE;
}

/** Returns the cursor after the current tier fired at `firedAt`, or null when the last loop is done. */
export function advance(policy: EscalationPolicy, cursor: EscalationCursor, firedAt: number): EscalationCursor | null {
  if (cursor.tier + 1 < policy.tiers.length) return { ...cursor, tier: cursor.tier + 1 };
  if (cursor.loop >= policy.repeat) return null;
  // The next loop starts repeatDelay after the last tier fired; its tiers keep their offsets.
  return { loop: cursor.loop + 1, tier: 0, loopStartedAt: firedAt + policy.repeatDelayMinutes * MINUTE };
}

/** Returns the cursor shifted so its tier fires at `now` ("escalate now"); later tiers keep their spacing. */
export function escalateNow(policy: EscalationPolicy, cursor: EscalationCursor, now: number): EscalationCursor {
  const tier = policy.tiers[cursor.tier];
  if (!tier) throw new RangeError(`policy ${policy.id} has no tier ${cursor.tier}`);
  return { ...cursor, loopStartedAt: now - tier.delayMinutes * MINUTE };
}

/** Returns the instant the cursor's tier fires and the cursor after it (null: the last loop is done). */
export function fireTier(policy: EscalationPolicy, cursor: EscalationCursor): { at: number; next: EscalationCursor | null } {
  const at = fireTime(policy, cursor);
  return { at, next: advance(policy, cursor, at) };
}

/**
 * Returns how escalation goes on after the tier of `fired` paged `paged` addresses at `at`. A tier that
 * reached nobody (an empty schedule, a restriction gap) is never a silent drop: the next tier fires at
 * once, its spacing to later tiers kept, and `gap` says so for the timeline.
 */
export function afterTierPaged(
  policy: EscalationPolicy,
  fired: EscalationCursor,
  next: EscalationCursor | null,
  paged: number,
  at: number,
): { cursor: EscalationCursor | null; gap: string | null } {
  if (paged > 0 || !next) return { cursor: next, gap: null };
  return { cursor: escalateNow(policy, next, at), gap: fallThroughLine(fired, next, 'reached nobody') };
}

/** How one page stands, as escalation sees it: still being tried, delivered, failed for good, or stopped. */
export type PageOutcome = 'pending' | 'sent' | 'failed' | 'cancelled';

/**
 * Returns true when a tier paged someone and every one of its pages failed for good (a permanent provider
 * error, or retries that ran out): nobody can answer it, so its delay is not worth waiting out. A page
 * still being retried may yet arrive, and a delivered one may be answered: either keeps the tier's time.
 */
export function tierFailedForGood(outcomes: readonly PageOutcome[]): boolean {
  return outcomes.length > 0 && outcomes.every((o) => o === 'failed');
}

/**
 * Returns how escalation goes on when every page of the tier of `fired` failed for good at `at`: the
 * next tier (`next`, not yet due) fires at once, its spacing to later tiers kept, and `gap` says so.
 */
export function afterTierFailed(policy: EscalationPolicy, fired: EscalationCursor, next: EscalationCursor, at: number): { cursor: EscalationCursor; gap: string } {
  return { cursor: escalateNow(policy, next, at), gap: fallThroughLine(fired, next, 'failed on every page') };
}

function fallThroughLine(fired: EscalationCursor, next: EscalationCursor, why: string): string {
  return `tier ${fired.tier + 1} ${why}: falling through to tier ${next.tier + 1}${next.loop !== fired.loop ? ` of loop ${next.loop + 1}` : ''}`;
}

/** Returns the tier whose people an SLA mark pages: the tier that fired last, or the first if none has yet. */
export function responsibleTier(lastFired: { tier: number } | null): number {
  return lastFired?.tier ?? 0;
}

/** Returns when an alert acknowledged at `acknowledgedAt` and left alone goes back to `new`, or null (no ack timeout). */
export function ackTimeoutDeadline(policy: Pick<EscalationPolicy, 'ackTimeoutMinutes'> | null, acknowledgedAt: number): number | null {
  const minutes = policy?.ackTimeoutMinutes;
  return minutes ? acknowledgedAt + minutes * MINUTE : null;
}

/** Returns when an alert (re)opened at `openedAt` and not resolved is resolved by the system, or null (never). */
export function autoResolveDeadline(policy: Pick<EscalationPolicy, 'autoResolveMinutes'> | null, openedAt: number): number | null {
  const minutes = policy?.autoResolveMinutes;
  return minutes ? openedAt + minutes * MINUTE : null;
}

/** Returns the timeline line of an ack timeout. */
export function ackTimeoutReason(minutes: number): string {
  return `acknowledged for ${minutes} min without progress: escalation restarts`;
}

/** Returns the timeline line of an auto-resolve. */
export function autoResolveReason(minutes: number): string {
  return `auto-resolved: open for ${minutes} min`;
}

/** Returns a stable key for a target, used in idempotency keys and the notification log. */
export function targetKey(target: Target): string {
  switch (target.type) {
    case 'user':
      return `user:${target.id}`;
    case 'schedule':
      return `schedule:${target.id}`;
    case 'webhook':
      return `webhook:${target.url}`;
  }
}

/** Returns every problem with a policy's shape (empty when valid): ordering, empty tiers. */
export function policyProblems(policy: Pick<EscalationPolicy, 'tiers'>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (policy.tiers.length === 0) problems.push({ path: 'tiers', message: 'a policy needs at least one tier' });
  policy.tiers.forEach((tier, i) => {
    if (tier.targets.length === 0) problems.push({ path: `tiers.${i}.targets`, message: 'a tier needs at least one target' });
    const prev = policy.tiers[i - 1];
    if (prev && tier.delayMinutes < prev.delayMinutes) {
      problems.push({ path: `tiers.${i}.delay_minutes`, message: `must be ≥ the previous tier's ${prev.delayMinutes} (delays are offsets from the start of a loop)` });
    }
  });
  return problems;
}
