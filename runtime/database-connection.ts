/**
 * How Klaxon's processes reach Postgres: DATABASE_URL, TLS in libpq's modes (DATABASE_TLS and its
 * files, or the URL's own sslmode= and sslrootcert=), the pool's size and its deadlines. Certificate
 * files are read once at start, like Temporal's (runtime/temporal-connection.ts): rotate them with a
 * rolling restart.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Config } from './config';
import type { Logger } from './logger';
import { readTlsFiles } from './pem-files';
import type { PoolOptions } from '../store/db';

type DatabaseSettings = Pick<
  Config,
  | 'DATABASE_TLS'
  | 'DATABASE_TLS_CA_PATH'
  | 'DATABASE_TLS_CERT_PATH'
  | 'DATABASE_TLS_KEY_PATH'
  | 'DATABASE_POOL_MAX'
  | 'DATABASE_CONNECT_TIMEOUT_MS'
  | 'DATABASE_STATEMENT_TIMEOUT_MS'
>;

/** Returns node:tls options for a DATABASE_TLS mode, reading and checking its files; false for disable. */
function tlsOf(c: DatabaseSettings, now: Date): ConnectionOptions | false | undefined {
  if (c.DATABASE_TLS === undefined) return undefined;
  if (c.DATABASE_TLS === 'disable') return false;
  const files = readTlsFiles('DATABASE_TLS', { ca: c.DATABASE_TLS_CA_PATH, cert: c.DATABASE_TLS_CERT_PATH, key: c.DATABASE_TLS_KEY_PATH }, now);
  const options: ConnectionOptions = {
    // require: encrypted, but any certificate will do (libpq's meaning, and its risk: no protection
    // against someone in the middle). verify-ca checks the signature, verify-full the host name too.
    rejectUnauthorized: c.DATABASE_TLS !== 'require',
    ...(c.DATABASE_TLS === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
    ...files,
  };
  return options;
}

/**
 * Returns the pool options the settings give: size, deadlines and TLS. Throws a ConfigError naming each
 * TLS file that is missing, unreadable, not PEM, expired, or (the key) not the certificate's.
 */
export function poolOptionsOf(c: DatabaseSettings, now = new Date()): PoolOptions {
  const ssl = tlsOf(c, now);
  return {
    max: c.DATABASE_POOL_MAX,
    connectTimeoutMs: c.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: c.DATABASE_STATEMENT_TIMEOUT_MS,
    ...(ssl === undefined ? {} : { ssl }),
  };
}

/**
 * Returns the options with a listener that logs each failed idle connection, so a database going away
 * shows in the log at once (and in /readyz at its next probe) rather than at the next failed write.
 */
export function loggedPoolOptions(options: PoolOptions, log: Pick<Logger, 'error'>): PoolOptions {
  return { ...options, onError: (err) => log.error({ err: err.message }, 'postgres: an idle connection failed; the pool opens a new one on next use') };
}
