/** `npm run create-api-key -- --name NAME [--role viewer|responder|admin]`: prints a new key once. */
import { parseArgs } from 'node:util';
import { loadConfig, projectPath } from '../runtime/config';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { waitForPort } from '../runtime/temporal-tools';
import { API_KEY_ROLES, createApiKey, type ApiKeyRole } from '../store/api-keys';
import { poolOptionsOf } from '../runtime/database-connection';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import path from 'node:path';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { name: { type: 'string' }, role: { type: 'string', default: 'responder' } } });
  if (!values.name) throw new Error('--name is required, e.g. npm run create-api-key -- --name grafana --role responder');
  if (!(API_KEY_ROLES as readonly string[]).includes(values.role!)) {
    throw new Error(`--role must be one of ${API_KEY_ROLES.join(', ')}`);
  }
  const config = loadConfig();
  let url = config.DATABASE_URL;
  let stop = async () => {};
  if (!url) {
    // The embedded cluster of `npm start`: use it if it is running, else start it for this command.
    const embeddedUrl = `postgres://klaxon:klaxon@127.0.0.1:${config.EMBEDDED_PG_PORT}/klaxon`;
    const running = await waitForPort(config.EMBEDDED_PG_PORT, 0).then(() => true, () => false);
    if (!running) {
      const pg = await startEmbeddedPostgres({ dataDir: path.join(projectPath(config.KLAXON_DATA_DIR), 'postgres'), port: config.EMBEDDED_PG_PORT });
      stop = () => pg.stop();
    }
    url = embeddedUrl;
  }
  const pool = createPool(url, poolOptionsOf(config));
  try {
    await migrate(pool);
    const { key, row } = await createApiKey(pool, { name: values.name, role: values.role as ApiKeyRole });
    console.log(`API key "${row.name}" (${row.role}), shown this once:\n${key}`);
  } finally {
    await pool.end();
    await stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
