/**
 * `npm run bench:storm`: a real outage's alert storm from Alertmanager (10,000 alerts on 10 group keys
 * within a minute, payloads of 50, plus re-notifications) against the whole service as `npm start` runs
 * it. Setup goes through the API: a default policy paging a local webhook receiver at once (and a second
 * tier long after the storm), and an Alertmanager integration. It reports POST latency, acceptance, how
 * long until Postgres holds every alert, whether anything was lost, and the pages: one per group is the
 * target, each within 5 s of the group's first alert.
 *
 *   npm run bench:storm -- [--alerts 10000] [--groups 10] [--batch 50] [--seconds 60] [--resend 0.2]
 *     [--seed 10] [--wait 300] [--settle 10] [--stall 120] [--request-timeout 300] [--json file]
 *     [--service-log file]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { numberFlag, stringFlag } from './flags';
import { startPageReceiver, type PageReceiver } from './page-receiver';
import { cleanUpOnSignals, sleep, startService, type BenchService } from './service';
import {
  TIER_PATHS,
  analyze,
  type AlertRow,
  type DbSample,
  type GroupRow,
  type Observation,
} from './storm-report';
import { renderReport } from './storm-render';
import { isAccepted, sendStorm, type SentPayload } from './storm-send';
import { DEFAULT_STORM, describeStorm, generateStorm, type StormOptions } from './storm-stream';

const SERVICE = 'storm';
const POLL_MS = 500;

/** Creates the default policy and the Alertmanager integration; returns the receiver URL to post to. */
async function setUp(service: BenchService, receiver: PageReceiver): Promise<string> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${service.api}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${service.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  await post('/escalation-policies', {
    name: 'storm',
    is_default: true,
    tiers: [
      { delay_minutes: 0, targets: [{ type: 'webhook', url: `${receiver.url}${TIER_PATHS.first}` }] },
      // Long after the storm: a page here means an alert escalated, which the storm never should.
      { delay_minutes: 30, targets: [{ type: 'webhook', url: `${receiver.url}${TIER_PATHS.second}` }] },
    ],
  });
  const integration = await post('/integrations', { type: 'alertmanager', name: 'storm', service: SERVICE });
  return `${service.api}${String(integration.endpoint)}`;
}

/** Polls Postgres and the machine's load until stopped; sample times are relative to `start`. */
function observe(db: pg.Pool, start: number) {
  const samples: DbSample[] = [];
  const load: { at: number; load1: number }[] = [];
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      if (i % 10 === 0) load.push({ at: Date.now(), load1: os.loadavg()[0]! });
      try {
        const { rows } = await db.query<Omit<DbSample, 'at'>>(
          `select count(*)::int as alerts, count(group_id)::int as grouped,
                  coalesce(sum(occurrences), 0)::int as occurrences
             from alerts where service = $1`,
          [SERVICE],
        );
        samples.push({ at: Date.now() - start, ...rows[0]! });
      } catch (err) {
        // A slow or failed poll leaves a gap in the samples; the settle wait is bounded anyway.
        if (!stopped) console.error(`[bench] polling Postgres failed: ${String(err)}`);
      }
      await sleep(POLL_MS);
    }
    load.push({ at: Date.now(), load1: os.loadavg()[0]! });
  })();
  return {
    samples,
    load,
    latest: () => samples.at(-1),
    /** Stops polling; harmless to repeat. */
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

interface SettleOptions {
  /** Give up this long after the storm was sent. */
  waitMs: number;
  /** Settled: everything recorded, and no page for this long. */
  settleMs: number;
  /** Give up sooner when nothing has changed in Postgres or at the receiver for this long. */
  stallMs: number;
}

/**
 * Waits until Postgres holds every accepted alert, grouped, with its occurrences, and no page has come
 * for a while. Returns what was still missing when it gave up, or undefined once settled.
 */
async function settle(
  sent: SentPayload[],
  latest: () => DbSample | undefined,
  receiver: PageReceiver,
  opts: SettleOptions,
): Promise<string | undefined> {
  const accepted = sent.filter(isAccepted);
  const alerts = new Set(accepted.flatMap((s) => s.fingerprints)).size;
  const events = accepted.reduce((n, s) => n + s.fingerprints.length, 0);
  const began = Date.now();
  let completeAt: number | undefined;
  let seen = '';
  let changedAt = began;
  for (;;) {
    const s = latest();
    const now = Date.now();
    const state = `${s?.alerts}/${s?.grouped}/${s?.occurrences}/${receiver.received.length}`;
    if (state !== seen) [seen, changedAt] = [state, now];
    if (s && s.alerts >= alerts && s.grouped >= alerts && s.occurrences >= events) completeAt ??= now;
    const lastPage = receiver.received.at(-1)?.at ?? 0;
    if (completeAt !== undefined && now - Math.max(completeAt, lastPage) >= opts.settleMs) return undefined;
    const stalled = completeAt === undefined && now - changedAt > opts.stallMs;
    if (stalled || now - began > opts.waitMs) {
      const why = stalled ? `nothing changed for ${opts.stallMs / 1000} s` : `after ${opts.waitMs / 1000} s`;
      const quiet = lastPage
        ? `the last page came ${((now - lastPage) / 1000).toFixed(0)} s ago`
        : 'no page came';
      return (
        `${why}, Postgres has ${s?.alerts ?? 0} of ${alerts} accepted alerts, ${s?.grouped ?? 0} with a group, ` +
        `and ${s?.occurrences ?? 0} of ${events} occurrences; ${quiet}`
      );
    }
    await sleep(POLL_MS);
  }
}

async function main(): Promise<void> {
  const options: StormOptions = {
    seed: numberFlag('seed', DEFAULT_STORM.seed),
    alerts: numberFlag('alerts', DEFAULT_STORM.alerts),
    groups: numberFlag('groups', DEFAULT_STORM.groups),
    batch: numberFlag('batch', DEFAULT_STORM.batch),
    seconds: numberFlag('seconds', DEFAULT_STORM.seconds),
    resend: numberFlag('resend', DEFAULT_STORM.resend),
  };
  const settleOptions: SettleOptions = {
    waitMs: numberFlag('wait', 300) * 1000,
    settleMs: numberFlag('settle', 10) * 1000,
    stallMs: numberFlag('stall', 120) * 1000,
  };
  const requestTimeoutMs = numberFlag('request-timeout', 300) * 1000;
  const jsonFile = stringFlag('json');
  const serviceLog = stringFlag('service-log');
  const storm = generateStorm(options);
  const counts = describeStorm(storm);

  const receiver = await startPageReceiver();
  let service: BenchService | undefined;
  let db: pg.Pool | undefined;
  let observer: ReturnType<typeof observe> | undefined;
  let cleaning: Promise<void> | undefined;
  // Once, whether the storm ends, fails or is interrupted.
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await observer?.stop();
      await db?.end();
      await service?.stop();
      await receiver.close();
    })());
  const removeSignalHandlers = cleanUpOnSignals(cleanUp);
  try {
    console.log(
      `starting the service (npm start) in a fresh data folder; load ${os.loadavg()[0]!.toFixed(2)}`,
    );
    service = await startService('storm');
    db = new pg.Pool({ connectionString: service.databaseUrl, max: 2 });
    const url = await setUp(service, receiver);
    console.log(
      `storm: ${counts.alerts} alerts on ${counts.groups} group keys, ${counts.payloads} payloads ` +
        `(${counts.resendPayloads} resends, ${counts.events} events) over ${options.seconds} s`,
    );
    const start = Date.now();
    observer = observe(db, start);
    const sent = await sendStorm(storm, url, start, requestTimeoutMs);
    console.log(
      `sent in ${((Date.now() - start) / 1000).toFixed(1)} s; waiting for Postgres and the pages to settle`,
    );
    const gaveUp = await settle(sent, observer.latest, receiver, settleOptions);
    await observer.stop();
    const alerts = await db.query<AlertRow>(
      `select id, dedup_key, occurrences, group_id, labels->>'cluster' as cluster from alerts where service = $1`,
      [SERVICE],
    );
    const groups = await db.query<GroupRow>(
      `select id, group_key, alerts, leader_id from alert_groups where service = $1`,
      [SERVICE],
    );
    const observation: Observation = {
      options,
      counts,
      groupKeys: storm.groupKeys,
      start,
      sent,
      samples: observer.samples,
      requests: receiver.received,
      alerts: alerts.rows,
      groups: groups.rows,
      load: observer.load,
      ...(gaveUp ? { gaveUp } : {}),
    };
    const report = analyze(observation);
    console.log(`\n${renderReport(report)}\n`);
    if (jsonFile) {
      const { sent: payloads, samples, load } = observation;
      const raw = {
        payloads: payloads.map(({ fingerprints, ...p }) => ({ ...p, alerts: fingerprints.length })),
        samples,
        load,
      };
      writeFileSync(jsonFile, `${JSON.stringify({ ...report, raw }, null, 2)}\n`);
      console.log(`wrote ${jsonFile}`);
    }
    if (gaveUp) process.exitCode = 1;
  } finally {
    if (serviceLog && service) writeFileSync(serviceLog, service.output());
    removeSignalHandlers();
    await cleanUp();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
