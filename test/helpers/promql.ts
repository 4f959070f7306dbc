/**
 * The PromQL a real Prometheus is asked in test/prometheus-real.test.ts: the signal behind each alert
 * rule, and the Grafana dashboard's panel queries with its variables filled in.
 */

/**
 * Returns the queries that must return data for an alert rule's expression to mean anything: the
 * *signals* behind it. A rule's full expression is empty while all is well, so it proves nothing; its
 * signal is what it compares. The expression is split at its top-level set operators (or, and,
 * unless), and each operand, outer parentheses dropped, loses a final comparison with a number
 * (`> 0.2`, `== bool 0`); `absent(x)` and `absent_over_time(x)` stand for the signal of x, since they
 * too are empty while x exists. Throws on an operand compared with anything but a number: its signal
 * is for a person to choose.
 */
export function ruleSignals(expr: string): string[] {
  return splitTopLevel(expr.replace(/\s+/g, ' ').trim()).flatMap((operand) => {
    const bare = stripComparison(unwrap(operand));
    const absent = /^absent(?:_over_time)?\s*\((.*)\)$/.exec(bare);
    if (absent && closingParen(bare, bare.indexOf('(')) === bare.length - 1) return ruleSignals(absent[1]!);
    return [bare];
  });
}

/** Grafana's built-in interval variables, as a 10-minute dashboard at a 15 s step would have them. */
const GRAFANA_BUILTINS: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '10m',
  __range_s: '600',
  __range_ms: '600000',
};

/**
 * Returns a panel query with Grafana's variables filled in: built-in intervals and ranges by
 * GRAFANA_BUILTINS, every other `$var`, `${var}`, `${var:format}` or `[[var]]` by `.*` (the dashboard
 * puts them in regex matchers, so `.*` is "All").
 */
export function fillGrafanaVariables(expr: string): string {
  return expr.replace(
    /\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]/g,
    (_m, braced?: string, bare?: string, old?: string) => {
      const name = (braced ?? bare ?? old)!;
      return GRAFANA_BUILTINS[name] ?? '.*';
    },
  );
}

export interface PanelQuery {
  /** The panel's title and the target's refId, to name a query that fails. */
  panel: string;
  expr: string;
}

/** Returns every `targets[].expr` of a Grafana dashboard, in rows (collapsed or not) as well. */
export function dashboardQueries(dashboard: unknown): PanelQuery[] {
  const found: PanelQuery[] = [];
  const walk = (node: unknown, title: string) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, title));
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    const here = typeof obj.title === 'string' ? obj.title : title;
    if (Array.isArray(obj.targets)) {
      for (const t of obj.targets as Record<string, unknown>[]) {
        if (typeof t?.expr === 'string' && t.expr.trim() !== '')
          found.push({ panel: `${here} (${String(t.refId ?? '?')})`, expr: t.expr });
      }
    }
    for (const [key, value] of Object.entries(obj)) if (key !== 'targets') walk(value, here);
  };
  walk(dashboard, '(dashboard)');
  return found;
}

// --- A scanner just deep enough for the above: brackets, quoted strings, top-level positions --------

const OPEN = '([{';
const CLOSE = ')]}';

/** Calls visit(i, depth) for each character outside quoted strings; depth counts enclosing brackets. */
function scan(expr: string, visit: (i: number, depth: number) => void): void {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      continue;
    }
    if (CLOSE.includes(c)) depth--;
    visit(i, depth);
    if (OPEN.includes(c)) depth++;
  }
}

function closingParen(expr: string, open: number): number {
  let close = -1;
  let base: number | undefined;
  scan(expr, (i, depth) => {
    if (i === open) base = depth;
    else if (base !== undefined && close < 0 && i > open && depth === base && expr[i] === ')') close = i;
  });
  return close;
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\w:]/.test(c);

function splitTopLevel(expr: string): string[] {
  const cuts: { at: number; length: number }[] = [];
  scan(expr, (i, depth) => {
    if (depth !== 0 || isWordChar(expr[i - 1])) return;
    const word = /^(or|and|unless)(?![\w:])/.exec(expr.slice(i));
    if (word) cuts.push({ at: i, length: word[1]!.length });
  });
  const parts: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    parts.push(expr.slice(from, cut.at));
    from = cut.at + cut.length;
  }
  parts.push(expr.slice(from));
  // `a or on(x) b`: the matching modifier belongs to the operator, not to b.
  return parts.map((p) =>
    p
      .trim()
      .replace(/^(?:on|ignoring)\s*\([^)]*\)\s*/, '')
      .trim(),
  );
}

function unwrap(expr: string): string {
  let e = expr.trim();
  while (e.startsWith('(') && closingParen(e, 0) === e.length - 1) e = e.slice(1, -1).trim();
  return e;
}

function stripComparison(expr: string): string {
  let last: { at: number; length: number } | undefined;
  scan(expr, (i, depth) => {
    if (depth !== 0) return;
    const op = /^(==|!=|>=|<=|>|<)/.exec(expr.slice(i));
    // `<=` is seen at '<' and again at '='; keep the one that starts first.
    if (op && !(last && last.at + last.length > i)) last = { at: i, length: op[1]!.length };
  });
  if (!last) return expr;
  const right = expr.slice(last.at + last.length).trim();
  if (!/^(?:bool\s+)?[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i.test(right)) {
    throw new Error(`cannot tell the signal of "${expr}": it is compared with "${right}", not a number`);
  }
  return unwrap(expr.slice(0, last.at));
}
