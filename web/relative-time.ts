/** Relative times ("in 4 minutes", "3 hours ago") and durations ("1 h 30 min"): one rule for every page. */

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];

const formats = new Map<string, Intl.RelativeTimeFormat>();

function relativeFormat(locale: string | undefined): Intl.RelativeTimeFormat {
  const key = locale ?? '';
  let format = formats.get(key);
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    formats.set(key, format);
  }
  return format;
}

/**
 * Returns `at` relative to `now` in the largest unit it fills, counted whole towards now ("in 4 minutes"
 * for 4 min 59 s ahead, "1 hour ago" for 119 minutes back); under a second either way is "now".
 */
export function relativeTime(at: number, now: number, locale?: string): string {
  const diff = at - now;
  const format = relativeFormat(locale);
  for (const [unit, size] of UNITS) {
    if (Math.abs(diff) >= size) return format.format(Math.trunc(diff / size), unit);
  }
  return format.format(0, 'second');
}

const PARTS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1_000],
];

/** Returns a length of time in its two largest units, rounded down: "15 min", "1 h 30 min", "7 d", "0 s". */
export function durationText(ms: number): string {
  let rest = Math.max(0, Math.floor(ms));
  const shown: string[] = [];
  for (const [unit, size] of PARTS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || shown.length > 0) shown.push(`${count} ${unit}`);
    if (shown.length === 2) break;
  }
  const [first, second] = shown;
  if (!first) return '0 s';
  return second && !second.startsWith('0 ') ? `${first} ${second}` : first;
}
