/** Relative times ("in 3 hours", "5 min ago") for the console's lists. */

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/**
 * Returns the value and unit `ms` is away from `now` in: the largest unit it spans at least once,
 * rounded to the nearest whole one (2 h 50 min is 3 hours), and under 45 seconds "now" (0 seconds).
 */
export function relativeParts(ms: number, now: number): [number, Intl.RelativeTimeFormatUnit] {
  const seconds = (ms - now) / 1000;
  if (Math.abs(seconds) < 45) return [0, 'second'];
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return [Math.round(seconds / size), unit];
  }
  return [Math.sign(seconds), 'minute'];
}

const formats = new Map<string, Intl.RelativeTimeFormat>();

/** Returns "in 3 hr." / "5 min. ago" / "now" in the user's language (`locale` for tests). */
export function relativeTime(ms: number, now: number, locale?: string): string {
  const key = locale ?? '';
  let format = formats.get(key);
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
    formats.set(key, format);
  }
  const [value, unit] = relativeParts(ms, now);
  return format.format(value, unit);
}
