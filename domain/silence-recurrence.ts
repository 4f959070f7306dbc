/**
 * Recurring silences: "every Sunday 02:00 for 120 minutes in America/New_York". Each occurrence begins
 * at the local start time and ends at the local time `durationMinutes` later on the wall clock, read
 * with the on-call rule for DST (domain/oncall/zone.ts wallToInstant): a time in a spring-forward gap
 * moves forward by the gap, a repeated time is its first occurrence. So 02:00–04:00 on the US
 * spring-forward Sunday holds 03:00–04:00 EDT (one hour), and on the fall-back Sunday 02:00–04:00 EST
 * (two hours, the repeated 01:00–02:00 before it not included).
 */
import { DAY, MINUTE, isoWeekday, wallAt, wallToInstant, zoneFor } from './oncall/zone';
import type { SilenceWindow } from './silence';

export interface Recurrence {
  /** ISO weekdays the occurrence starts on: 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  /** Local start time, HH:MM (24 h). */
  start: string;
  durationMinutes: number;
  /** IANA time zone the times are read in. */
  timeZone: string;
}

/** The longest one occurrence may last: a week, so that occurrences of one weekday never overlap. */
export const MAX_OCCURRENCE_MINUTES = 7 * 24 * 60;
/** How many occurrences an alert is handed at once (it holds each in turn). */
export const OCCURRENCES_AHEAD = 8;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Returns why the recurrence is refused, naming its field, or null. */
export function recurrenceProblem(r: Recurrence): { field: keyof Recurrence; message: string } | null {
  if (!HHMM.test(r.start)) return { field: 'start', message: 'must be a local time HH:MM (00:00 to 23:59)' };
  try {
    zoneFor(r.timeZone);
  } catch {
    return { field: 'timeZone', message: 'not an IANA time zone (e.g. America/New_York)' };
  }
  return null;
}

/** Returns the occurrences overlapping [from, to), each clipped to the silence's range, in order. */
export function occurrences(r: Recurrence, range: SilenceWindow, from: number, to: number): SilenceWindow[] {
  const zone = zoneFor(r.timeZone);
  const [h, m] = r.start.split(':').map(Number) as [number, number];
  const startOfDay = (h * 60 + m) * MINUTE;
  const days = new Set(r.weekdays);
  const out: SilenceWindow[] = [];
  const lo = Math.max(from, range.startsAt);
  const hi = Math.min(to, range.endsAt);
  if (!(hi > lo)) return out;
  // Occurrences that started up to their longest duration before `lo` may still hold at lo.
  const firstDay = Math.floor((wallAt(zone, lo) - r.durationMinutes * MINUTE) / DAY) - 1;
  const lastDay = Math.floor(wallAt(zone, hi) / DAY) + 1;
  for (let day = firstDay; day <= lastDay; day++) {
    if (!days.has(isoWeekday(day))) continue;
    const wallStart = day * DAY + startOfDay;
    const startsAt = wallToInstant(zone, wallStart);
    const endsAt = Math.max(wallToInstant(zone, wallStart + r.durationMinutes * MINUTE), startsAt + MINUTE);
    const clipped = { startsAt: Math.max(startsAt, range.startsAt), endsAt: Math.min(endsAt, range.endsAt) };
    if (clipped.endsAt > lo && clipped.startsAt < hi && clipped.endsAt > clipped.startsAt) out.push(clipped);
  }
  return out;
}

/** Returns the occurrence holding at `now` or the next ones after it, at most `count` of them. */
export function upcomingOccurrences(
  r: Recurrence,
  range: SilenceWindow,
  now: number,
  count = OCCURRENCES_AHEAD,
): SilenceWindow[] {
  // Every weekday set has an occurrence in any 7 days; `count` weeks and a day cover `count` of them.
  return occurrences(r, range, now, now + (count + 1) * 7 * DAY).slice(0, count);
}

/** Returns a silence's windows from `now` on: its one window, or its occurrences holding now and next. */
export function windowsFrom(
  range: SilenceWindow,
  recurrence: Recurrence | null,
  now: number,
): SilenceWindow[] {
  if (recurrence) return upcomingOccurrences(recurrence, range, now);
  return range.endsAt > now ? [range] : [];
}
