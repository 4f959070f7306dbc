/**
 * The whole service as `npm start` runs it (embedded Postgres, the Temporal dev server, worker and API in
 * one process), started for a benchmark in a fresh data folder on free ports, with the admin key it
 * prints on first start. Stopping it stops everything it started and removes the folder.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const READY = '[klaxon] ready.';
// The first start may build the Temporal CLI (about 4 minutes on 2 cores).
const START_TIMEOUT_MS = 10 * 60_000;
const STOP_TIMEOUT_MS = 60_000;

/** The stop of every service started and not yet stopped, so that an interrupt reaches one still starting. */
const running = new Set<() => Promise<void>>();

export interface BenchService {
  /** Base URL of the API, e.g. `http://127.0.0.1:40123`. */
  api: string;
  /** The service's own database in the embedded Postgres. */
  databaseUrl: string;
  /** The admin API key printed on the first start of the empty database, or the one passed in. */
  adminKey: string;
  /** Process id of `scripts/start.ts`: the API and the worker, and the parent of Postgres and the dev server. */
  pid: number;
  /** Everything the service printed so far. */
  output(): string;
  /** Stops the service as Ctrl-C does and removes its data folder; repeating it is harmless. */
  stop(): Promise<void>;
}

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

export interface ServiceOptions {
  /**
   * An admin key the benchmark made itself. A database that already has keys (DATABASE_URL set) prints
   * none on start, so the key must come from the caller then.
   */
  adminKey?: string;
}

/**
 * Returns the started service; `env` is added to (and wins over) what the benchmark sets. With
 * DATABASE_URL and TEMPORAL_ADDRESS in `env`, `npm start` starts neither Postgres nor the dev server:
 * only the API and the worker, in one process.
 */
export async function startService(
  name: string,
  env: Record<string, string> = {},
  options: ServiceOptions = {},
): Promise<BenchService> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `klaxon-bench-${name}-`));
  chmodSync(dataDir, 0o755); // the embedded Postgres, dropped to its own user, must enter it
  const ports = {
    PORT: await freePort(),
    TEMPORAL_DEV_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    EMBEDDED_PG_PORT: await freePort(),
    // The metrics endpoints have fixed default ports, taken by any other Klaxon running on the machine.
    WORKER_METRICS_PORT: await freePort(),
  };
  const temporalMetrics = `127.0.0.1:${await freePort()}`;
  // Its own process group: Postgres and the dev server are its children, and a last-resort kill of the
  // group reaches them too.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    detached: true,
    env: {
      ...process.env,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      LOG_LEVEL: 'warn',
      KLAXON_DATA_DIR: dataDir,
      // The benchmarks' page receivers listen on loopback, which webhooks may not reach by default.
      OUTBOUND_ALLOWLIST: '127.0.0.1/32',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      TEMPORAL_METRICS_ADDRESS: temporalMetrics,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (alive) child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS))),
      ]);
      // A pending timer would keep the benchmark's process alive after it is done.
      clearTimeout(timer);
      // Whatever is left of its group (a stuck shutdown, a child that outlived it).
      try {
        process.kill(-child.pid!, 'SIGKILL');
        if (late)
          console.error(`[bench] the service did not stop within ${STOP_TIMEOUT_MS / 1000} s: killed`);
      } catch {
        // The group is gone: everything stopped.
      }
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
      running.delete(stop);
    })());
  running.add(stop);

  try {
    await waitUntilReady(
      () => out,
      exited,
      () => stopped !== undefined,
    );
    const adminKey = /admin API key, shown this once, keep it: (kx_\S+)/.exec(out)?.[1] ?? options.adminKey;
    if (!adminKey) throw new Error(`no admin key in the output of npm start:\n${out}`);
    return {
      api: `http://127.0.0.1:${ports.PORT}`,
      databaseUrl: env.DATABASE_URL || `postgres://klaxon:klaxon@127.0.0.1:${ports.EMBEDDED_PG_PORT}/klaxon`,
      adminKey,
      pid: child.pid!,
      output: () => out,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitUntilReady(
  output: () => string,
  exited: Promise<void>,
  stopping: () => boolean,
): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!output().includes(READY)) {
    if (stopping()) throw new Error('the service was stopped while it was starting');
    if (gone) throw new Error(`npm start exited before it was ready:\n${output()}`);
    if (Date.now() > deadline)
      throw new Error(`npm start not ready after ${START_TIMEOUT_MS / 60_000} min:\n${output()}`);
    await sleep(100);
  }
}

/**
 * Runs `cleanup`, stops any service still starting, and exits on Ctrl-C or SIGTERM, so an interrupted
 * benchmark leaves nothing running; returns the function that removes the handlers again.
 */
export function cleanUpOnSignals(cleanup: () => Promise<void>): () => void {
  const handler = (signal: NodeJS.Signals) => {
    console.error(`[bench] ${signal}: stopping what the benchmark started`);
    const stopAll = () => Promise.all([...running].map((stop) => stop()));
    cleanup()
      .finally(stopAll)
      .then(
        () => process.exit(130),
        (err) => {
          console.error(err);
          process.exit(130);
        },
      );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
