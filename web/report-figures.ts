/**
 * The arithmetic behind the Admin reports: the period asked of the API, bar lengths, met percentages and
 * durations as text. Pure: the clock is passed in.
 */

const DAY_MS = 86_400_000;

/** The periods the reports offer, in days. */
export const PERIODS = [7, 14, 30, 90] as const;

/** Returns the UTC day of an instant as YYYY-MM-DD. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Returns the query for the last `days` days up to `now`: GET /stats/noise takes UTC days (both ends
 * included, so today and the days - 1 before it), GET /sla/compliance takes instants.
 */
export function periodQuery(
  days: number,
  now: number,
): { noise: { from: string; to: string }; compliance: { from: string; to: string } } {
  return {
    noise: { from: utcDay(now - (days - 1) * DAY_MS), to: utcDay(now) },
    compliance: { from: new Date(now - days * DAY_MS).toISOString(), to: new Date(now).toISOString() },
  };
}

/** Returns each value's bar length in percent of the largest (0 for all when none is above 0). */
export function barLengths(values: readonly number[]): number[] {
  const max = Math.max(0, ...values);
  return values.map((v) => (max > 0 && v > 0 ? Math.round((v / max) * 1000) / 10 : 0));
}

/** Returns the share met, 0–100 rounded to one decimal, or null when nothing was measured. */
export function metPercent(met: number, breached: number): number | null {
  const all = met + breached;
  return all === 0 ? null : Math.round((met / all) * 1000) / 10;
}

/** Returns a percentage as text, "no data" for null. */
export const percentText = (p: number | null): string => (p === null ? 'no data' : `${p}%`);

/** Returns a duration in milliseconds as short text: 45 s, 12 min, 3 h 5 min, 2 d 4 h; "–" for null. */
export function durationText(ms: number | null): string {
  if (ms === null) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Returns a noise-reduction ratio (1 − pages / events) as a percentage text, "no events" for null. */
export const reductionText = (r: number | null): string =>
  r === null ? 'no events' : `${Math.round(r * 1000) / 10}%`;
