/**
 * Telling "Postgres could not be reached" from "Postgres refused this statement". The first clears up by
 * itself (a restart, a failover, a network blip): the API answers 503 with Retry-After, and a cache may
 * answer from what it last read. The second is a bug or bad data and is never retried blindly.
 */

// Node's socket errors: nothing listens, the peer went away, or the network did.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// SQLSTATEs of a server that is going away or not yet taking connections: admin_shutdown,
// crash_shutdown, cannot_connect_now (starting up, shutting down, in recovery), too_many_connections.
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

// pg's own messages for a connection lost or never made; they carry no code.
const CLIENT_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /not queryable/,
];

/** Returns true when err (or its cause) says Postgres could not be reached or dropped the connection. */
export function isStoreUnreachable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 5) return false;
  const { code, message, cause, errors } = err as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || SERVER_CODES.has(code)) return true;
    // Class 08: connection exceptions.
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof message === 'string' && CLIENT_MESSAGES.some((m) => m.test(message))) return true;
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  if (Array.isArray(errors) && errors.some((e) => isStoreUnreachable(e, depth + 1))) return true;
  return isStoreUnreachable(cause, depth + 1);
}
