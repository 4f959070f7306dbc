/**
 * Layer restrictions: weekly time-of-day windows in the schedule's zone outside which a layer contributes
 * nobody. Each window's start and end are wall-clock times read by the one DST rule every local time
 * follows (zone.ts wallToInstant, as handoffs are): a time inside a spring-forward gap moves forward by
 * the gap, a time that occurs twice in a fall-back overlap is its first occurrence. So a window inside
 * the gap opens an hour late for its usual length, and a window inside the repeated hour is open once.
 */
import type { Layer, Restriction } from './types';
import { DAY, MINUTE, isoWeekday, wallAt, wallToInstant, zoneFor, type Zone } from './zone';

const WEEK = 7 * DAY;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A window as wall-clock ms from Monday 00:00: [start, end), where end may pass the week's end (wrap). */
export interface WeekWindow {
  start: number;
  end: number;
}

function parseTime(text: string, allow24: boolean, what: string): number {
  if (allow24 && text === '24:00') return DAY;
  const m = HHMM.exec(text);
  if (!m) throw new RangeError(`${what}: expected 'HH:mm'${allow24 ? " or '24:00'" : ''}, got '${text}'`);
  return (Number(m[1]) * 60 + Number(m[2])) * MINUTE;
}

/** Returns the restrictions as week windows; throws RangeError for a bad weekday or time. */
export function weekWindows(layerId: string, restrictions: readonly Restriction[]): WeekWindow[] {
  return restrictions.map((r, i) => {
    const what = `layer ${layerId} restriction ${i}`;
    if (!Number.isInteger(r.weekday) || r.weekday < 1 || r.weekday > 7) {
      throw new RangeError(`${what}: weekday must be 1 (Monday) … 7 (Sunday), got ${r.weekday}`);
    }
    const dayStart = (r.weekday - 1) * DAY;
    const start = parseTime(r.start, false, what);
    const end = parseTime(r.end, true, what);
    // end ≤ start runs past midnight into the next day (so start = end is a full 24 hours).
    return { start: dayStart + start, end: dayStart + end + (end <= start ? DAY : 0) };
  });
}

/** Returns the Monday 00:00 (wall clock) of the week holding a wall-clock time. */
function weekOf(wall: number): number {
  const day = Math.floor(wall / DAY);
  return (day - (isoWeekday(day) - 1)) * DAY;
}

/**
 * Returns each window's occurrences as instants [start, end) for the weeks whose Monday is in
 * [fromWeek, toWeek] (wall clock), the edges read by the DST rule.
 */
function occurrences(zone: Zone, windows: readonly WeekWindow[], fromWeek: number, toWeek: number): [number, number][] {
  const out: [number, number][] = [];
  for (let week = fromWeek; week <= toWeek; week += WEEK)
    for (const w of windows) out.push([wallToInstant(zone, week + w.start), wallToInstant(zone, week + w.end)]);
  return out;
}

/**
 * Returns a check of whether an instant falls inside any window's occurrence (always true when there
 * are none). Each week's occurrences are worked out once, so shifts() can ask at every piece's start.
 */
export function windowCheck(zone: Zone, windows: readonly WeekWindow[]): (instant: number) => boolean {
  if (windows.length === 0) return () => true;
  const weeks = new Map<number, [number, number][]>();
  const of = (week: number) => {
    let found = weeks.get(week);
    if (!found) weeks.set(week, (found = occurrences(zone, windows, week, week)));
    return found;
  };
  return (instant) => {
    // A window may run past its week's end (Sunday overnight): last week's occurrences count too.
    const week = weekOf(wallAt(zone, instant));
    return [week - WEEK, week].some((w) => of(w).some(([a, b]) => instant >= a && instant < b));
  };
}

/** Returns whether the layer may put someone on call at the instant: no restrictions, or inside a window. */
export function inRestriction(layer: Layer, timeZone: string, instant: number): boolean {
  return windowCheck(zoneFor(timeZone), weekWindows(layer.id, layer.restrictions))(instant);
}

/** Returns the instants in [from, to) where a window opens or closes. */
export function windowEdgesBetween(
  zone: Zone,
  windows: readonly WeekWindow[],
  from: number,
  to: number,
): number[] {
  if (windows.length === 0 || !(to > from)) return [];
  // A week early, so windows that began last week and end inside the range are seen; a DST shift moves
  // an edge by at most a few hours, so the weeks of the range's wall-clock ends cover every edge in it.
  const edges = occurrences(zone, windows, weekOf(wallAt(zone, from)) - WEEK, weekOf(wallAt(zone, to))).flat();
  return edges.filter((t) => t >= from && t < to);
}
