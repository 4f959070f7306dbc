/**
 * The stack the browser tests run (embedded Postgres, the time-skipping Temporal test server, the API
 * and a worker, with the console built), started outside the test runner: for `npm run screenshots`
 * and the console benchmark, which drive it from a plain script.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, projectPath } from '../../runtime/config';
import { startEmbeddedPostgres } from '../../runtime/embedded-postgres';
import { resolveTestServer } from '../../runtime/temporal-tools';
import { ensureConsoleBuilt } from '../../scripts/build-web';
import { startHarness, type Harness } from './harness';
import { freePort } from './npm-start';

export interface StandaloneStack {
  h: Harness;
  close(): Promise<void>;
}

export async function startStandaloneStack(say: (line: string) => void): Promise<StandaloneStack> {
  const config = loadConfig();
  const build = await ensureConsoleBuilt(undefined, say);
  if (!build) say('web console: up to date');

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'klaxon-stack-'));
  // Run as root, the embedded Postgres drops to its own user, which must be able to enter this folder.
  chmodSync(scratch, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(scratch, 'pg'),
    port: await freePort(),
    log: say,
  });
  try {
    process.env.KLAXON_TEST_ADMIN_DATABASE_URL = pg.urlFor('postgres');
    const server = await resolveTestServer({
      toolsDir: projectPath(config.KLAXON_TOOLS_DIR),
      explicitPath: config.TEMPORAL_TEST_SERVER_PATH,
      log: say,
    });
    process.env.KLAXON_TEST_SERVER = JSON.stringify(server);
    const h = await startHarness();
    return {
      h,
      async close() {
        await h.close();
        await pg.stop();
        rmSync(scratch, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await pg.stop();
    rmSync(scratch, { recursive: true, force: true });
    throw err;
  }
}
