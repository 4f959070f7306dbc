/**
 * One Klaxon worker process as production or development runs it (`node dist/worker/main.js`, or
 * `node --import tsx worker/main.ts`), started for bench/runtime.ts, and what can be read of it from
 * outside: when it said it started, its CPU time and resident memory from /proc, and the Temporal SDK's
 * own metrics (workflow tasks run and replayed, workflows cached).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { processMemory } from './proc-memory';

const root = path.resolve(__dirname, '..');
const CLOCK_TICKS_PER_SECOND = 100;

export type RuntimeMode = 'tsx' | 'tsx+bundle' | 'compiled+stacks' | 'compiled';

/** How each mode starts the worker: the compiled build loads dist/workflow-bundle.js by default. */
const COMMANDS: Record<RuntimeMode, { args: string[]; env: NodeJS.ProcessEnv }> = {
  tsx: { args: ['--import', 'tsx', 'worker/main.ts'], env: {} },
  'tsx+bundle': {
    args: ['--import', 'tsx', 'worker/main.ts'],
    env: { WORKFLOW_BUNDLE_PATH: path.join(root, 'dist', 'workflow-bundle.js') },
  },
  'compiled+stacks': { args: ['dist/worker/main.js'], env: {} },
  // As `npm run worker:prod` runs it.
  compiled: { args: ['--require', './dist/worker/workflow-stack-traces.js', 'dist/worker/main.js'], env: {} },
};

export interface BenchWorker {
  mode: RuntimeMode;
  pid: number;
  /** Milliseconds from spawn to the worker's `worker started` line (Worker.create done, about to poll). */
  startMs: number;
  /** CPU seconds the process had used when it said it started. */
  startCpuS: number;
  /** CPU seconds (user + system, all threads) used so far. */
  cpuSeconds(): number;
  /** CPU seconds of the workflow thread so far (see workflowThreadCpuOf). */
  workflowCpuSeconds(): number;
  rssMb(): number;
  /** Sum of every series of an SDK metric (e.g. temporal_workflow_task_execution_latency_seconds_count). */
  sdkMetric(name: string): Promise<number>;
  stop(): Promise<void>;
}

/** Returns the CPU seconds a process (or one thread: /proc/<pid>/task/<tid>) has used, from its stat file. */
function cpuSecondsOf(pid: number, dir = `/proc/${pid}`): number {
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = readFileSync(`${dir}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Returns the CPU seconds of the SDK's workflow thread: a worker_threads thread, which Linux names
 * `node` like the main thread and V8's helpers; under load it is by far the busiest of them after the
 * main thread, which is how it is told apart (an estimate, good for comparing modes).
 */
function workflowThreadCpuOf(pid: number): number {
  let most = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (Number(tid) === pid) continue;
    const dir = `/proc/${pid}/task/${tid}`;
    if (readFileSync(`${dir}/comm`, 'utf8').trim() === 'node') most = Math.max(most, cpuSecondsOf(pid, dir));
  }
  return most;
}

/** Starts a worker in `mode` with `env` (DATABASE_URL, TEMPORAL_ADDRESS, …), profiled into profileDir if given, and returns it once it has started. */
export async function startBenchWorker(
  mode: RuntimeMode,
  env: NodeJS.ProcessEnv,
  sdkMetricsAddress: string,
  profileDir?: string,
): Promise<BenchWorker> {
  const { args: modeArgs, env: modeEnv } = COMMANDS[mode];
  // A V8 CPU profile per thread (the workflow thread is one), written when the worker exits.
  const args = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, mode)}`, ...modeArgs]
    : modeArgs;
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      ...env,
      ...modeEnv,
      LOG_LEVEL: 'info',
      WORKER_METRICS_PORT: '0',
      TEMPORAL_METRICS_ADDRESS: sdkMetricsAddress,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const startMs = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"worker started"')) resolve(Date.now() - started);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) =>
      reject(new Error(`${mode} worker exited (${code}) before starting:\n${output.slice(-2000)}`)),
    );
  });
  const pid = child.pid!;
  const startCpuS = cpuSecondsOf(pid);
  return {
    mode,
    pid,
    startMs,
    startCpuS,
    cpuSeconds: () => cpuSecondsOf(pid),
    workflowCpuSeconds: () => workflowThreadCpuOf(pid),
    rssMb: () => (processMemory(pid)?.rssKb ?? 0) / 1024,
    async sdkMetric(name) {
      const text = await (await fetch(`http://${sdkMetricsAddress}/metrics`)).text();
      let sum = 0;
      for (const [, value] of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm')))
        sum += Number(value);
      return sum;
    },
    async stop() {
      child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
