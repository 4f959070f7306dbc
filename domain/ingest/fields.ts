/** Small checks shared by the ingest parsers: plain objects, URLs, timestamps, lengths. Pure. */

/** Returns true for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns true when a string is empty or only whitespace. */
export function isBlank(value: string): boolean {
  return value.trim() === '';
}

/** Returns the length in code points, so an emoji counts once and a limit never splits a surrogate pair. */
export function charLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** Returns value cut to at most max code points, ending in an ellipsis when it was cut. */
export function truncate(value: string, max: number): string {
  if (charLength(value) <= max) return value;
  return [...value].slice(0, max - 1).join('') + '…';
}

/**
 * Returns true for an absolute http(s) URL. Other schemes are refused because links are rendered as
 * clickable in the UI and in e-mails, where `javascript:` or `data:` would be an injection.
 */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

// ISO 8601 extended date-time with a mandatory zone: without one the instant would depend on the
// server's time zone. The offset may omit its colon because PagerDuty's own examples send "+0000".
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Returns the instant as a UTC ISO string (millisecond precision), or null when value is not an ISO 8601
 * date-time with a zone. Checked by hand because Date.parse accepts impossible dates such as 30 February.
 */
export function parseTimestamp(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = TIMESTAMP.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = Number(m[6] ?? '0');
  const ms = Number((m[7] ?? '').slice(0, 3).padEnd(3, '0'));
  const offHours = Number(m[10] ?? '0');
  const offMinutes = Number(m[11] ?? '0');
  if (hour > 23 || minute > 59 || second > 59 || offHours > 23 || offMinutes > 59) return null;
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999, and Alertmanager sends year 1.
  d.setUTCFullYear(year, month - 1, day);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  d.setUTCHours(hour, minute, second, ms);
  const sign = m[9] === '-' ? -1 : 1;
  const instant = d.getTime() - sign * (offHours * 60 + offMinutes) * 60_000;
  return new Date(instant).toISOString();
}

/** Returns only the string-valued entries, since labels are matched and stored as text. */
export function stringEntries(value: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Returns a short description of a JSON value's type for error messages ("an array", "null", "a number"). */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'object' ? 'an object' : `a ${t}`;
}
