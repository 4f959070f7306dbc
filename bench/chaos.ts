/**
 * `npm run bench:chaos`: Klaxon's processes killed and restarted while alerts escalate. Postgres
 * (embedded), the Temporal CLI dev server, the API (`npm run api`) and the worker (`npm run worker`) run
 * as separate processes on free ports in a fresh folder. A default policy pages a local webhook receiver
 * at 0, 1 and 2 minutes and nobody acknowledges, so every alert pages three times. Triggers are paced
 * over the sending window, half through POST /alerts and half through /v2/enqueue, and retried on
 * anything but a 2xx with the same dedup key; meanwhile the worker and the API are SIGKILLed (a
 * supervisor starts them again at once) and Postgres and Temporal are each restarted. Then it counts
 * alerts accepted against recorded, pages expected against received, and how late each tier came.
 *
 *   npm run bench:chaos -- [--alerts 1000] [--seconds 300] [--seed 11] [--worker-kills 10]
 *     [--api-kills 5] [--postgres-restarts 1] [--temporal-restarts 1] [--postgres-down 20]
 *     [--temporal-down 10] [--workers 1] [--in-flight 32] [--wait 900] [--settle 20] [--stall 300]
 *     [--json file] [--logs dir]
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, projectPath } from '../runtime/config';
import { ensureDatabase } from '../runtime/embedded-postgres';
import { resolveTemporalCli } from '../runtime/temporal-tools';
import { createApiKey } from '../store/api-keys';
import { migrate } from '../store/migrate';
import {
  DEFAULT_CHAOS,
  TIER_DELAYS_MINUTES,
  chaosPlan,
  type ChaosOptions,
  type ChaosPlan,
} from './chaos-plan';
import {
  RestartablePostgres,
  devServer,
  httpReady,
  klaxonProcess,
  printed,
  type Supervised,
} from './chaos-processes';
import { analyzeChaos, type AlertRecord, type ChaosObservation, type FaultDone } from './chaos-report';
import { renderChaos } from './chaos-render';
import { sendTriggers, type SendTarget, type TriggerOutcome } from './chaos-send';
import { numberFlag, stringFlag } from './flags';
import { seconds } from './format';
import { startPageReceiver, type PageReceiver } from './page-receiver';
import { cleanUpOnSignals, freePort, sleep } from './service';

const SERVICE = 'chaos';
const say = (line: string) => console.log(`[chaos] ${line}`);

interface Stack {
  postgres: RestartablePostgres;
  temporal: Supervised;
  api: Supervised;
  workers: Supervised[];
  apiUrl: string;
  pool: pg.Pool;
  adminKey: string;
}

/** Starts Postgres, migrates it and makes the benchmark's key, then the dev server, the API and the workers. */
async function startStack(dir: string, logs: string, workerCount: number): Promise<Stack> {
  const config = loadConfig();
  const cli = await resolveTemporalCli({
    toolsDir: projectPath(config.KLAXON_TOOLS_DIR),
    explicitPath: config.TEMPORAL_CLI_PATH,
    log: say,
  });
  if (cli.type !== 'existing-path')
    throw new Error(
      'the chaos benchmark runs the Temporal CLI as its own process: provision it first (npm run provision)',
    );
  const [pgPort, temporalPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const postgres = new RestartablePostgres({ dataDir: path.join(dir, 'postgres'), port: pgPort, log: say });
  await postgres.start();
  await ensureDatabase(postgres.urlFor('postgres'), 'klaxon');
  const databaseUrl = postgres.urlFor('klaxon');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('error', () => {}); // its idle clients are cut when Postgres restarts
  await migrate(pool);
  const { key: adminKey } = await createApiKey(pool, { name: 'chaos-bench', role: 'admin' });

  const temporal = devServer({
    cli: cli.path,
    port: temporalPort,
    dbFile: path.join(dir, 'temporal.db'),
    logFile: path.join(logs, 'temporal.log'),
  });
  await temporal.start();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    LOG_LEVEL: 'info',
    // The sender is one client sending a backlog after each outage: the per-key limits are not under test.
    API_RATE_LIMIT_PER_MINUTE: '1000000',
    INGEST_RATE_LIMIT_PER_MINUTE: '1000000',
    // The page receiver listens on loopback, which webhooks may not reach by default.
    OUTBOUND_ALLOWLIST: '127.0.0.1/32',
  };
  const api = klaxonProcess({
    name: 'api',
    script: 'api/main.ts',
    env,
    logFile: path.join(logs, 'api.log'),
    ready: (_out, exited) => httpReady(`${apiUrl}/healthz`, exited),
  });
  const workers = Array.from({ length: workerCount }, (_, i) =>
    klaxonProcess({
      name: workerCount === 1 ? 'worker' : `worker-${i + 1}`,
      script: 'worker/main.ts',
      env,
      logFile: path.join(logs, `worker-${i + 1}.log`),
      ready: (out, exited) => printed(out, '"msg":"worker started"', exited),
    }),
  );
  await Promise.all([api.start(), ...workers.map((w) => w.start())]);
  return { postgres, temporal, api, workers, apiUrl, pool, adminKey };
}

/** Creates the default policy (tiers at 0, 1 and 2 minutes, each its own receiver path) and the PagerDuty integration. */
async function setUp(s: Stack, receiver: PageReceiver): Promise<SendTarget> {
  const post = async (p: string, body: unknown) => {
    const res = await fetch(`${s.apiUrl}${p}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 201) throw new Error(`POST ${p} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  await post('/escalation-policies', {
    name: 'chaos',
    is_default: true,
    tiers: TIER_DELAYS_MINUTES.map((d, i) => ({
      delay_minutes: d,
      targets: [{ type: 'webhook', url: `${receiver.url}/tier-${i + 1}` }],
    })),
  });
  const integration = await post('/integrations', { type: 'pagerduty', name: 'chaos', service: SERVICE });
  return {
    api: s.apiUrl,
    adminKey: s.adminKey,
    routingKey: String(integration.routing_key),
    service: SERVICE,
  };
}

/** Runs the planned faults in order, each not before it is due and after the one before has recovered. */
async function runFaults(plan: ChaosPlan, s: Stack, start: number): Promise<FaultDone[]> {
  const done: FaultDone[] = [];
  let workerKills = 0;
  for (const f of plan.faults) {
    await sleep(start + f.at - Date.now());
    const at = Date.now() - start;
    if (f.kind === 'kill-worker') await s.workers[workerKills++ % s.workers.length]!.kill('SIGKILL');
    else if (f.kind === 'kill-api') await s.api.kill('SIGKILL');
    else if (f.kind === 'restart-postgres') await s.postgres.restart(plan.options.postgresDownSeconds * 1000);
    // A clean stop, as an upgrade or a host restart does; its SQLite file keeps every workflow.
    else await s.temporal.kill('SIGTERM', plan.options.temporalDownSeconds * 1000);
    const recoveredAt = Date.now() - start;
    done.push({ kind: f.kind, plannedAt: f.at, at, recoveredAt });
    say(`${seconds(at)}: ${f.kind}, serving again after ${seconds(recoveredAt - at)}`);
  }
  return done;
}

const readAlerts = async (pool: pg.Pool): Promise<AlertRecord[]> =>
  (
    await pool.query<{ id: string; dedup_key: string; t: number }>(
      `select id, dedup_key, (extract(epoch from triggered_at) * 1000)::float8 as t from alerts where service = $1`,
      [SERVICE],
    )
  ).rows.map((r) => ({ id: r.id, dedupKey: r.dedup_key, triggeredAt: r.t }));

async function main(): Promise<void> {
  const options: ChaosOptions = {
    seed: numberFlag('seed', DEFAULT_CHAOS.seed),
    alerts: numberFlag('alerts', DEFAULT_CHAOS.alerts),
    seconds: numberFlag('seconds', DEFAULT_CHAOS.seconds),
    workerKills: numberFlag('worker-kills', DEFAULT_CHAOS.workerKills),
    apiKills: numberFlag('api-kills', DEFAULT_CHAOS.apiKills),
    postgresRestarts: numberFlag('postgres-restarts', DEFAULT_CHAOS.postgresRestarts),
    temporalRestarts: numberFlag('temporal-restarts', DEFAULT_CHAOS.temporalRestarts),
    postgresDownSeconds: numberFlag('postgres-down', DEFAULT_CHAOS.postgresDownSeconds),
    temporalDownSeconds: numberFlag('temporal-down', DEFAULT_CHAOS.temporalDownSeconds),
  };
  const plan = chaosPlan(options);
  const waitMs = numberFlag('wait', 900) * 1000;
  const settleMs = numberFlag('settle', 20) * 1000;
  const stallMs = numberFlag('stall', 300) * 1000;
  const jsonFile = stringFlag('json');
  const logsFlag = stringFlag('logs');

  const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-chaos-'));
  chmodSync(dir, 0o755); // the embedded Postgres, dropped to its own user when run as root, must enter it
  const logs = logsFlag ? path.resolve(logsFlag) : path.join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const receiver = await startPageReceiver();
  let stack: Stack | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      if (stack) {
        await Promise.all(stack.workers.map((w) => w.stop()));
        await stack.api.stop();
        await stack.temporal.stop();
        await stack.pool.end().catch(() => {});
        await stack.postgres.stop();
      }
      await receiver.close();
      rmSync(logsFlag ? path.join(dir, 'postgres') : dir, { recursive: true, force: true });
      if (logsFlag) rmSync(dir, { recursive: true, force: true });
    })());
  const removeSignalHandlers = cleanUpOnSignals(cleanUp);
  try {
    say(
      `starting Postgres, the Temporal dev server, the API and the worker as separate processes; load ${os.loadavg()[0]!.toFixed(2)}`,
    );
    stack = await startStack(dir, logs, numberFlag('workers', 1));
    const s = stack;
    const target = await setUp(s, receiver);
    say(
      `${options.alerts} alerts over ${options.seconds} s; faults at ${plan.faults.map((f) => `${seconds(f.at)} ${f.kind}`).join(', ')}`,
    );

    const start = Date.now();
    const load: { at: number; load1: number }[] = [{ at: start, load1: os.loadavg()[0]! }];
    const loadTimer = setInterval(() => load.push({ at: Date.now(), load1: os.loadavg()[0]! }), 10_000);
    let accepted = 0;
    const [triggers, faults] = await Promise.all([
      sendTriggers(
        plan.triggers,
        target,
        start,
        { inFlight: numberFlag('in-flight', 32), requestTimeoutMs: 30_000, giveUpMs: 15 * 60_000 },
        (t) => {
          if (t.acceptedAt !== null && ++accepted % 100 === 0)
            say(`${seconds(Date.now() - start)}: ${accepted} accepted`);
        },
      ),
      runFaults(plan, s, start),
    ]);
    say(`${seconds(Date.now() - start)}: sending and faults done; waiting for every page`);

    const observation = (
      alerts: AlertRecord[],
      notifications: Record<string, number>,
      gaveUp?: string,
    ): ChaosObservation => ({
      options,
      tierDelaysMinutes: TIER_DELAYS_MINUTES,
      start,
      triggers,
      alerts,
      pages: receiver.received,
      faults,
      processes: [s.postgres.counts, s.temporal.counts, s.api.counts, ...s.workers.map((w) => w.counts)],
      notifications,
      load,
      ...(gaveUp ? { gaveUp } : {}),
    });
    const gaveUp = await settle(s.pool, triggers, receiver, observation, {
      giveUpAt: start + plan.lastPageDueMs + waitMs,
      settleMs,
      stallMs,
    });
    clearInterval(loadTimer);
    load.push({ at: Date.now(), load1: os.loadavg()[0]! });
    const { rows } = await s.pool.query<{ status: string; n: number }>(
      `select status, count(*)::int as n from notifications n join alerts a on a.id = n.alert_id
        where a.service = $1 and n.kind = 'page' group by status order by status`,
      [SERVICE],
    );
    const report = analyzeChaos(
      observation(await readAlerts(s.pool), Object.fromEntries(rows.map((r) => [r.status, r.n])), gaveUp),
    );
    console.log(`\n${renderChaos(report)}\n`);
    if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify({ ...report, triggers }, null, 2)}\n`);
    if (logsFlag) say(`process logs in ${logs}`);
    if (gaveUp || report.targets.some((t) => !t.met)) process.exitCode = 1;
  } finally {
    removeSignalHandlers();
    await cleanUp();
  }
}

/**
 * Waits until every accepted alert is recorded and every page it owes has come, then for `settleMs`
 * more (a late duplicate would come then). Returns why it gave up, or undefined once settled.
 */
async function settle(
  pool: pg.Pool,
  triggers: TriggerOutcome[],
  receiver: PageReceiver,
  observation: (alerts: AlertRecord[], notifications: Record<string, number>) => ChaosObservation,
  o: { giveUpAt: number; settleMs: number; stallMs: number },
): Promise<string | undefined> {
  let completeAt: number | undefined;
  let seen = '';
  let changedAt = Date.now();
  for (;;) {
    const alerts = await readAlerts(pool).catch(() => undefined);
    const now = Date.now();
    if (alerts) {
      const r = analyzeChaos(observation(alerts, {}));
      const state = `${alerts.length}/${receiver.received.length}`;
      if (state !== seen) [seen, changedAt] = [state, now];
      const missing = r.alerts.lost.length + r.pages.lost.length;
      if (missing === 0) completeAt ??= now;
      else completeAt = undefined;
      if (
        completeAt !== undefined &&
        now - Math.max(completeAt, receiver.received.at(-1)?.at ?? 0) >= o.settleMs
      )
        return undefined;
      const why =
        now > o.giveUpAt
          ? 'the wait ran out'
          : now - changedAt > o.stallMs
            ? `nothing changed for ${o.stallMs / 1000} s`
            : undefined;
      if (why && completeAt === undefined)
        return `${why}: ${r.alerts.lost.length} of ${triggers.filter((t) => t.acceptedAt !== null).length} accepted alerts unrecorded, ${r.pages.lost.length} of ${r.pages.expected} pages not received`;
    }
    await sleep(2_000);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
