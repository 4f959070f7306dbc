/**
 * Schedule answers: who is on call at an instant, the merged shifts in a range, and the next handoff.
 * The on-call set is piecewise constant: it can only change at a layer's shift start, a restriction
 * window edge, a UTC-offset change or an override's start or end. shifts() and nextHandoff() evaluate
 * the set once per piece between those instants instead of stepping through time.
 */
import { activeOverrides, applyOverrides } from './overrides';
import { weekWindows, windowCheck, windowEdgesBetween, type WeekWindow } from './restrictions';
import { planRotation, shiftIndexAt, shiftStartsBetween, type RotationPlan } from './rotation';
import type { OnCallEntry, Override, Schedule, Shift } from './types';
import { DAY, zoneFor, type Zone } from './zone';

/** A schedule parsed once for many evaluations (shifts() evaluates hundreds of instants). */
interface Compiled {
  zone: Zone;
  /** Highest layer first: the first with someone on call wins. */
  layers: { id: string; plan: RotationPlan; windows: WeekWindow[]; inWindow: (instant: number) => boolean }[];
  overrides: readonly Override[];
}

function compile(schedule: Schedule): Compiled {
  const zone = zoneFor(schedule.timeZone);
  const layers = schedule.layers
    .map((layer) => {
      const windows = weekWindows(layer.id, layer.restrictions);
      return { id: layer.id, plan: planRotation(layer, schedule.timeZone), windows, inWindow: windowCheck(zone, windows) };
    })
    .reverse();
  return { zone, layers, overrides: schedule.overrides };
}

function evaluate(c: Compiled, instant: number): OnCallEntry[] {
  let base: OnCallEntry[] = [];
  for (const { id, plan, inWindow } of c.layers) {
    const n = plan.participants.length;
    if (n === 0) continue;
    const k = shiftIndexAt(plan, instant);
    if (k < 0 || !inWindow(instant)) continue;
    base = [{ userId: plan.participants[k % n]!, layerId: id }];
    break;
  }
  return applyOverrides(base, activeOverrides(c.overrides, instant));
}

/** Returns the instants in [from, to) at which the on-call set may change, sorted and unique. */
function changePoints(c: Compiled, from: number, to: number): number[] {
  const points: number[] = [];
  for (const { plan, windows } of c.layers) {
    for (const t of shiftStartsBetween(plan, from, to)) points.push(t);
    for (const t of windowEdgesBetween(c.zone, windows, from, to)) points.push(t);
  }
  for (const o of c.overrides) {
    if (o.start >= from && o.start < to) points.push(o.start);
    if (o.end >= from && o.end < to) points.push(o.end);
  }
  points.sort((a, b) => a - b);
  return points.filter((t, i) => i === 0 || t !== points[i - 1]);
}

/** Returns who is on call at the instant, sorted by userId, each with the layer or override that put them there. */
export function onCallAt(schedule: Schedule, instant: number): OnCallEntry[] {
  return evaluate(compile(schedule), instant);
}

/** Returns the set's user ids in order (evaluate() sorts them), for comparing two sets. */
function idsOf(entries: readonly OnCallEntry[]): string {
  return entries.map((e) => e.userId).join('\u0000');
}

/**
 * Returns the final shifts in [from, to), sorted by start then userId. Pieces where the same user stays
 * on call are merged into one shift even when what keeps them there changes (one layer to another, or a
 * layer to an override): a person's shift is the time they carry the pager. A merged shift lists every
 * source with the part it covers (`sources`); `layerId`/`overrideId` name the first. Shifts are
 * clipped to [from, to).
 */
export function shifts(schedule: Schedule, from: number, to: number): Shift[] {
  if (!(to > from)) return [];
  const c = compile(schedule);
  const bounds = changePoints(c, from, to);
  if (bounds[0] !== from) bounds.unshift(from);
  bounds.push(to);
  const open = new Map<string, Shift>();
  const out: Shift[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const a = bounds[i]!;
    const b = bounds[i + 1]!;
    for (const e of evaluate(c, a)) {
      const current = open.get(e.userId);
      const from = source(e);
      if (current && current.end === a) {
        current.end = b;
        const last = current.sources.at(-1)!;
        if (last.layerId === from.layerId && last.overrideId === from.overrideId) last.end = b;
        else current.sources.push({ ...from, start: a, end: b });
      } else {
        const shift: Shift = { userId: e.userId, start: a, end: b, ...from, sources: [{ ...from, start: a, end: b }] };
        open.set(e.userId, shift);
        out.push(shift);
      }
    }
  }
  // Already sorted: shifts open in segment order, and within a segment in evaluate()'s userId order.
  return out;
}

function source(e: OnCallEntry): Pick<Shift, 'layerId' | 'overrideId'> {
  return e.overrideId !== undefined
    ? { overrideId: e.overrideId }
    : e.layerId !== undefined
      ? { layerId: e.layerId }
      : {};
}

/**
 * Returns the first instant after `instant`, up to and including `instant + horizonMs`, at which the set
 * of user ids on call differs from the set at `instant`; null if there is none.
 */
export function nextHandoff(schedule: Schedule, instant: number, horizonMs = 366 * DAY): number | null {
  const c = compile(schedule);
  const now = idsOf(evaluate(c, instant));
  const last = instant + horizonMs;
  // Look a day ahead first and widen the window: most handoffs are near, and the candidate instants of a
  // long window cost time to generate.
  let chunk = DAY;
  for (let from = instant + 1; from <= last; from += chunk, chunk = Math.min(chunk * 2, 32 * DAY)) {
    const to = Math.min(from + chunk, last + 1);
    for (const t of changePoints(c, from, to)) if (idsOf(evaluate(c, t)) !== now) return t;
    if (to === last + 1) break;
  }
  return null;
}
