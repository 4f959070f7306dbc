/** The schedules calendar's rule: each day of the displayed zone lists the parts of the shifts it holds. */
import type { ZonedDay } from './zoned-time.js';

export interface Shift {
  user_id: string;
  start: string;
  end: string;
  layer_id: string | null;
  override_id: string | null;
}

/** A shift as one day shows it: clipped to the day, and whether it goes on before or after the day. */
export interface DayShift {
  shift: Shift;
  start: number;
  end: number;
  continuesBefore: boolean;
  continuesAfter: boolean;
}

/** Returns each day with the shifts that overlap it, clipped to the day, in time order. */
export function shiftsByDay(days: ZonedDay[], shifts: Shift[]): { day: ZonedDay; shifts: DayShift[] }[] {
  const spans = shifts
    .map((shift) => ({ shift, from: Date.parse(shift.start), to: Date.parse(shift.end) }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
  return days.map((day) => ({
    day,
    shifts: spans
      .filter((s) => s.from < day.end && s.to > day.start)
      .map((s) => ({
        shift: s.shift,
        start: Math.max(s.from, day.start),
        end: Math.min(s.to, day.end),
        continuesBefore: s.from < day.start,
        continuesAfter: s.to > day.end,
      })),
  }));
}

/**
 * Returns the time text a day shows for one of its shift parts: a part that starts or ends at the day's
 * midnight says "from midnight" / "until midnight" (never "00:00", which reads as the wrong day's
 * start), and a part covering the whole day says "all day". `time` formats an instant as a time of day.
 */
export function dayShiftTime(part: DayShift, day: ZonedDay, time: (ms: number) => string): string {
  const fromMidnight = part.continuesBefore || part.start <= day.start;
  const untilMidnight = part.continuesAfter || part.end >= day.end;
  if (fromMidnight && untilMidnight) {
    if (part.continuesBefore && !part.continuesAfter) return 'until midnight';
    if (part.continuesAfter && !part.continuesBefore) return 'from midnight onwards';
    return 'all day';
  }
  if (part.continuesBefore) return `until ${time(part.end)}`;
  if (fromMidnight) return `from midnight to ${time(part.end)}`;
  if (part.continuesAfter) return `${time(part.start)} onwards`;
  if (untilMidnight) return `${time(part.start)} until midnight`;
  return `${time(part.start)}–${time(part.end)}`;
}
