/**
 * Which text Postgres can hold. `text` and `jsonb` refuse U+0000 (jsonb even written as the escape
 * `\u0000`), and a lone UTF-16 surrogate has no UTF-8 encoding, so a string carrying either can never be
 * written. The API refuses such input at its edge (api/input-guard.ts); the activities that write records
 * replace it as a last resort (activities/records.ts). This module is the one statement of the rule. Pure.
 */

export type TextProblem = 'nul' | 'lone_surrogate';

/** What each problem is called in a 400, after the field's name. */
export const TEXT_PROBLEM_MESSAGE: Readonly<Record<TextProblem, string>> = {
  nul: 'contains U+0000 (NUL), which cannot be stored',
  lone_surrogate: 'contains a lone UTF-16 surrogate (not valid Unicode), which cannot be stored',
};

// Without the u flag a regex sees UTF-16 code units, so a surrogate half is one character to it: a high
// surrogate not followed by a low one, or a low one not preceded by a high one, is alone.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE = new RegExp(`\\u0000|${LONE_SURROGATE.source}`, 'g');

/** Returns what makes the string unstorable (NUL first), or undefined when Postgres can hold it. */
export function textProblem(s: string): TextProblem | undefined {
  if (s.includes('\u0000')) return 'nul';
  return LONE_SURROGATE.test(s) ? 'lone_surrogate' : undefined;
}

/** Returns the string with every NUL and lone surrogate replaced by U+FFFD, the replacement character. */
export function toStorableText(s: string): string {
  return textProblem(s) === undefined ? s : s.replace(UNSTORABLE, '\uFFFD');
}

/** Returns an object key as a path segment fit to show and store: the offending characters as escapes. */
function shownKey(key: string): string {
  if (textProblem(key) === undefined) return key;
  return key.replace(UNSTORABLE, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Returns the path of a child: `parent.segment`, or the segment alone under the empty root. */
const child = (parent: string, segment: string | number) =>
  parent === '' ? String(segment) : `${parent}.${segment}`;

export interface UnstorableField {
  /** Dotted path from the root, e.g. `body.labels.env`; an offending key is shown with escapes. */
  path: string;
  problem: TextProblem;
}

/**
 * Returns the first `limit` unstorable strings in a parsed value (object keys and values, array items, at
 * any depth), each with its dotted path from `root` (`''`: paths start at the value's own keys).
 * Iterative: a deeply nested body cannot overflow the stack.
 */
export function findUnstorable(value: unknown, root: string, limit = 20): UnstorableField[] {
  const found: UnstorableField[] = [];
  // Each entry: a value, its path, and whether the key it sits under is itself unstorable (reported
  // where its value is, in document order).
  const stack: [unknown, string, TextProblem | undefined][] = [[value, root, undefined]];
  while (stack.length > 0 && found.length < limit) {
    const [v, path, keyProblem] = stack.pop()!;
    if (keyProblem) found.push({ path, problem: keyProblem });
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) found.push({ path, problem });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], child(path, i), undefined]);
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i]!;
        stack.push([item, child(path, shownKey(key)), textProblem(key)]);
      }
    }
  }
  return found.slice(0, limit);
}

/**
 * Returns a copy of a JSON-like value in which every string (object keys included) is storable, and the
 * dotted paths (from `root`) of what was replaced. A value with nothing to replace is returned as it is.
 */
export function toStorable<T>(value: T, root: string): { value: T; replaced: string[] } {
  const replaced = findUnstorable(value, root, Infinity).map((f) => f.path);
  if (replaced.length === 0) return { value, replaced };
  const copy = (v: unknown): unknown => {
    if (typeof v === 'string') return toStorableText(v);
    if (Array.isArray(v)) return v.map(copy);
    if (typeof v === 'object' && v !== null && !(v instanceof Date)) {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [toStorableText(k), copy(item)]));
    }
    return v;
  };
  return { value: copy(value) as T, replaced };
}
