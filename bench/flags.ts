/** Command-line flags of the benchmarks: `--name value`. */

/** Returns the number after `--name`, or the fallback; throws when the value is not a number. */
export function numberFlag(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(argv[i + 1]);
  if (argv[i + 1] === undefined || !Number.isFinite(value)) throw new Error(`--${name} needs a number`);
  return value;
}

/** Returns the string after `--name`, or undefined when the flag is absent. */
export function stringFlag(name: string, argv: readonly string[] = process.argv): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Returns the duration after `--name` in milliseconds (`10s`, `3m`, `500ms`, `1.5h`; a bare number is
 * seconds), or the fallback; throws on anything else.
 */
export function durationFlag(name: string, fallbackMs: number, argv: readonly string[] = process.argv): number {
  const value = stringFlag(name, argv);
  if (value === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  if (!m) throw new Error(`--${name} needs a duration such as 10s, 3m or 500ms`);
  return Number(m[1]) * UNIT_MS[m[2] ?? 's']!;
}
