/** `npm run worker`'s entry point (worker/main.ts under tsx) as a process of its own, as tests start it. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far (JSON log lines and whatever reached stderr). */
  output: () => string;
  /** Its exit code once it has exited. */
  exited: Promise<number | null>;
  /** Kills it (SIGKILL) unless it has exited already, and resolves once it has: for a test's cleanup. */
  kill(): Promise<void>;
}

/** Starts the worker with env on top of this process's, logging at info so a test can read its lines. */
export function startWorkerMain(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'worker/main.ts')], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
