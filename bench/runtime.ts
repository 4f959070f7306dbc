/**
 * `npm run bench:runtime`: what the production runtime changes, measured with the real Klaxon worker
 * against an embedded Postgres and the Temporal CLI dev server (both started here, in a temporary folder).
 *
 * 1. Start and CPU per workflow task, for the worker under tsx bundling workflows/ at start (as `npm run
 *    worker`), under tsx with the prebuilt bundle, compiled with the SDK's promise stacks, and as `npm run
 *    worker:prod` runs it (compiled, stacks off): each opens
 *    --alerts alerts (no policy: recorded, then waiting) and then signals each a repeat --signals times.
 * 2. Memory per cached workflow: one compiled worker whose cache holds them all, resident memory read as
 *    the open alerts reach each of --memory.
 * 3. A bounded cache: a new compiled worker with --small-cache takes those alerts over, and every alert
 *    gets one more repeat: tasks of alerts outside the cache replay their history. CPU per task and the
 *    memory it ends at say what a cache smaller than the open alerts costs.
 * `--profile dir` writes V8 CPU profiles of part 1's workers there. Run `npm run build` first. The machine is shared: compare the modes' ratios within one run.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { signalRepeat, triggerAlert, type TriggerDeps } from '../api/trigger';
import { loadConfig, projectPath } from '../runtime/config';
import { ensureDatabase, startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { registerSearchAttributes, startDevServer } from '../runtime/temporal';
import { resolveTemporalCli } from '../runtime/temporal-tools';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { alertWorkflowId } from '../workflows/messages';
import { freePort } from './service';
import { numberFlag, stringFlag } from './flags';
import { startBenchWorker, type BenchWorker, type RuntimeMode } from './runtime-worker';

const ALERTS = numberFlag('alerts', 300);
const SIGNALS = numberFlag('signals', 2);
const MEMORY_POINTS = (stringFlag('memory') ?? '500,2000,5000').split(',').map(Number);
const SMALL_CACHE = numberFlag('small-cache', 1000);
const IN_FLIGHT = 16;
const PROFILE_DIR = stringFlag('profile');
const WFT = 'temporal_workflow_task_execution_latency_seconds_count';
// Tasks for a workflow still in the cache; the others replay its whole history first.
const HITS = 'temporal_sticky_cache_hit_total';
const CACHED = 'temporal_sticky_cache_size';

const say = (line: string) => console.log(`[runtime] ${line}`);

/** Runs fn over 0..n-1 with IN_FLIGHT calls at a time. */
async function each(n: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** Waits until the worker has run no workflow task for 3 s (after `check` holds), and returns the task count. */
async function settled(w: BenchWorker, check: () => Promise<boolean> = async () => true): Promise<number> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 500));
  let last = -1;
  for (;;) {
    const now = await w.sdkMetric(WFT);
    if (now === last) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 3_000));
  }
}

interface Phase {
  tasks: number;
  hits: number;
  cpuS: number;
  /** Of cpuS, the workflow thread's. */
  workflowCpuS: number;
  seconds: number;
}

/** Runs `drive` and returns the workflow tasks, cache hits and worker CPU it took, once the worker is quiet. */
async function measure(
  w: BenchWorker,
  drive: () => Promise<void>,
  done: () => Promise<boolean>,
): Promise<Phase> {
  const [tasks0, hits0, cpu0, workflowCpu0, t0] = [
    await w.sdkMetric(WFT),
    await w.sdkMetric(HITS),
    w.cpuSeconds(),
    w.workflowCpuSeconds(),
    Date.now(),
  ];
  await drive();
  const tasks = (await settled(w, done)) - tasks0;
  // The 3 s of quiet that settled() waits for are left in: an idle worker's polls cost next to nothing.
  return {
    tasks,
    hits: (await w.sdkMetric(HITS)) - hits0,
    cpuS: w.cpuSeconds() - cpu0,
    workflowCpuS: w.workflowCpuSeconds() - workflowCpu0,
    seconds: (Date.now() - t0) / 1000,
  };
}

const ms = (cpuS: number, tasks: number) => `${((cpuS * 1000) / Math.max(tasks, 1)).toFixed(2)} ms`;
const perTask = (p: Phase) =>
  `${ms(p.cpuS, p.tasks)} CPU/task, ${ms(p.workflowCpuS, p.tasks)} of it the workflow thread's (${p.tasks} tasks, ${p.hits} from the cache, ${p.cpuS.toFixed(1)} s CPU, ${p.seconds.toFixed(0)} s)`;

async function main(): Promise<void> {
  const config = loadConfig();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-bench-runtime-'));
  // Run as root, the embedded Postgres drops to its own user, which must be able to enter this folder.
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
  let temporal: TestWorkflowEnvironment | undefined;
  try {
    await ensureDatabase(pg.urlFor('postgres'), 'klaxon');
    const databaseUrl = pg.urlFor('klaxon');
    const pool = createPool(databaseUrl);
    await migrate(pool);
    const executable = await resolveTemporalCli({
      toolsDir: projectPath(config.KLAXON_TOOLS_DIR),
      explicitPath: config.TEMPORAL_CLI_PATH,
      log: say,
    });
    const port = await freePort();
    temporal = await startDevServer({
      executable,
      port,
      uiPort: await freePort(),
      dbFile: path.join(dir, 'temporal.db'),
      namespace: 'default',
    });
    await registerSearchAttributes(temporal.connection, 'default');
    const address = `127.0.0.1:${port}`;
    const client = new Client({ connection: temporal.connection });
    const env = { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: address };
    const metrics = `127.0.0.1:${await freePort()}`;

    const deps = (taskQueue: string): TriggerDeps => ({
      pool,
      workflows: client.workflow,
      taskQueue,
      slaAtRiskFraction: 0.75,
      reopenWindowMs: 30 * 60_000,
    });
    const service = (queue: string) => `bench-${queue}`;
    const open = (queue: string, from: number, to: number) =>
      each(to - from, (i) =>
        triggerAlert(deps(queue), {
          summary: `runtime bench ${from + i}`,
          severity: 'high',
          service: service(queue),
          source: 'bench',
          dedupKey: `k${from + i}`,
          labels: {},
          details: {},
          links: [],
        }),
      );
    const repeat = (queue: string, n: number) =>
      each(n, (i) =>
        signalRepeat(client.workflow, alertWorkflowId(service(queue), `k${i}`), {
          eventId: `r-${Date.now()}-${i}`,
          summary: 'repeat',
          source: 'bench',
          severity: 'high',
          acceptedAt: Date.now(),
        }),
      );
    const counted = async (queue: string, alerts: number, occurrences: number) => {
      const { rows } = await pool.query<{ n: string; o: string }>(
        'select count(*) as n, coalesce(sum(occurrences), 0) as o from alerts where service = $1',
        [service(queue)],
      );
      return Number(rows[0]!.n) >= alerts && Number(rows[0]!.o) >= occurrences;
    };

    say(`1. start and CPU per task: ${ALERTS} alerts, ${SIGNALS} repeats each, per mode`);
    const rows: string[] = [];
    for (const mode of ['tsx', 'tsx+bundle', 'compiled+stacks', 'compiled'] as RuntimeMode[]) {
      const queue = `rt-${mode.replace('+', '-')}`;
      const w = await startBenchWorker(mode, { ...env, TEMPORAL_TASK_QUEUE: queue }, metrics, PROFILE_DIR);
      say(
        `${mode}: started in ${w.startMs} ms (${w.startCpuS.toFixed(1)} s CPU), RSS ${w.rssMb().toFixed(0)} MB`,
      );
      const opened = await measure(
        w,
        () => open(queue, 0, ALERTS),
        () => counted(queue, ALERTS, ALERTS),
      );
      say(`${mode}: open   ${perTask(opened)}`);
      let total = ALERTS;
      const repeats: Phase[] = [];
      for (let s = 0; s < SIGNALS; s++) {
        total += ALERTS;
        repeats.push(
          await measure(
            w,
            () => repeat(queue, ALERTS),
            () => counted(queue, ALERTS, total),
          ),
        );
        say(`${mode}: repeat ${perTask(repeats.at(-1)!)}`);
      }
      const sum = repeats.reduce(
        (a, p) => ({
          tasks: a.tasks + p.tasks,
          hits: a.hits + p.hits,
          cpuS: a.cpuS + p.cpuS,
          workflowCpuS: a.workflowCpuS + p.workflowCpuS,
          seconds: a.seconds + p.seconds,
        }),
        { tasks: 0, hits: 0, cpuS: 0, workflowCpuS: 0, seconds: 0 },
      );
      rows.push(
        `| ${mode} | ${w.startMs} ms | ${w.startCpuS.toFixed(1)} s | ${ms(opened.cpuS, opened.tasks)} (${ms(opened.workflowCpuS, opened.tasks)}) | ${ms(sum.cpuS, sum.tasks)} (${ms(sum.workflowCpuS, sum.tasks)}) | ${w.rssMb().toFixed(0)} MB |`,
      );
      await w.stop();
    }
    console.log(
      '\n| worker | start | start CPU | CPU/task (workflow thread), opening | the same, repeats | RSS after |\n|---|---|---|---|---|---|',
    );
    console.log(rows.join('\n') + '\n');

    const most = Math.max(...MEMORY_POINTS);
    say(
      `2. memory per cached workflow: compiled, cache ${most + 100}, open alerts at ${MEMORY_POINTS.join(', ')}`,
    );
    const queue = 'rt-memory';
    const big = await startBenchWorker(
      'compiled',
      { ...env, TEMPORAL_TASK_QUEUE: queue, WORKER_MAX_CACHED_WORKFLOWS: String(most + 100) },
      metrics,
    );
    const points: { open: number; cached: number; rss: number }[] = [
      { open: 0, cached: 0, rss: big.rssMb() },
    ];
    let opened = 0;
    for (const point of MEMORY_POINTS) {
      await measure(
        big,
        () => open(queue, opened, point),
        () => counted(queue, point, point),
      );
      opened = point;
      points.push({ open: point, cached: await big.sdkMetric(CACHED), rss: big.rssMb() });
      say(`open ${point}: cached ${points.at(-1)!.cached}, RSS ${points.at(-1)!.rss.toFixed(0)} MB`);
    }
    await big.stop();
    const [first, last] = [points[1]!, points.at(-1)!];
    say(
      `RSS per cached workflow: ${((last.rss - first.rss) / (last.cached - first.cached)).toFixed(3)} MB (${first.open} → ${last.open} open)`,
    );

    say(`3. a cache of ${SMALL_CACHE} takes ${opened} open alerts over; one repeat each`);
    const small = await startBenchWorker(
      'compiled',
      { ...env, TEMPORAL_TASK_QUEUE: queue, WORKER_MAX_CACHED_WORKFLOWS: String(SMALL_CACHE) },
      metrics,
    );
    const takeover = await measure(
      small,
      () => repeat(queue, opened),
      () => counted(queue, opened, opened * 2),
    );
    say(
      `takeover: ${perTask(takeover)}; cached ${await small.sdkMetric(CACHED)}, RSS ${small.rssMb().toFixed(0)} MB`,
    );
    const again = await measure(
      small,
      () => repeat(queue, opened),
      () => counted(queue, opened, opened * 3),
    );
    say(
      `again:    ${perTask(again)}; cached ${await small.sdkMetric(CACHED)}, RSS ${small.rssMb().toFixed(0)} MB`,
    );
    await small.stop();
    await pool.end();
  } finally {
    await temporal?.teardown();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
