/**
 * Silences: which alerts a silence matches and when it holds them. A matching alert is recorded,
 * deduplicated and grouped as ever, but pages nobody while the silence holds; when it ends and the alert
 * is still `new`, escalation starts from the first tier, as if the alert had been triggered then.
 */
import { compilePattern, type BoundedPattern } from './bounded-regex';
import type { Severity } from './severity';

export const MATCHER_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatcherOp = (typeof MATCHER_OPS)[number];
export const MATCHER_FIELDS = ['service', 'severity', 'label'] as const;

/** One condition on an alert: its service, severity or one label compared with a value. */
export interface Matcher {
  field: (typeof MATCHER_FIELDS)[number];
  /** The label's name, for field `label`. */
  label?: string;
  op: MatcherOp;
  value: string;
}

/** What a silence matches on. */
export interface SilenceFacts {
  service: string;
  severity: Severity;
  labels: Record<string, string>;
}

/** A silence's window, epoch ms: it holds from `startsAt` (inclusive) to `endsAt` (exclusive). */
export interface SilenceWindow {
  startsAt: number;
  endsAt: number;
}

/** The longest a one-off silence may last: a maintenance window, not a way to switch an alert off. */
export const MAX_SILENCE_DAYS = 31;
/** The longest range a recurring silence's occurrences may fall in. */
export const MAX_RECURRING_DAYS = 366;

/** Returns why the matcher is refused (a value JS would backtrack on, an unknown field), or null. */
export function matcherProblem(m: Matcher): string | null {
  if (m.field === 'label' && !m.label) return 'a label matcher names its label';
  if (m.field !== 'label' && m.label !== undefined) return `a ${m.field} matcher takes no label`;
  if (m.op === '=~' || m.op === '!~') {
    const compiled = compilePattern(m.value);
    if (!compiled.ok) return compiled.problem;
  }
  return null;
}

/** Returns why the window is refused (empty, inverted, too long), or null. */
export function windowProblem(w: SilenceWindow, recurring = false): string | null {
  if (!(w.endsAt > w.startsAt)) return 'ends_at must be after starts_at';
  const days = recurring ? MAX_RECURRING_DAYS : MAX_SILENCE_DAYS;
  if (w.endsAt - w.startsAt > days * 86_400_000)
    return `a ${recurring ? 'recurring ' : ''}silence lasts at most ${days} days`;
  return null;
}

/** Returns a test of alerts against every matcher (all must hold); throws on a matcher matcherProblem refuses. */
export function silenceMatcher(matchers: readonly Matcher[]): (facts: SilenceFacts) => boolean {
  const tests = matchers.map((m) => {
    const read = (f: SilenceFacts): string | undefined =>
      m.field === 'service' ? f.service : m.field === 'severity' ? f.severity : f.labels[m.label!];
    if (m.op === '=' || m.op === '!=') {
      const equal = m.op === '=';
      // A missing label compares as the empty string, as Alertmanager's matchers do.
      return (f: SilenceFacts) => ((read(f) ?? '') === m.value) === equal;
    }
    const compiled = compilePattern(m.value);
    if (!compiled.ok) throw new Error(`matcher ${m.field} ${m.op}: ${compiled.problem}`);
    const pattern: BoundedPattern = compiled.pattern;
    const wanted = m.op === '=~';
    return (f: SilenceFacts) => pattern.test(read(f) ?? '') === wanted;
  });
  return (facts) => tests.every((t) => t(facts));
}

/** Returns whether the window holds at `now`. */
export const silenceHolds = (w: SilenceWindow, now: number) => w.startsAt <= now && now < w.endsAt;

/**
 * Returns the silence an alert triggered at `now` is held by: of the windows not yet over, the one
 * holding now that ends last, else the next to start (its start will hold the alert then).
 */
export function silenceFor<T extends SilenceWindow>(windows: readonly T[], now: number): T | undefined {
  const live = windows.filter((w) => w.endsAt > now);
  const holding = live.filter((w) => silenceHolds(w, now)).sort((a, b) => b.endsAt - a.endsAt)[0];
  return holding ?? live.sort((a, b) => a.startsAt - b.startsAt)[0];
}

export const silencedReason = (id: string, endsAt: number, why: string) =>
  `silenced until ${new Date(endsAt).toISOString()} by silence ${id}: ${why}`;
export const silenceEndedReason = (id: string, escalating: boolean) =>
  `silence ${id} ended${escalating ? ': escalating from the first tier' : ''}`;
