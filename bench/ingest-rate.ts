/**
 * `npm run bench:ingest`: the sustained rate of PagerDuty-compatible `POST /v2/enqueue` against the whole
 * service as `npm start` runs it (embedded Postgres, the Temporal dev server, worker and API in one
 * process), measured with autocannon. Two phases, reported apart because they cost different things:
 * new alerts (each one a signal-with-start that starts a workflow, which the worker then records) and
 * duplicates of one open alert (a signal to the running workflow). After the new-alert phase it also
 * measures how long the worker takes to record every accepted alert, so "accepted" cannot outrun
 * "processed" unnoticed.
 *
 *   npm run bench:ingest -- [--seconds 10] [--connections 16]
 */
import autocannon from 'autocannon';
import pg from 'pg';
import { numberFlag } from './flags';
import { cleanUpOnSignals, startService } from './service';

interface Phase {
  name: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function phase(
  name: string,
  url: string,
  seconds: number,
  connections: number,
  body: (i: number) => string,
): Promise<Phase> {
  let seq = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: body(seq++) }) }],
  });
  return {
    name,
    requests: result.requests.total,
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  const seconds = numberFlag('seconds', 10);
  const connections = numberFlag('connections', 16);
  console.log(
    `starting the service (npm start) in a fresh data folder; ${seconds} s per phase, ${connections} connections`,
  );
  const service = await startService('ingest', {
    // The per-routing-key limit protects production from a runaway sender; the benchmark measures past it.
    INGEST_RATE_LIMIT_PER_MINUTE: '100000000',
  });
  const { api, adminKey: key } = service;
  const db = new pg.Pool({ connectionString: service.databaseUrl, max: 2 });
  const cleanUp = async () => {
    await db.end();
    await service.stop();
  };
  const removeSignalHandlers = cleanUpOnSignals(cleanUp);
  try {
    const made = await fetch(`${api}/integrations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'pagerduty', name: 'bench', service: 'bench' }),
    });
    const routingKey = ((await made.json()) as { routing_key: string }).routing_key;
    const event = (dedupKey: string) =>
      JSON.stringify({
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: dedupKey,
        payload: { summary: `bench ${dedupKey}`, source: 'bench', severity: 'error' },
      });

    // Warm-up: JIT, connection pools, the workflow bundle's first run.
    await phase('warm-up', `${api}/v2/enqueue`, 2, 4, (i) => event(`warm-${i}`));

    const start = Date.now();
    const fresh = await phase('new alerts', `${api}/v2/enqueue`, seconds, connections, (i) =>
      event(`new-${i}`),
    );
    const accepted = fresh.requests - fresh.non2xx - fresh.errors;
    // The worker records each started alert in Postgres; wait until it has caught up with the API.
    const recorded = async () =>
      (await db.query<{ n: number }>(`select count(*)::int as n from alerts where dedup_key like 'new-%'`))
        .rows[0]!.n;
    while ((await recorded()) < accepted) {
      if (Date.now() - start > 600_000)
        throw new Error(`worker did not catch up: ${await recorded()} of ${accepted} recorded`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const drainedSeconds = (Date.now() - start) / 1000;

    await fetch(`${api}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: event('dup'),
    });
    const dups = await phase('duplicates of one open alert', `${api}/v2/enqueue`, seconds, connections, () =>
      event('dup'),
    );
    const occurrences = async () =>
      (await db.query<{ n: number }>(`select occurrences as n from alerts where dedup_key = 'dup'`)).rows[0]
        ?.n ?? 0;
    const dupAccepted = dups.requests - dups.non2xx - dups.errors + 1;
    const dupStart = Date.now();
    while ((await occurrences()) < dupAccepted && Date.now() - dupStart < 300_000)
      await new Promise((r) => setTimeout(r, 200));

    console.log('');
    console.log(
      `${'phase'.padEnd(30)} ${'requests'.padStart(9)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'non-2xx'.padStart(8)} ${'errors'.padStart(7)}`,
    );
    for (const p of [fresh, dups]) {
      console.log(
        `${p.name.padEnd(30)} ${String(p.requests).padStart(9)} ${p.perSecond.toFixed(0).padStart(8)} ${String(p.p50).padStart(7)} ${String(p.p99).padStart(7)} ${String(p.non2xx).padStart(8)} ${String(p.errors).padStart(7)}`,
      );
    }
    console.log('');
    console.log(
      `new alerts: ${accepted} accepted; all recorded by the worker ${drainedSeconds.toFixed(1)} s after the phase began → ${(accepted / drainedSeconds).toFixed(0)} alerts/s end to end`,
    );
    console.log(
      `duplicates: ${dupAccepted} accepted, the alert counts ${await occurrences()} occurrences (one alert, no page)`,
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
