/**
 * `npm run bench:load`: 10,000 alerts held open against the service as `npm start` runs it (embedded
 * Postgres, the Temporal dev server, and the API and the worker in one process). Set-up goes through the
 * API: three responders with email, SMS and webhook contact methods on local receivers (a real SMTP
 * server, a Twilio-shaped server, a webhook receiver), a policy paging two of them at once and the third
 * an hour later, a rule sending critical alerts to it, and PagerDuty, generic and Alertmanager
 * integrations (Alertmanager's alerts grouped by its group keys). Then a seeded mix is paced at `--rate`
 * new alerts a second over four services, with repeats, acknowledges and resolves through the API, and
 * the alerts left open are held for `--hold` while memory is sampled.
 *
 * With DATABASE_URL and/or TEMPORAL_ADDRESS set, `npm start` uses them instead of starting its own
 * (then only the API and the worker run in the started process); the run's keys are its own, so earlier
 * runs on that database are left out, its escalation rules are put back at the end, and memory is read
 * only of the processes this started.
 *
 *   npm run bench:load -- [--alerts 10000] [--rate 8] [--hold 3m] [--seed 12] [--in-flight 100]
 *     [--resolve-share 0.05] [--ack-share 0.1] [--duplicate-share 0.2] [--critical-share 0.03]
 *     [--group-share 0.2] [--group-size 25] [--critical-group-share 0.2] [--wait 45m] [--stall 3m]
 *     [--page-wait 5m] [--progress 5s] [--memory-every 5s] [--json file] [--service-log file]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApiKey } from '../store/api-keys';
import { migrate } from '../store/migrate';
import { durationFlag, numberFlag, stringFlag } from './flags';
import { count, seconds } from './format';
import { startActions } from './load-actions';
import { mb, Observer } from './load-observe';
import {
  RESPONDERS,
  SECOND_TIER_DELAY_MINUTES,
  FIRST_TIER,
  SECOND_TIER,
  firstTierContacts,
  keyPatternOf,
  startReceivers,
  type Receivers,
} from './load-pages';
import { DEFAULT_LOAD, describePlan, planLoad, ROUTE_SERVICE, type LoadOptions } from './load-plan';
import { analyzeLoad, type AlertRow } from './load-report';
import { renderLoad } from './load-render';
import { RUN_SERVICES, sendEvents, type EventOutcome, type SendTarget } from './load-send';
import { cleanUpOnSignals, sleep, startService, type BenchService } from './service';

const say = (line: string) => console.log(`[load] ${line}`);
const root = path.resolve(__dirname, '..');

interface SetUp {
  target: SendTarget;
  /** The escalation rules before the run's was put first, to put back on a database that outlives it. */
  rulesBefore: unknown[];
}

/** Makes the responders, the policy, its rule and the integrations; returns where to send. */
async function setUp(service: BenchService, receivers: Receivers, runId: string): Promise<SetUp> {
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${service.api}${p}`, {
      method,
      headers: { authorization: `Bearer ${service.adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${p} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const ids: Record<string, string> = {};
  for (const r of RESPONDERS) {
    const user = await call('POST', '/users', {
      name: r.name,
      contact_methods: r.contacts.map((c) => ({
        type: c.channel,
        address: c.channel === 'webhook' ? `${receivers.webhook.url}${c.address}` : c.address,
      })),
    });
    ids[r.name] = String(user.id);
  }
  const users = (names: readonly string[]) => names.map((n) => ({ type: 'user', id: ids[n] }));
  const policy = await call('POST', '/escalation-policies', {
    name: `load ${runId}`,
    tiers: [
      { delay_minutes: 0, targets: users(FIRST_TIER) },
      // Far beyond the run: a page here means an acknowledged alert kept escalating.
      { delay_minutes: SECOND_TIER_DELAY_MINUTES, targets: users(SECOND_TIER) },
    ],
  });
  const { rules } = (await call('GET', '/escalation-rules')) as { rules: unknown[] };
  await call('PUT', '/escalation-rules', {
    rules: [{ policy_id: policy.id, severities: ['critical'], services: RUN_SERVICES }, ...rules],
  });
  const integration = async (type: string, service: string, extra: Record<string, unknown> = {}) =>
    String(
      (await call('POST', '/integrations', { type, name: `${service} ${runId}`, service, ...extra }))
        .routing_key,
    );
  return {
    target: {
      api: service.api,
      adminKey: service.adminKey,
      routingKeys: {
        pagerduty: await integration('pagerduty', ROUTE_SERVICE.pagerduty),
        generic: await integration('generic', ROUTE_SERVICE.generic, {
          mapping: {
            summary: '$.title',
            severity: '$.level',
            dedupKey: '$.id',
            status: '$.state',
            source: '$.host',
          },
        }),
        alertmanager: await integration('alertmanager', ROUTE_SERVICE.alertmanager),
      },
    },
    rulesBefore: rules,
  };
}

const uptime = () => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim().replace(/\s+/g, ' ');
  } catch {
    return `load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
};

function options(): LoadOptions {
  const d = DEFAULT_LOAD;
  return {
    seed: numberFlag('seed', d.seed),
    alerts: numberFlag('alerts', d.alerts),
    rate: numberFlag('rate', d.rate),
    resolveShare: numberFlag('resolve-share', d.resolveShare),
    ackShare: numberFlag('ack-share', d.ackShare),
    duplicateShare: numberFlag('duplicate-share', d.duplicateShare),
    criticalShare: numberFlag('critical-share', d.criticalShare),
    groupShare: numberFlag('group-share', d.groupShare),
    groupSize: numberFlag('group-size', d.groupSize),
    criticalGroupShare: numberFlag('critical-group-share', d.criticalGroupShare),
  };
}

async function main(): Promise<void> {
  const runId = `L${Date.now().toString(36)}`;
  const plan = planLoad(options(), runId);
  const counts = describePlan(plan);
  const holdMs = durationFlag('hold', 3 * 60_000);
  const waitMs = durationFlag('wait', 45 * 60_000);
  const stallMs = durationFlag('stall', 3 * 60_000);
  const progressMs = durationFlag('progress', 5_000);
  const jsonFile = path.resolve(
    stringFlag('json') ??
      path.join(root, '.data', 'bench', `load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
  );
  const serviceLog = stringFlag('service-log');
  const externalDb = process.env.DATABASE_URL || undefined;
  const externalTemporal = process.env.TEMPORAL_ADDRESS || undefined;
  const mode =
    externalDb || externalTemporal
      ? `npm start with ${[externalDb && 'DATABASE_URL', externalTemporal && 'TEMPORAL_ADDRESS'].filter(Boolean).join(' and ')}`
      : 'npm start (embedded Postgres, Temporal dev server, API and worker in one process)';
  const before = uptime();

  const receivers = await startReceivers();
  let service: BenchService | undefined;
  let db: pg.Pool | undefined;
  let observer: Observer | undefined;
  let rulesBefore: unknown[] | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await observer?.stop();
      if (externalDb && rulesBefore && service) {
        // The database outlives the run: its rules go back as they were.
        await fetch(`${service.api}/escalation-rules`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${service.adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ rules: rulesBefore }),
        }).catch((err: unknown) =>
          console.error(`[load] could not put the escalation rules back: ${String(err)}`),
        );
      }
      await db?.end();
      await service?.stop();
      await receivers.close();
    })());
  const removeSignalHandlers = cleanUpOnSignals(cleanUp);
  try {
    say(`${mode}; ${before}`);
    let adminKey: string | undefined;
    if (externalDb) {
      // A database with keys prints none on start: the benchmark makes its own.
      db = new pg.Pool({ connectionString: externalDb, max: 2 });
      await migrate(db);
      adminKey = (await createApiKey(db, { name: `load-bench ${runId}`, role: 'admin' })).key;
    }
    service = await startService(
      'load',
      {
        ...receivers.env,
        // One sender for every monitoring system and every responder: the per-key limits are not under test.
        API_RATE_LIMIT_PER_MINUTE: '1000000',
        INGEST_RATE_LIMIT_PER_MINUTE: '1000000',
        ...(externalDb ? { DATABASE_URL: externalDb } : {}),
        ...(externalTemporal ? { TEMPORAL_ADDRESS: externalTemporal } : {}),
      },
      adminKey ? { adminKey } : {},
    );
    db ??= new pg.Pool({ connectionString: service.databaseUrl, max: 2 });
    const made = await setUp(service, receivers, runId);
    rulesBefore = made.rulesBefore;
    const keyPattern = keyPatternOf(runId);
    say(
      `${count(counts.alerts)} alerts (${count(counts.openAtEnd)} left open), ${count(counts.duplicates)} repeats, ` +
        `${count(counts.byFate.ack)} acknowledges and ${count(counts.byFate.resolve)} resolves, ` +
        `${count(counts.pagedIncidents)} paged incidents; ${plan.options.rate} new alerts/s over ${seconds(counts.lastEventAt)}, then a ${seconds(holdMs)} hold`,
    );

    const start = Date.now();
    const obs = new Observer({
      db,
      start,
      services: RUN_SERVICES,
      keyPrefix: `${runId}-`,
      pid: service.pid,
      pages: () => receivers.pages(keyPattern),
      memoryEveryMs: durationFlag('memory-every', 5_000),
    });
    observer = obs;
    obs.sampleMemory();
    obs.phase = 'sending';

    const tally = { sent: 0, accepted: 0, newAccepted: 0, failed: 0, gaveUp: 0 };
    const actions = startActions(plan, {
      api: service.api,
      adminKey: service.adminKey,
      start,
      observer: obs,
      contacts: firstTierContacts(),
      pageWaitMs: durationFlag('page-wait', 5 * 60_000),
      recordWaitMs: waitMs,
      maxAttempts: 6,
      requestTimeoutMs: 60_000,
    });
    const progress = setInterval(() => {
      const s = obs.latest();
      const m = obs.memory.at(-1);
      const a = actions.counts();
      say(
        `${seconds(Date.now() - start)} ${obs.phase}: sent ${count(tally.sent)}/${count(plan.events.length)}, ` +
          `accepted ${count(tally.accepted)}, failed attempts ${count(tally.failed)} | recorded ${count(s?.recorded ?? 0)}, ` +
          `open ${count(s?.open ?? 0)}, backlog ${count(Math.max(0, tally.newAccepted - (s?.recorded ?? 0)))} | ` +
          `actions ${count(a.accepted)}/${count(a.started)} | pages ${count(receivers.count())} | ` +
          `RSS api+worker ${mb(m?.serviceKb)}, temporal ${mb(m?.temporal?.rssKb)}, postgres ${mb(m?.postgres?.rssKb)} | load ${os.loadavg()[0]!.toFixed(2)}`,
      );
    }, progressMs);
    let events: EventOutcome[];
    try {
      events = await sendEvents(
        plan,
        made.target,
        start,
        { inFlight: numberFlag('in-flight', 100), requestTimeoutMs: 60_000, maxAttempts: 5 },
        (e) => {
          tally.failed += Object.values(e.failures).reduce((n, k) => n + k, 0);
          if (e.acceptedAt === null) tally.gaveUp++;
          else {
            tally.accepted++;
            if (e.kind === 'new') tally.newAccepted++;
          }
          actions.onEvent(e);
        },
        () => tally.sent++,
      );
      say(`${seconds(Date.now() - start)}: every event answered; waiting for the responders and the record`);
      obs.phase = 'draining';
      const actionOutcomes = await actions.done();
      const gaveUp = await settle(obs, tally.newAccepted, waitMs, stallMs, start);
      say(
        `${seconds(Date.now() - start)}: holding ${count(obs.latest()?.open ?? 0)} open alerts for ${seconds(holdMs)}`,
      );
      obs.phase = 'holding';
      obs.sampleMemory();
      await sleep(holdMs);
      obs.sampleMemory();
      clearInterval(progress);
      await obs.stop();

      const where = `service = any($1) and dedup_key like $2`;
      const params = [RUN_SERVICES, `${runId}-%`];
      const rows = await db.query<AlertRow>(
        `select dedup_key, state, occurrences, group_id from alerts where ${where}`,
        params,
      );
      const groups = await db.query<{ n: number }>(
        `select count(*)::int as n from alert_groups where service = $1 and group_key like $2`,
        [ROUTE_SERVICE.alertmanager, `%load="${runId}"%`],
      );
      const report = analyzeLoad({
        plan,
        mode,
        start,
        events,
        actions: actionOutcomes,
        pages: receivers.pages(keyPattern),
        contacts: firstTierContacts(),
        samples: obs.samples,
        memory: obs.memory,
        rows: rows.rows,
        klaxonGroups: groups.rows[0]!.n,
        load: obs.load,
        uptime: { before, after: uptime() },
        ...(gaveUp ? { gaveUp } : {}),
      });
      console.log(`\n${renderLoad(report)}\n`);
      mkdirSync(path.dirname(jsonFile), { recursive: true });
      const raw = {
        samples: obs.samples,
        memory: obs.memory,
        load: obs.load,
        actions: actionOutcomes,
        events: events.map((e) => ({ ...e, key: plan.alerts[e.alert]!.key })),
        pages: receivers.pages(keyPattern),
      };
      writeFileSync(jsonFile, `${JSON.stringify({ runId, start, ...report, raw }, null, 2)}\n`);
      say(`wrote ${jsonFile}`);
      if (gaveUp) process.exitCode = 1;
    } finally {
      clearInterval(progress);
    }
  } finally {
    if (serviceLog && service) writeFileSync(serviceLog, service.output());
    removeSignalHandlers();
    await cleanUp();
  }
}

/**
 * Waits until Postgres holds every accepted alert; returns what was missing when it gave up (after
 * `waitMs`, or `stallMs` without a new record), or undefined once complete.
 */
async function settle(
  obs: Observer,
  accepted: number,
  waitMs: number,
  stallMs: number,
  start: number,
): Promise<string | undefined> {
  const began = Date.now();
  let last = -1;
  let changedAt = began;
  for (;;) {
    const recorded = obs.latest()?.recorded ?? 0;
    if (recorded >= accepted) return undefined;
    const now = Date.now();
    if (recorded !== last) [last, changedAt] = [recorded, now];
    const why =
      now - began > waitMs
        ? `after ${seconds(waitMs)}`
        : now - changedAt > stallMs
          ? `no new record for ${seconds(stallMs)}`
          : undefined;
    if (why)
      return `${why} (${seconds(now - start)} from the start), Postgres has ${count(recorded)} of ${count(accepted)} accepted alerts`;
    await sleep(1_000);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
