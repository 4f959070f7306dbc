/** Telling a write Postgres will never accept from one that may succeed when retried. */

/**
 * Returns true for a Postgres data exception (SQLSTATE class 22): a value the column cannot hold, such as
 * NUL in `text` (22021), `\u0000` in `jsonb` (22P05) or a lone surrogate in `jsonb` (22P02). The same
 * write fails the same way every time. Connection errors (class 08, or a socket's ECONNREFUSED) and
 * every other error are not data errors: they may pass, and are retried.
 */
export function isDataError(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}
