/**
 * Dates and times in a named IANA zone with the browser's Intl alone (luxon would double the bundle):
 * wall-clock parts of an instant, the instant of a wall-clock time, the days a range covers, and labels.
 */

/** The browser's own zone: where "the viewer's time" is. */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();

/** Returns the wall-clock fields of `ms` in `zone`. */
export function wallClock(
  ms: number,
  zone: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  let format = partsFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormats.set(zone, format);
  }
  const field = (type: string) => Number(format.formatToParts(ms).find((p) => p.type === type)?.value);
  return {
    year: field('year'),
    month: field('month'),
    day: field('day'),
    hour: field('hour'),
    minute: field('minute'),
    second: field('second'),
  };
}

/** Returns how far `zone`'s wall clock is ahead of UTC at `ms`, in milliseconds. */
function offsetAt(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ms - (ms % 1000));
}

/**
 * Returns the instant a wall-clock time in `zone` names. A time skipped by a DST jump moves forward by the
 * jump (as clocks do); a repeated one is its first occurrence.
 */
export function instantOf(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  zone: string,
): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // Two rounds settle it: the offset at the first guess, then at the corrected instant.
  const first = asUtc - offsetAt(asUtc, zone);
  const second = asUtc - offsetAt(first, zone);
  if (second === first) return first;
  // Around a change the two disagree; the earlier offset's reading is the first occurrence.
  const earlier = Math.min(first, second);
  return wallClock(earlier, zone).hour === hour ? earlier : Math.max(first, second);
}

/** Parses an <input type="datetime-local"> value ("2026-03-02T09:00") as a time in `zone`; null if not one. */
export function parseLocalInput(value: string, zone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  return instantOf(year, month, day, hour, minute, zone);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Returns the datetime-local value showing `ms` in `zone`, to the minute. */
export function localInputValue(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** One calendar day in a zone: its label key, and the instants it starts and ends at. */
export interface ZonedDay {
  key: string;
  start: number;
  end: number;
}

/** Returns the `count` days in `zone` from the one holding `ms` (a DST day is 23 or 25 hours long). */
export function daysFrom(ms: number, count: number, zone: string): ZonedDay[] {
  const today = wallClock(ms, zone);
  const days: ZonedDay[] = [];
  for (let i = 0; i < count; i++) {
    // Date.UTC rolls day 32 over into the next month, so plain day arithmetic walks the calendar.
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + i));
    const next = new Date(Date.UTC(today.year, today.month - 1, today.day + i + 1));
    const at = (d: Date) => instantOf(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, zone);
    days.push({ key: date.toISOString().slice(0, 10), start: at(date), end: at(next) });
  }
  return days;
}

/** Returns "Mon 2 Mar"-style text for a day in the user's language. */
export function dayLabel(day: ZonedDay, zone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    weekday: 'long',
    day: 'numeric',
    month: 'short',
  }).format(day.start);
}

/** Returns the time of day of `ms` in `zone` ("09:00"), in the user's language. */
export function timeLabel(ms: number, zone: string): string {
  return new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(
    ms,
  );
}

/** Returns the date and time of `ms` in `zone`, with the zone's short name. */
export function dateTimeLabel(ms: number, zone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(ms);
}
