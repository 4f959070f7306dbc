/**
 * SLA rules: per-severity time-to-acknowledge (TTA) and time-to-resolve (TTR) targets, the deadlines of
 * their "at risk" and "breached" marks, and which marks still matter for an alert. Pure: times are
 * epoch milliseconds passed in.
 */
import type { Severity } from './severity';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface SlaTargets {
  ttaMs: number;
  ttrMs: number;
}

/** The spec's defaults: critical 5 min / 1 h, high 15 min / 4 h, medium 1 h / 24 h, low 4 h / 72 h, info 24 h / 7 d. */
export const DEFAULT_SLA_TARGETS: Readonly<Record<Severity, SlaTargets>> = {
  critical: { ttaMs: 5 * MINUTE, ttrMs: 1 * HOUR },
  high: { ttaMs: 15 * MINUTE, ttrMs: 4 * HOUR },
  medium: { ttaMs: 1 * HOUR, ttrMs: 24 * HOUR },
  low: { ttaMs: 4 * HOUR, ttrMs: 72 * HOUR },
  info: { ttaMs: 24 * HOUR, ttrMs: 7 * 24 * HOUR },
};

export const SLA_MARKS = ['tta_at_risk', 'tta_breached', 'ttr_at_risk', 'ttr_breached'] as const;
export type SlaMark = (typeof SLA_MARKS)[number];

export interface SlaOverride {
  service: string;
  severity: Severity;
  ttaMs: number;
  ttrMs: number;
}

/** Returns the targets for an alert: a per-service override for its severity, else the default. */
export function slaTargetsFor(severity: Severity, service: string, overrides: readonly SlaOverride[]): SlaTargets {
  const o = overrides.find((x) => x.service === service && x.severity === severity);
  return o ? { ttaMs: o.ttaMs, ttrMs: o.ttrMs } : DEFAULT_SLA_TARGETS[severity];
}

export type SlaDeadlines = Record<SlaMark, number>;

/** Returns the epoch-ms instant of each mark: at risk at `atRiskFraction` of a target, breached at 100%. */
export function slaDeadlines(triggeredAt: number, targets: SlaTargets, atRiskFraction: number): SlaDeadlines {
  if (!(atRiskFraction > 0 && atRiskFraction < 1)) throw new RangeError(`atRiskFraction must be in (0, 1), got ${atRiskFraction}`);
  return {
    tta_at_risk: triggeredAt + Math.round(targets.ttaMs * atRiskFraction),
    tta_breached: triggeredAt + targets.ttaMs,
    ttr_at_risk: triggeredAt + Math.round(targets.ttrMs * atRiskFraction),
    ttr_breached: triggeredAt + targets.ttrMs,
  };
}

/** What the marks depend on: when the alert was first acknowledged (or resolved) and whether it is resolved now. */
export interface SlaProgress {
  /** First acknowledge, investigate or resolve: a direct resolve is a response too. */
  respondedAt: number | null;
  resolved: boolean;
  fired: readonly SlaMark[];
}

/** Returns true while a mark can still fire: TTA marks until the first response, TTR marks while unresolved. */
export function markIsLive(mark: SlaMark, p: SlaProgress): boolean {
  if (p.fired.includes(mark)) return false;
  if (p.resolved) return false;
  return mark.startsWith('tta') ? p.respondedAt === null : true;
}

/** Returns the live marks in deadline order (ties: at-risk before breached, TTA before TTR). */
export function pendingMarks(deadlines: SlaDeadlines, p: SlaProgress): { mark: SlaMark; at: number }[] {
  return SLA_MARKS.filter((m) => markIsLive(m, p))
    .map((mark) => ({ mark, at: deadlines[mark] }))
    .sort((a, b) => a.at - b.at || tieRank(a.mark) - tieRank(b.mark));
}

const tieRank = (m: SlaMark) => (m.endsWith('at_risk') ? 0 : 2) + (m.startsWith('tta') ? 0 : 1);

/** Returns the kind of page a mark sends, and which target it concerns. */
export function slaPageOf(mark: SlaMark): { kind: 'sla_at_risk' | 'sla_breached'; slaKind: 'tta' | 'ttr' } {
  return { kind: mark.endsWith('breached') ? 'sla_breached' : 'sla_at_risk', slaKind: mark.startsWith('tta') ? 'tta' : 'ttr' };
}

/** Returns the timeline line of a mark that fired. */
export function slaMarkReason(mark: SlaMark, deadline: number): string {
  return `${mark.startsWith('tta') ? 'time to acknowledge' : 'time to resolve'} ${mark.endsWith('breached') ? 'breached' : 'at risk'} (deadline ${new Date(deadline).toISOString()})`;
}

export type SlaStatus = 'met' | 'breached' | 'at_risk' | 'ok';

/** Returns the TTA or TTR status at `now`: met/breached once measured, else at_risk/breached/ok by the clock. */
export function slaStatus(kind: 'tta' | 'ttr', deadlines: SlaDeadlines, measuredAt: number | null, now: number): SlaStatus {
  const breach = deadlines[`${kind}_breached`];
  if (measuredAt !== null) return measuredAt <= breach ? 'met' : 'breached';
  if (now >= breach) return 'breached';
  return now >= deadlines[`${kind}_at_risk`] ? 'at_risk' : 'ok';
}
