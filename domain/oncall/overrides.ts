/**
 * Overrides applied on top of the layers' on-call set. Active overrides (start ≤ instant < end) apply one
 * after another in the order (start asc, createdAt asc, id asc): the most recently begun override acts
 * last, so it wins where two overlap, and overrides beginning together apply in creation order. The id
 * only breaks exact ties, so the result never depends on the order the overrides were stored in.
 */
import type { OnCallEntry, Override } from './types';

/** Compares strings by UTF-16 code units: locale-independent, so every process sorts the same way. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders overrides by application order: start, then createdAt, then id. */
export function overrideOrder(a: Override, b: Override): number {
  return a.start - b.start || a.createdAt - b.createdAt || byCodeUnit(a.id, b.id);
}

/** Returns the overrides active at the instant, in application order. */
export function activeOverrides(overrides: readonly Override[], instant: number): Override[] {
  return overrides.filter((o) => o.start <= instant && instant < o.end).sort(overrideOrder);
}

/**
 * Returns the on-call set after applying the overrides in the order given. Per kind:
 * - replace with `replaces`: if that user is on call, they leave and `userId` joins; otherwise nothing.
 * - replace without `replaces`: `userId` becomes the only one on call.
 * - add: `userId` joins. remove: `replaces` leaves.
 * A user already on call keeps the entry that put them there (no duplicates). An override missing the
 * user it needs (replace/add without `userId`, remove without `replaces`) changes nothing: the API refuses
 * those, and guessing an intent here would page the wrong person.
 */
export function applyOverrides(base: readonly OnCallEntry[], ordered: readonly Override[]): OnCallEntry[] {
  if (ordered.length === 0) return [...base];
  const set = new Map<string, OnCallEntry>(base.map((e) => [e.userId, e]));
  for (const o of ordered) {
    const join = () => {
      if (o.userId !== undefined && !set.has(o.userId))
        set.set(o.userId, { userId: o.userId, overrideId: o.id });
    };
    if (o.kind === 'replace') {
      if (o.userId === undefined) continue;
      if (o.replaces === undefined) {
        set.clear();
        join();
      } else if (set.delete(o.replaces)) join();
    } else if (o.kind === 'add') join();
    else if (o.replaces !== undefined) set.delete(o.replaces);
  }
  return [...set.values()].sort((a, b) => byCodeUnit(a.userId, b.userId));
}
