/**
 * Layer restrictions: weekly time-of-day windows in the schedule's zone outside which a layer contributes
 * nobody. Windows are judged on the local wall clock, so on a DST day a window inside the gap never opens
 * and a window inside the overlap is open twice.
 */
import type { Layer, Restriction } from './types';
import { DAY, MINUTE, isoWeekday, offsetAt, transitionsBetween, wallAt, zoneFor, type Zone } from './zone';

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

/** Returns whether a wall-clock time falls inside any window (true when there are none). */
export function wallInWindows(windows: readonly WeekWindow[], wall: number): boolean {
  if (windows.length === 0) return true;
  const day = Math.floor(wall / DAY);
  const inWeek = (isoWeekday(day) - 1) * DAY + (wall - day * DAY);
  // Sunday's overnight window ends in the next week's Monday: test the time one week later too.
  return windows.some(
    (w) => (inWeek >= w.start && inWeek < w.end) || (inWeek + WEEK >= w.start && inWeek + WEEK < w.end),
  );
}

/** Returns whether the layer may put someone on call at the instant: no restrictions, or inside a window. */
export function inRestriction(layer: Layer, timeZone: string, instant: number): boolean {
  const zone = zoneFor(timeZone);
  const windows = weekWindows(layer.id, layer.restrictions);
  return wallInWindows(windows, wallAt(zone, instant));
}

/**
 * Returns the instants in [from, to) where a window opens or closes. Within a stretch of constant offset
 * the wall clock moves with real time, so each wall edge maps to one instant there; the offset changes
 * themselves are returned too, since a window can open or close by the clock jumping over its edge.
 */
export function windowEdgesBetween(
  zone: Zone,
  windows: readonly WeekWindow[],
  from: number,
  to: number,
): number[] {
  const out: number[] = [];
  if (windows.length === 0 || !(to > from)) return out;
  const cuts = [from, ...transitionsBetween(zone, from, to).map((t) => t.at), to];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i]!;
    const b = cuts[i + 1]!;
    if (i > 0) out.push(a);
    const o = offsetAt(zone, a);
    const wallFrom = a + o;
    const wallTo = b + o;
    const fromDay = Math.floor(wallFrom / DAY);
    // Start a week early so windows that began last week and end inside the range are seen.
    for (let week = (fromDay - (isoWeekday(fromDay) - 1) - 7) * DAY; week < wallTo; week += WEEK) {
      for (const w of windows) {
        for (const edge of [week + w.start, week + w.end])
          if (edge >= wallFrom && edge < wallTo) out.push(edge - o);
      }
    }
  }
  return out;
}
