/**
 * Time-zone arithmetic for the on-call rules: UTC offsets, wall-clock ↔ instant conversion with one fixed
 * rule for DST gaps and overlaps, and the offset transitions inside a range. "Wall" values are the local
 * wall-clock time written as if it were UTC epoch ms (so calendar arithmetic is plain integer arithmetic).
 */
import { IANAZone } from 'luxon';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An offset change: from `at` (epoch ms, inclusive) the zone is `offset` ms ahead of UTC. */
export interface Transition {
  at: number;
  offset: number;
}

/** One UTC day's offsets: a number when constant all day, else the offset at its start and the changes. */
type DayOffsets = number | { start: number; changes: Transition[] };

/**
 * A zone with a memo of its offsets per UTC day. luxon's `IANAZone.offset` formats a date through Intl on
 * every call (≈10 µs here), and one lookup needs several offsets; the memo makes repeat lookups a map read.
 * It assumes a zone never changes offset twice within one UTC day and ends where it began, which holds
 * for every tzdb zone in modern times (transitions are months apart).
 */
export interface Zone {
  readonly name: string;
  readonly iana: IANAZone;
  readonly dayStarts: Map<number, number>;
  readonly days: Map<number, DayOffsets>;
}

const zones = new Map<string, Zone>();

/** Returns the memoised zone for an IANA name; throws RangeError for a name the runtime does not know. */
export function zoneFor(name: string): Zone {
  let zone = zones.get(name);
  if (!zone) {
    if (!IANAZone.isValidZone(name)) throw new RangeError(`unknown time zone '${name}'`);
    zone = { name, iana: IANAZone.create(name), dayStarts: new Map(), days: new Map() };
    zones.set(name, zone);
  }
  return zone;
}

function rawOffset(zone: Zone, t: number): number {
  // luxon answers in minutes; keep whole milliseconds so wall arithmetic stays exact.
  return Math.round(zone.iana.offset(t) * MINUTE);
}

function dayStartOffset(zone: Zone, day: number): number {
  let o = zone.dayStarts.get(day);
  if (o === undefined) {
    o = rawOffset(zone, day * DAY);
    zone.dayStarts.set(day, o);
  }
  return o;
}

function dayOffsets(zone: Zone, day: number): DayOffsets {
  let entry = zone.days.get(day);
  if (entry === undefined) {
    const start = dayStartOffset(zone, day);
    const end = dayStartOffset(zone, day + 1);
    if (start === end) entry = start;
    else {
      // Bisect for the first millisecond with the new offset: lo has the old offset, hi the new one.
      let lo = day * DAY;
      let hi = (day + 1) * DAY;
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (rawOffset(zone, mid) === start) lo = mid;
        else hi = mid;
      }
      entry = { start, changes: [{ at: hi, offset: end }] };
    }
    zone.days.set(day, entry);
  }
  return entry;
}

/** Returns how many ms the zone's wall clock is ahead of UTC at the instant. */
export function offsetAt(zone: Zone, t: number): number {
  const entry = dayOffsets(zone, Math.floor(t / DAY));
  if (typeof entry === 'number') return entry;
  let o = entry.start;
  for (const c of entry.changes) if (t >= c.at) o = c.offset;
  return o;
}

/** Returns the wall-clock time (as UTC-style epoch ms) of the instant in the zone. */
export function wallAt(zone: Zone, t: number): number {
  return t + offsetAt(zone, t);
}

/**
 * Returns the instant a wall-clock time denotes. The DST rule, the same as luxon's for gaps and
 * Temporal's 'compatible' disambiguation: a wall time that does not exist (spring-forward gap) is read
 * with the offset from before the gap, so it moves forward by the gap length (02:30 → 03:30 on the US
 * spring-forward day); a wall time that exists twice (fall-back overlap) takes the earlier instant (the
 * daylight-time 01:30 on the US fall-back day). luxon itself resolves overlaps by a guess that depends
 * on the current date or the offset being added to, so it is not used for this step.
 */
export function wallToInstant(zone: Zone, wall: number): number {
  // Every real offset lies within ±1 day, so these are the offsets on either side of any nearby change.
  const before = offsetAt(zone, wall - DAY);
  const after = offsetAt(zone, wall + DAY);
  if (before === after) return wall - before;
  const a = wall - before;
  const b = wall - after;
  const aValid = offsetAt(zone, a) === before;
  const bValid = offsetAt(zone, b) === after;
  if (aValid && bValid) return Math.min(a, b);
  if (aValid) return a;
  if (bValid) return b;
  return a; // a gap: the pre-gap offset lands past the gap, by exactly its length
}

/** Returns the offset changes at instants in [from, to), in order. */
export function transitionsBetween(zone: Zone, from: number, to: number): Transition[] {
  const out: Transition[] = [];
  if (!(to > from)) return out;
  const last = Math.floor((to - 1) / DAY);
  for (let day = Math.floor(from / DAY); day <= last; day++) {
    const entry = dayOffsets(zone, day);
    if (typeof entry === 'number') continue;
    for (const c of entry.changes) if (c.at >= from && c.at < to) out.push(c);
  }
  return out;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a wall-clock day number (days since 1970-01-01, a Thursday). */
export function isoWeekday(wallDay: number): number {
  return ((((wallDay + 3) % 7) + 7) % 7) + 1;
}
