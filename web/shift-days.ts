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
