/**
 * Counts the statements a process runs against Postgres: a view of a pool that records every statement
 * sent through it, whether by pool.query or by a client it checked out (begin and commit included).
 * Several views of one pool share its connections and each records under its own name, so a harness can
 * give the API and the worker one each and tell their statements apart.
 */
import type pg from 'pg';

export interface Statement {
  /** Whose view ran it ('api', 'worker', ...). */
  by: string;
  /** Its SQL, whitespace folded. */
  sql: string;
}

/** Every statement run through the views made by record(), in the order they were sent. */
export class StatementLog {
  readonly all: Statement[] = [];

  /** Returns a view of the pool whose statements are recorded under `by`. */
  record(pool: pg.Pool, by: string): pg.Pool {
    const note = (query: unknown) => {
      const text = typeof query === 'string' ? query : (query as { text?: string } | null)?.text;
      this.all.push({ by, sql: (text ?? String(query)).replace(/\s+/g, ' ').trim() });
    };
    const countedClient = (client: pg.PoolClient): pg.PoolClient =>
      new Proxy(client, {
        get(target, prop, receiver) {
          if (prop !== 'query') return bind(target, Reflect.get(target, prop, receiver));
          return (...args: unknown[]) => {
            note(args[0]);
            return (target.query as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    return new Proxy(pool, {
      get(target, prop, receiver) {
        if (prop === 'query') {
          return (...args: unknown[]) => {
            note(args[0]);
            return (target.query as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        if (prop === 'connect') {
          return async (...args: unknown[]) => {
            if (args.length > 0) throw new Error('a counted pool supports connect() without a callback only');
            return countedClient(await target.connect());
          };
        }
        return bind(target, Reflect.get(target, prop, receiver));
      },
    });
  }

  /** Returns a mark: statements after it are what since(mark) returns. */
  mark(): number {
    return this.all.length;
  }

  /** Returns the statements recorded after the mark, of one view if `by` is given. */
  since(mark: number, by?: string): Statement[] {
    return this.all.slice(mark).filter((s) => by === undefined || s.by === by);
  }
}

// Methods called on the proxy must run on the real object (pg keeps its state in private fields).
function bind(target: object, value: unknown): unknown {
  return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
}

/** Returns the statements as numbered lines, each SQL cut to `width` characters, for a failure message. */
export function listed(statements: readonly Statement[], width = 160): string {
  if (statements.length === 0) return '  (none)';
  return statements
    .map(
      (s, i) =>
        `  ${String(i + 1).padStart(2)}. [${s.by}] ${s.sql.length > width ? `${s.sql.slice(0, width)}…` : s.sql}`,
    )
    .join('\n');
}
