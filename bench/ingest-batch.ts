/**
 * `npm run bench:batch`: how long an Alertmanager webhook payload of new alerts takes to answer, against
 * the whole service as `npm start` runs it (embedded Postgres, the Temporal dev server, worker and API in
 * one process). Two phases: payloads sent one at a time, then a storm of payloads sent `--concurrency` at
 * a time. Each payload is `--size` alerts with fingerprints never seen before, so every alert is planned
 * and started. Between phases it waits until the worker has recorded every alert, so one phase's
 * backlog does not slow the next.
 *
 *   npm run bench:batch -- [--payloads 10] [--size 50] [--storm 16] [--concurrency 8]
 */
import pg from 'pg';
import { numberFlag } from './flags';
import { cleanUpOnSignals, sleep, startService } from './service';

interface Phase {
  name: string;
  latencies: number[];
  failures: number;
  wallMs: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;

function payload(prefix: string, size: number) {
  return {
    version: '4',
    groupKey: `{}:{alertname="${prefix}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'klaxon',
    groupLabels: { alertname: prefix },
    commonLabels: { alertname: prefix },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: Array.from({ length: size }, (_, i) => ({
      status: 'firing',
      labels: { alertname: prefix, instance: `host-${i}:9100`, severity: 'warning' },
      annotations: { summary: `${prefix} on host-${i}` },
      startsAt: new Date().toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: `${prefix}-${i}`,
    })),
  };
}

async function run(
  name: string,
  url: string,
  count: number,
  concurrency: number,
  size: number,
): Promise<Phase> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = Date.now();
  const sender = async () => {
    while (next < count) {
      const body = JSON.stringify(payload(`${name}-${next++}`, size));
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== 202) failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return { name, latencies: latencies.sort((a, b) => a - b), failures, wallMs: Date.now() - started };
}

async function main(): Promise<void> {
  const payloads = numberFlag('payloads', 10);
  const size = numberFlag('size', 50);
  const storm = numberFlag('storm', 16);
  const concurrency = numberFlag('concurrency', 8);
  console.log(`starting the service (npm start) in a fresh data folder; payloads of ${size} new alerts`);
  const service = await startService('batch', { INGEST_RATE_LIMIT_PER_MINUTE: '100000000' });
  const db = new pg.Pool({ connectionString: service.databaseUrl, max: 2 });
  const cleanUp = async () => {
    await db.end();
    await service.stop();
  };
  const removeSignalHandlers = cleanUpOnSignals(cleanUp);
  const recorded = async () =>
    (await db.query<{ n: number }>('select count(*)::int as n from alerts')).rows[0]!.n;
  const drain = async (expected: number) => {
    const start = Date.now();
    while ((await recorded()) < expected) {
      if (Date.now() - start > 900_000)
        throw new Error(`worker did not catch up: ${await recorded()} of ${expected} recorded`);
      await sleep(250);
    }
  };
  try {
    const made = await fetch(`${service.api}/integrations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${service.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'alertmanager', name: 'bench', service: 'bench' }),
    });
    const url = `${service.api}/integrations/alertmanager/${((await made.json()) as { routing_key: string }).routing_key}`;

    const phases: Phase[] = [];
    let total = 0;
    for (const [name, count, parallel] of [
      ['warm-up', 2, 1],
      ['one at a time', payloads, 1],
      [`storm, ${concurrency} at a time`, storm, concurrency],
    ] as const) {
      const phase = await run(name.replace(/\W+/g, '-'), url, count, parallel, size);
      total += (count - phase.failures) * size;
      await drain(total);
      if (name !== 'warm-up') phases.push({ ...phase, name });
    }

    console.log('');
    console.log(
      `${'phase'.padEnd(24)} ${'payloads'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'failed'.padStart(7)} ${'alerts/s'.padStart(9)}`,
    );
    for (const p of phases) {
      const rate = (p.latencies.length * size) / (p.wallMs / 1000);
      console.log(
        `${p.name.padEnd(24)} ${String(p.latencies.length).padStart(8)} ${quantile(p.latencies, 0.5).toFixed(0).padStart(8)} ${quantile(p.latencies, 0.99).toFixed(0).padStart(8)} ${(p.latencies.at(-1) ?? NaN).toFixed(0).padStart(8)} ${String(p.failures).padStart(7)} ${rate.toFixed(0).padStart(9)}`,
      );
    }
    console.log(
      `(alerts/s: accepted alerts over the phase's wall time; every alert was recorded by the worker before the next phase)`,
    );
  } finally {
    removeSignalHandlers();
    await cleanUp();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
