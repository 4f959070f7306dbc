/**
 * `npm run bench:engine`: Klaxon's new-alert path beside the least a workflow can cost, on one Temporal
 * dev server. Postgres (embedded, pg_stat_statements loaded), the dev server, Klaxon's API and worker and
 * a trivial workflow's worker run as separate processes (bench/engine-stack.ts). In one run:
 * 1. A/B rounds, interleaved A, B, A, B: A starts trivial workflows (signal-with-start, one no-op
 *    activity) from this process, B sends new quiet alerts through the PagerDuty ingest, both offered at
 *    a saturating rate with the same number in flight; A done = completed, B done = recorded in Postgres.
 * 2. A latency ramp of paging alerts (first tier pages the benchmark's webhook receiver at once):
 *    request → first page at each rate, and the first rate that does not keep up (bench/engine-report.ts).
 * 3. Alerts held open up to each count, the worker's memory there, and a second tier firing on alerts the
 *    worker's cache (WORKER_MAX_CACHED_WORKFLOWS) evicted, timed against its due time.
 * Postgres statements, history events, workflow tasks and CPU per alert per process come with them.
 *
 *   npm run bench:engine -- [--quick] [--rounds 2] [--count 1000] [--saturate-rate 200] [--in-flight 32]
 *     [--rates 10,20,30,40,50,60] [--step 45s] [--drain 2m] [--open 1000,10000] [--after-probes 3000]
 *     [--probes 20] [--tier2 5] [--cache 1000] [--fill-rate 100] [--samples 5] [--stall 1m]
 *     [--runtime compiled|tsx] [--json file] [--logs dir]
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { durationFlag, numberFlag, stringFlag } from './flags';
import { OpenWatcher, openPhase } from './engine-open';
import { renderEngine, targetRows, type EngineReport } from './engine-render';
import type { LatencyStep, StatementSample, ThroughputRound } from './engine-report';
import { judgeStep } from './engine-report';
import {
  SERVICES,
  klaxonRound,
  latencyStep,
  sampleCosts,
  spread,
  trivialRound,
  type AlertKind,
  type EngineContext,
} from './engine-rounds';
import { startEngineStack, type EngineStack } from './engine-stack';
import { startPageReceiver, type PageReceiver } from './page-receiver';
import { cleanUpOnSignals, sleep } from './service';

const say = (line: string) => console.log(`[engine] ${line}`);
const root = path.resolve(__dirname, '..');
const quick = process.argv.includes('--quick');
const pick = <T>(full: T, short: T) => (quick ? short : full);
const listFlag = (name: string, fallback: number[]) =>
  (stringFlag(name)?.split(',').map(Number) ?? fallback).filter((n) => Number.isFinite(n) && n > 0);

function options() {
  return {
    rounds: numberFlag('rounds', 2),
    count: numberFlag('count', pick(1000, 150)),
    saturateRate: numberFlag('saturate-rate', 200),
    inFlight: numberFlag('in-flight', 32),
    rates: listFlag('rates', pick([10, 20, 30, 40, 50, 60], [10, 30, 45])),
    stepMs: durationFlag('step', pick(45_000, 10_000)),
    drainMs: durationFlag('drain', pick(120_000, 30_000)),
    open: listFlag('open', pick([1000, 10000], [300, 600])).sort((a, b) => a - b),
    afterProbes: numberFlag('after-probes', pick(3000, 300)),
    probes: numberFlag('probes', pick(20, 10)),
    tier2Minutes: numberFlag('tier2', pick(5, 1)),
    cache: numberFlag('cache', pick(1000, 100)),
    fillRate: numberFlag('fill-rate', 100),
    samples: numberFlag('samples', 5),
    stallMs: durationFlag('stall', 60_000),
    // How production runs (npm run build, plain node, stack capture off), or as npm start does (tsx).
    runtime: stringFlag('runtime') === 'tsx' ? ('tsx' as const) : ('compiled' as const),
  };
}
type Options = ReturnType<typeof options>;

/** Makes the two policies, their rules and one PagerDuty integration per service; returns the routing keys. */
async function setUp(s: EngineStack, receiver: PageReceiver, o: Options): Promise<Record<AlertKind, string>> {
  const call = async (method: string, p: string, body: unknown) => {
    const res = await fetch(`${s.apiUrl}${p}`, {
      method,
      headers: { authorization: `Bearer ${s.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${p} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const hook = (p: string) => [{ type: 'webhook', url: `${receiver.url}${p}` }];
  const page = await call('POST', '/escalation-policies', {
    name: 'engine page',
    tiers: [{ delay_minutes: 0, targets: hook('/first') }],
  });
  const probe = await call('POST', '/escalation-policies', {
    name: 'engine probe',
    tiers: [
      { delay_minutes: 0, targets: hook('/probe-1') },
      { delay_minutes: o.tier2Minutes, targets: hook('/probe-2') },
    ],
  });
  // Quiet and open alerts match no rule, and there is no default policy: they record and wait.
  await call('PUT', '/escalation-rules', {
    rules: [
      { policy_id: page.id, services: [SERVICES.page] },
      { policy_id: probe.id, services: [SERVICES.probe] },
    ],
  });
  const keys = {} as Record<AlertKind, string>;
  for (const kind of Object.keys(SERVICES) as AlertKind[]) {
    const made = await call('POST', '/integrations', {
      type: 'pagerduty',
      name: kind,
      service: SERVICES[kind],
    });
    keys[kind] = String(made.routing_key);
  }
  return keys;
}

const load = () =>
  `load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')}`;

async function main(): Promise<void> {
  const o = options();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const jsonFile = path.resolve(
    stringFlag('json') ?? path.join(root, '.data', 'bench', `engine-${stamp}.json`),
  );
  const logsFlag = stringFlag('logs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-engine-'));
  chmodSync(dir, 0o755); // the embedded Postgres, dropped to its own user when run as root, must enter it
  const logs = logsFlag ? path.resolve(logsFlag) : path.join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const receiver = await startPageReceiver();
  let stack: EngineStack | undefined;
  let connection: Connection | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await connection?.close().catch(() => {});
      await stack?.stop();
      await receiver.close();
      rmSync(logsFlag ? path.join(dir, 'postgres') : dir, { recursive: true, force: true });
      if (logsFlag) rmSync(dir, { recursive: true, force: true });
    })());
  const removeSignalHandlers = cleanUpOnSignals(cleanUp);
  const began = Date.now();
  const loadBefore = load();
  try {
    say(`${quick ? 'quick' : 'full'} run; ${loadBefore}; runtime ${o.runtime}`);
    if (o.runtime === 'compiled') {
      say('npm run build');
      execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    say('starting Postgres, the dev server, the API and both workers');
    stack = await startEngineStack({
      dir,
      logs,
      workerEnv: { WORKER_MAX_CACHED_WORKFLOWS: String(o.cache) },
      runtime: o.runtime,
      log: say,
    });
    connection = await Connection.connect({ address: stack.temporalAddress });
    const ctx: EngineContext = {
      stack,
      client: new Client({ connection }),
      receiver,
      routingKeys: await setUp(stack, receiver, o),
      say,
    };
    const round = { rate: o.saturateRate, inFlight: o.inFlight, stallMs: o.stallMs };
    // Warm-up: the first workflow tasks of a fresh worker and the API's first plans are not the engine's cost.
    await trivialRound(ctx, 0, { ...round, count: 20 });
    await klaxonRound(ctx, 0, { ...round, count: 20 });

    const watcher = new OpenWatcher(ctx, o.open);
    const rounds: ThroughputRound[] = [];
    const quiet: StatementSample = { alerts: 0, api: 0, worker: 0 };
    let quietKeys: string[] = [];
    for (let i = 1; i <= o.rounds; i++) {
      const a = await trivialRound(ctx, i, { ...round, count: o.count });
      rounds.push(a);
      say(
        `A #${i}: ${a.done} of ${a.count} trivial workflows completed in ${((a.doneAt ?? a.start) - a.start) / 1000} s`,
      );
      await sleep(2_000);
      const b = await klaxonRound(ctx, i, { ...round, count: o.count });
      rounds.push(b.round);
      for (const k of ['alerts', 'api', 'worker'] as const) quiet[k] += b.statements[k];
      quietKeys = b.keys;
      say(
        `B #${i}: ${b.round.done} of ${b.round.count} alerts recorded in ${((b.round.doneAt ?? b.round.start) - b.round.start) / 1000} s`,
      );
      await watcher.check();
      await sleep(2_000);
    }
    const quietCosts = await sampleCosts(ctx, 'quiet', spread(quietKeys, o.samples), false);

    const steps: LatencyStep[] = [];
    let paging: StatementSample | undefined;
    let pagingCosts: Awaited<ReturnType<typeof sampleCosts>> = [];
    // Each rate of the ramp in turn; past the first one that does not keep up, only 10 and 30 (the
    // reported latencies) still run.
    let saturated = false;
    for (const rate of [...new Set([...o.rates, 10, 30])].sort((a, b) => a - b)) {
      if (saturated && rate !== 10 && rate !== 30) continue;
      const first = steps.length === 0;
      const r = await latencyStep(ctx, {
        rate,
        seconds: o.stepMs / 1000,
        inFlight: o.inFlight,
        drainMs: o.drainMs,
        countStatements: first,
      });
      steps.push(r.step);
      if (first) {
        paging = r.statements;
        pagingCosts = await sampleCosts(ctx, 'page', spread(r.keys, o.samples), true);
      }
      const v = judgeStep(r.step);
      saturated ||= v.saturated;
      say(
        `${rate}/s: first page p50 ${v.latency?.p50 ?? '—'} ms, p99 ${v.latency?.p99 ?? '—'} ms; ${v.saturated ? `did not keep up (${v.why})` : 'kept up'}`,
      );
      await watcher.check();
      await sleep(2_000);
    }

    const open = await openPhase(ctx, watcher, {
      targets: o.open,
      afterProbes: o.afterProbes,
      probes: o.probes,
      tier2Minutes: o.tier2Minutes,
      fillRate: o.fillRate,
      inFlight: o.inFlight,
      stallMs: o.stallMs,
    });

    const exits = [stack.temporal, stack.api, stack.worker, stack.trivial]
      .map((p) => p.counts)
      .filter((c) => c.unexpectedExits > 0)
      .map((c) => `${c.name} exited ${c.unexpectedExits}× on its own (${c.exitReasons.join('; ')})`);
    const report: EngineReport = {
      conditions: [
        `\`npm run bench:engine${quick ? ' -- --quick' : ''}\`, ${new Date(began).toISOString()}, ${((Date.now() - began) / 60_000).toFixed(1)} min; ${os.cpus().length} cores; ${loadBefore} before, ${load()} after`,
        `API and worker: ${o.runtime === 'compiled' ? 'compiled (dist/, plain node, the SDK\'s per-promise stack capture off), as `npm run api:prod` / `worker:prod`' : 'tsx, as `npm start`'}`,
        `A/B: ${o.rounds} rounds each of ${o.count} offered at ${o.saturateRate}/s, ${o.inFlight} in flight; B through \`POST /v2/enqueue\` (quiet alerts, no policy)`,
        `latency: paging alerts for ${o.stepMs / 1000} s per rate, request sent → first page at the receiver; a rate does not keep up when p99 > 5 s, recording < 90% of offered, or an alert is not paged within ${o.drainMs / 1000} s`,
        `open alerts: WORKER_MAX_CACHED_WORKFLOWS=${o.cache} passed to the worker; ${o.probes} probes with tier 2 at ${o.tier2Minutes} min, ${o.afterProbes} alerts recorded after them`,
        ...exits,
      ],
      rounds,
      steps,
      statements: { paging, quiet },
      history: { paging: pagingCosts, quiet: quietCosts },
      open: open.samples,
      probes: open.probes,
      probesEvicted: open.evicted,
      tier2Minutes: o.tier2Minutes,
      rssTargetOpen: 10_000,
    };
    const markdown = renderEngine(report);
    console.log(`\n${markdown}\n`);
    mkdirSync(path.dirname(jsonFile), { recursive: true });
    writeFileSync(jsonFile, `${JSON.stringify({ options: o, ...report }, null, 2)}\n`);
    writeFileSync(jsonFile.replace(/\.json$/, '') + '.md', `${markdown}\n`);
    say(`wrote ${jsonFile} and its .md`);
    if (targetRows(report).some((t) => t.met === false)) process.exitCode = 1;
  } finally {
    removeSignalHandlers();
    await cleanUp();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
