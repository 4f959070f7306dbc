/**
 * `npm test`: provisions the time-skipping test server, starts one embedded Postgres for the run (unless
 * DATABASE_URL is set; each test file then creates its own database in it), and runs every *.test.ts
 * with Node's built-in test runner, whose closing summary CI reads.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, projectPath } from '../runtime/config';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { resolveAlertmanager } from '../runtime/alertmanager-tools';
import { resolveChromium } from '../runtime/chromium-tools';
import { resolvePrometheus } from '../runtime/prometheus-tools';
import { resolveTemporalCli, resolveTestServer } from '../runtime/temporal-tools';
import { ensureConsoleBuilt } from './build-web';

const ROOT = projectPath('.');
const TEST_DIRS = ['domain', 'test', 'workflows', 'activities', 'api', 'store', 'runtime', 'notifiers', 'bench'];

function findTests(dir: string): string[] {
  const full = path.join(ROOT, dir);
  let entries: string[];
  try {
    entries = readdirSync(full);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return findTests(rel);
    return name.endsWith('.test.ts') ? [rel] : [];
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function main(): Promise<number> {
  const config = loadConfig();
  const log = (line: string) => console.log(`[test] ${line}`);
  const started = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env };

  const server = await resolveTestServer({ toolsDir: projectPath(config.KLAXON_TOOLS_DIR), explicitPath: config.TEMPORAL_TEST_SERVER_PATH, log });
  env.KLAXON_TEST_SERVER = JSON.stringify(server);
  // The `npm start` end-to-end test runs the dev server; provision it here so its build time shows up front.
  const cli = await resolveTemporalCli({ toolsDir: projectPath(config.KLAXON_TOOLS_DIR), explicitPath: config.TEMPORAL_CLI_PATH, log });
  if (cli.type === 'existing-path') env.TEMPORAL_CLI_PATH = cli.path;
  // The ingest tests run Klaxon behind a real Prometheus Alertmanager.
  env.KLAXON_TEST_ALERTMANAGER = JSON.stringify(resolveAlertmanager({ toolsDir: projectPath(config.KLAXON_TOOLS_DIR), explicitPath: config.ALERTMANAGER_PATH, log }));
  // promtool checks Klaxon's own alert rules; a real Prometheus scrapes a test Klaxon.
  env.KLAXON_TEST_PROMETHEUS = JSON.stringify(
    resolvePrometheus({ explicitPath: config.PROMETHEUS_PATH, log }),
  );

  // The console's browser tests drive Chromium. Installed here, once: test files run two at a time, and
  // two installing it at once would race for dpkg's lock, one of them failing its tests.
  env.CHROMIUM_PATH = resolveChromium({ explicitPath: config.CHROMIUM_PATH, log });

  // Every app a test starts serves the built console (the API fuzzing asks its pages too), as `npm start`'s does.
  await ensureConsoleBuilt(undefined, log);

  let stopPostgres = async () => {};
  if (config.DATABASE_URL) {
    env.KLAXON_TEST_ADMIN_DATABASE_URL = config.DATABASE_URL;
    log('postgres: DATABASE_URL (each test file creates its own database)');
  } else {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-test-pg-'));
    const port = await freePort();
    const pg = await startEmbeddedPostgres({ dataDir, port, log });
    env.KLAXON_TEST_ADMIN_DATABASE_URL = pg.urlFor('postgres');
    stopPostgres = async () => {
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
    log(`postgres: embedded on port ${port} for this run`);
  }

  const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : TEST_DIRS.flatMap(findTests).sort();
  log(`running ${files.length} test files`);
  const code = await new Promise<number>((resolve) => {
    // --test-force-exit: a file whose tests and hooks are done exits even if something it started is
    // still listening (a peer whose start failed half-way), instead of holding the run until CI's deadline.
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-force-exit', ...files], {
      cwd: ROOT,
      env,
      stdio: 'inherit',
    });
    child.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
  await stopPostgres();
  log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
