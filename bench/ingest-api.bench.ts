/**
 * `npm run bench:batch-api`: the API's own share of answering an Alertmanager payload, without a worker
 * competing for the CPU: the app against real Postgres and the time-skipping Temporal server (which
 * accepts signal-with-start and signals without a worker), as the test harness builds it. Payloads of
 * `--size` alerts (default 50), sent one at a time: new alerts (each planned and started), then the same
 * payloads again (repeats of open alerts). Prints p50/p99 per payload. Run through scripts/test.ts,
 * which provides Postgres and the test server:
 *
 *   npx tsx scripts/test.ts bench/ingest-api.bench.ts
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startHarness } from '../test/helpers/harness';

const PAYLOADS = Number(process.env.BENCH_PAYLOADS ?? 30);
const SIZE = Number(process.env.BENCH_SIZE ?? 50);

const payload = (prefix: string) => ({
  version: '4',
  status: 'firing',
  receiver: 'klaxon',
  groupKey: `{}:{alertname="${prefix}"}`,
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  truncatedAlerts: 0,
  alerts: Array.from({ length: SIZE }, (_, i) => ({
    status: 'firing',
    labels: { alertname: prefix, instance: `host-${i}:9100`, severity: 'warning' },
    annotations: { summary: `${prefix} on host-${i}` },
    startsAt: '2026-11-27T10:00:00.000Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: `${prefix}-${i}`,
  })),
});

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

it(`answers payloads of ${SIZE} alerts`, { timeout: 1_800_000 }, async () => {
  const h = await startHarness({ inProcessWorker: false, ingestRatePerMinute: 1e9, checkResponses: false });
  try {
    const made = await h.request('POST', '/integrations', {
      type: 'alertmanager',
      name: 'bench',
      service: 'bench',
    });
    const path = `/integrations/alertmanager/${made.body.routing_key}`;
    const send = async (prefix: string) => {
      const t0 = performance.now();
      const res = await h.request('POST', path, payload(prefix), { key: null });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return performance.now() - t0;
    };
    for (let i = 0; i < 3; i++) await send(`warm-${i}`);
    const rows: [string, number[]][] = [];
    for (const [name, prefix] of [
      ['new alerts', 'new'],
      ['repeats of open alerts', 'new'],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < PAYLOADS; i++) times.push(await send(`${prefix}-${i}`));
      rows.push([name, times.sort((a, b) => a - b)]);
    }
    console.log(
      `\n${'payloads of ' + SIZE.toString()}`.padEnd(26) +
        'count'.padStart(6) +
        'p50 ms'.padStart(9) +
        'p99 ms'.padStart(9),
    );
    for (const [name, t] of rows) {
      console.log(
        name.padEnd(26) +
          String(t.length).padStart(6) +
          quantile(t, 0.5).toFixed(0).padStart(9) +
          quantile(t, 0.99).toFixed(0).padStart(9),
      );
    }
  } finally {
    await h.close();
  }
});
