/**
 * The small JSONPath subset the generic webhook mapping accepts: `$`, `.name`, `[0]` and `['any key']`
 * (or double quotes, with backslash escapes). No wildcards, filters or recursion: a mapping picks one
 * value, and a subset we fully implement is easier to explain than a partial JSONPath. Pure.
 */
import { isRecord } from './fields';

export type PathSegment = { key: string } | { index: number };

const NAME = /[A-Za-z0-9_-]/;
const SUPPORTED = "supported: $.name, $[0], $['key']";

/** Returns the segments of a path, or a message saying where and why it is invalid. */
export function parsePath(path: string): PathSegment[] | string {
  const fail = (why: string) => `invalid path ${JSON.stringify(path)}: ${why} (${SUPPORTED})`;
  if (!path.startsWith('$')) return fail("it must start with '$'");
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && NAME.test(path[j] ?? '')) j++;
      if (j === i + 1) return fail(`expected a name after '.' at position ${i}`);
      segments.push({ key: path.slice(i + 1, j) });
      i = j;
    } else if (c === '[') {
      const quote = path[i + 1];
      if (quote === "'" || quote === '"') {
        let key = '';
        let j = i + 2;
        for (; j < path.length && path[j] !== quote; j++) {
          // A backslash takes the next character literally, so keys may contain quotes and backslashes.
          if (path[j] === '\\') j++;
          key += path[j] ?? '';
        }
        if (j >= path.length) return fail(`unclosed quote opened at position ${i + 1}`);
        if (path[j + 1] !== ']') return fail(`expected ']' at position ${j + 1}`);
        segments.push({ key });
        i = j + 2;
      } else {
        const m = /^\[(\d+)\]/.exec(path.slice(i));
        if (!m?.[1]) return fail(`expected an index or a quoted key after '[' at position ${i}`);
        const index = Number(m[1]);
        if (!Number.isSafeInteger(index)) return fail(`index too large at position ${i + 1}`);
        segments.push({ index });
        i += m[0].length;
      }
    } else {
      return fail(`unexpected ${JSON.stringify(c)} at position ${i}`);
    }
  }
  return segments;
}

/** Returns null for a path this module supports, else a message saying why it is not. */
export function validatePath(path: unknown): string | null {
  if (typeof path !== 'string') return `invalid path: expected a string like "$.alert.title"`;
  const parsed = parsePath(path);
  return typeof parsed === 'string' ? parsed : null;
}

/**
 * Returns the value at path in obj, or undefined when any step is absent. Only own properties are
 * followed, so `$.constructor` or `$.__proto__` never reach into prototypes. Throws on an invalid path,
 * which callers rule out beforehand with validatePath.
 */
export function getPath(obj: unknown, path: string): unknown {
  const segments = parsePath(path);
  if (typeof segments === 'string') throw new RangeError(segments);
  let cur: unknown = obj;
  for (const seg of segments) {
    if ('index' in seg) {
      if (!Array.isArray(cur) || seg.index >= cur.length) return undefined;
      cur = cur[seg.index] as unknown;
    } else {
      if (!isRecord(cur) || !Object.hasOwn(cur, seg.key)) return undefined;
      cur = cur[seg.key];
    }
  }
  return cur;
}
