/**
 * A small regular-expression engine for user patterns (silence matchers): parsed here, run as a
 * Thompson NFA, so a match costs at most pattern length × input length steps whatever the pattern.
 * JS RegExp backtracks, and one pattern like `(a+)+$` can hang the process on a short input.
 *
 * Syntax (a subset of RE2's): literals, `.`, `[...]` and `[^...]` with ranges, escapes (`\d \w \s`
 * and escaped metacharacters), groups `( )` and `(?: )`, `|`, and the quantifiers `* + ?`. A pattern
 * matches the whole value (anchored both ends, as Alertmanager's matchers are); `^` and `$` are not
 * needed and are refused, as are back-references, lookaround and `{n,m}`. A quantifier on a group that
 * itself holds a quantifier (`(a+)+`, `(a|a*)*`) is refused too: harmless here, but the pattern is
 * the classic catastrophic one in every backtracking engine, and a silence copied to one must not hang it.
 */

export const MAX_PATTERN_LENGTH = 256;

type CharTest = (c: string) => boolean;
type Node =
  | { kind: 'char'; test: CharTest }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; op: '*' | '+' | '?'; item: Node }
  | { kind: 'empty' };

/** Thrown by the parser; its message says what is wrong with the pattern. */
class PatternError extends Error {}

const META = new Set(['\\', '.', '[', ']', '(', ')', '|', '*', '+', '?', '{', '}', '^', '$']);
const classEscape = (e: string): CharTest | undefined =>
  e === 'd'
    ? (c) => c >= '0' && c <= '9'
    : e === 'w'
      ? (c) => /^[A-Za-z0-9_]$/.test(c)
      : e === 's'
        ? (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v'
        : undefined;

function parse(src: string): Node {
  let i = 0;
  const fail = (what: string): never => {
    throw new PatternError(`${what} at position ${i}`);
  };
  // After a backslash: a class (\d \w \s) or one literal character.
  const escaped = (): { test: CharTest } | { char: string } => {
    const e = src[++i];
    if (e === undefined) return fail('a trailing backslash');
    i += 1;
    const cls = classEscape(e);
    if (cls) return { test: cls };
    if (META.has(e) || e === '-' || e === '/') return { char: e };
    if (e === 'n') return { char: '\n' };
    if (e === 't') return { char: '\t' };
    return fail(`\\${e} (back-references and other escapes are not supported)`);
  };
  const escape = (): CharTest => {
    const e = escaped();
    return 'test' in e ? e.test : (c) => c === e.char;
  };
  const classChar = (): string | CharTest => {
    if (src[i] !== '\\') return src[i++]!;
    const e = escaped();
    return 'test' in e ? e.test : e.char;
  };
  const charClass = (): CharTest => {
    i += 1;
    const negated = src[i] === '^';
    if (negated) i += 1;
    const tests: CharTest[] = [];
    let first = true;
    while (first || src[i] !== ']') {
      first = false;
      if (i >= src.length) fail('an unclosed [');
      const lo = classChar();
      if (typeof lo !== 'string') {
        tests.push(lo);
        continue;
      }
      if (src[i] === '-' && i + 1 < src.length && src[i + 1] !== ']') {
        i += 1;
        const hi = classChar();
        if (typeof hi !== 'string') return fail('a range ending in a class');
        if (hi < lo) fail(`an inverted range ${lo}-${hi}`);
        tests.push((c) => c >= lo && c <= hi);
      } else tests.push((c) => c === lo);
    }
    if (i >= src.length) fail('an unclosed [');
    i += 1;
    return negated ? (c) => !tests.some((t) => t(c)) : (c) => tests.some((t) => t(c));
  };
  const atom = (): Node => {
    const c = src[i]!;
    if (c === '(') {
      i += 1;
      if (src.startsWith('?:', i)) i += 2;
      else if (src[i] === '?') fail('lookaround and named groups');
      const inner = alternation();
      if (src[i] !== ')') fail('an unclosed (');
      i += 1;
      return inner;
    }
    if (c === '[') return { kind: 'char', test: charClass() };
    if (c === '\\') return { kind: 'char', test: escape() };
    if (c === '.') {
      i += 1;
      return { kind: 'char', test: (x) => x !== '\n' };
    }
    if (c === '^' || c === '$') fail(`${c} (a pattern matches the whole value already)`);
    if (c === '{' || c === '}') fail('counted repetition {n,m}');
    if (c === '*' || c === '+' || c === '?') fail(`a ${c} with nothing to repeat`);
    if (c === ']') fail('an unopened ]');
    i += 1;
    return { kind: 'char', test: (x) => x === c };
  };
  const sequence = (): Node => {
    const items: Node[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      let node = atom();
      while (src[i] === '*' || src[i] === '+' || src[i] === '?') {
        if (node.kind === 'repeat' || hasRepeat(node)) fail('a nested quantifier (it would backtrack)');
        node = { kind: 'repeat', op: src[i] as '*' | '+' | '?', item: node };
        i += 1;
      }
      items.push(node);
    }
    return items.length === 1 ? items[0]! : items.length === 0 ? { kind: 'empty' } : { kind: 'seq', items };
  };
  const alternation = (): Node => {
    const options = [sequence()];
    while (src[i] === '|') {
      i += 1;
      options.push(sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  };
  const node = alternation();
  if (i < src.length) fail('an unopened )');
  return node;
}

function hasRepeat(n: Node): boolean {
  switch (n.kind) {
    case 'repeat':
      return true;
    case 'seq':
      return n.items.some(hasRepeat);
    case 'alt':
      return n.options.some(hasRepeat);
    default:
      return false;
  }
}

// The NFA: states with a char test (one step on a match) or epsilon edges.
interface State {
  test?: CharTest;
  next: number[];
}

function compile(root: Node): { states: State[]; start: number; accept: number } {
  const states: State[] = [];
  const add = (s: State) => states.push(s) - 1;
  // Builds the fragment for n, leading to `out`; returns its entry state.
  const build = (n: Node, out: number): number => {
    switch (n.kind) {
      case 'empty':
        return out;
      case 'char':
        return add({ test: n.test, next: [out] });
      case 'seq':
        return n.items.reduceRight((to, item) => build(item, to), out);
      case 'alt':
        return add({ next: n.options.map((o) => build(o, out)) });
      case 'repeat': {
        if (n.op === '?') return add({ next: [build(n.item, out), out] });
        const loop = add({ next: [] });
        const body = build(n.item, loop);
        states[loop]!.next = [body, out];
        return n.op === '*' ? loop : body;
      }
    }
  };
  const accept = add({ next: [] });
  return { states, start: build(root, accept), accept };
}

/** A compiled pattern: `test` answers whether the whole value matches, in linear time. */
export interface BoundedPattern {
  source: string;
  test(value: string): boolean;
}

/** Returns the compiled pattern, or the reason it is refused. */
export function compilePattern(
  source: string,
): { ok: true; pattern: BoundedPattern } | { ok: false; problem: string } {
  if (source.length > MAX_PATTERN_LENGTH)
    return { ok: false, problem: `a pattern is at most ${MAX_PATTERN_LENGTH} characters` };
  let root: Node;
  try {
    root = parse(source);
  } catch (err) {
    if (err instanceof PatternError) return { ok: false, problem: `not a supported pattern: ${err.message}` };
    throw err;
  }
  const { states, start, accept } = compile(root);
  const closure = (from: Iterable<number>): Set<number> => {
    const seen = new Set<number>();
    const stack = [...from];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      if (!states[s]!.test) stack.push(...states[s]!.next);
    }
    return seen;
  };
  const test = (value: string) => {
    let current = closure([start]);
    for (const c of value) {
      const step: number[] = [];
      for (const s of current) if (states[s]!.test?.(c)) step.push(...states[s]!.next);
      if (step.length === 0) return false;
      current = closure(step);
    }
    return current.has(accept);
  };
  return { ok: true, pattern: { source, test } };
}
