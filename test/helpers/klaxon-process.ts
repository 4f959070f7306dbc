/**
 * `npm run worker` and `npm run api` as their own processes (their entry points under tsx), for tests
 * of what happens at start-up and shutdown: the configuration they refuse, how they connect, how they
 * stop. Output (JSON log lines and anything printed) is collected; every process is killed at `stopAll`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './world';

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRIES = { worker: 'worker/main.ts', api: 'api/main.ts' } as const;

export interface KlaxonProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Resolves once the output matches `pattern`; rejects, with the output, after `ms` or if it exits first. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  /** Kills it (SIGKILL) unless it has exited already, and resolves once it has: for a test's cleanup. */
  kill(): Promise<void>;
}

const running = new Set<KlaxonProcess>();

/** Starts the worker or the API with the test's environment plus `env`. */
export function startKlaxonProcess(entry: keyof typeof ENTRIES, env: Record<string, string>): KlaxonProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, ENTRIES[entry])], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', WORKER_METRICS_PORT: '0', TEMPORAL_METRICS_ADDRESS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: KlaxonProcess = {
    child,
    output: () => out,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async waitFor(pattern, ms = 60_000) {
      try {
        await waitFor(`${entry} prints ${pattern}`, () => {
          if (child.exitCode !== null && !pattern.test(out)) throw new Error(`${entry} exited (${child.exitCode}) first`);
          return pattern.test(out);
        }, ms);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- ${entry} output ---\n${out}`);
      }
    },
  };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return proc;
}

/** Kills every process still running and waits for them to exit. */
export async function stopAll(): Promise<void> {
  const left = [...running];
  for (const p of left) p.child.kill('SIGKILL');
  await Promise.all(left.map((p) => p.exited));
}
