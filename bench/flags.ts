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
