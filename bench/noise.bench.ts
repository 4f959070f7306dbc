/**
 * `npm run bench:noise`: replays the synthetic stream of bench/noise-stream.ts through the real ingest
 * path (`POST /v2/enqueue`, dedup by workflow id, grouping by component) on the time-skipping server,
 * so four hours of monitoring traffic take about a minute, then reads Klaxon's own noise statistics:
 * raw events in, alerts, groups and pages out, and the noise reduction 1 − pages / raw events.
 *
 * Nobody acknowledges in this replay, and SLA targets are set beyond the stream, so every page counted
 * is a first page of an alert or group (or a reopen); escalation to later tiers is not what is measured.
 * Run with `--stream file.jsonl` to replay a recorded stream instead, or `--write file.jsonl` to save one.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { startWorld, waitFor, type World } from '../test/helpers/world';
import { DEFAULT_STREAM, describeStream, generateStream, type StreamEvent } from './noise-stream';

const SPEC_TARGET = 0.7;
const MINUTE = 60_000;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const streamFile = process.env.KLAXON_NOISE_STREAM ?? argValue('stream');
const events: StreamEvent[] = streamFile
  ? readFileSync(streamFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as StreamEvent)
  : generateStream(DEFAULT_STREAM);
const writeTo = process.env.KLAXON_NOISE_WRITE ?? argValue('write');
if (writeTo) writeFileSync(writeTo, events.map((e) => JSON.stringify(e)).join('\n') + '\n');

let w: World;
let routingKey: string;
before(async () => {
  // Storms send hundreds of events per (skipped) minute: the per-key rate limit is not what is measured.
  w = await startWorld({ ingestRatePerMinute: 1_000_000 });
  await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/oncall` }] }], is_default: true });
  for (const severity of ['critical', 'high', 'medium', 'low', 'info']) {
    const res = await w.request('PUT', `/sla/targets/shop/${severity}`, { tta_minutes: 24 * 60, ttr_minutes: 48 * 60 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const res = await w.request('POST', '/integrations', { type: 'pagerduty', name: 'monitoring', service: 'shop', group_by: ['component'], group_window_minutes: 5 });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  routingKey = res.body.routing_key;
});
after(async () => {
  await w?.close();
});

/** Sends one minute's events: each dedup key's events in order, different keys concurrently. */
async function sendBucket(bucket: StreamEvent[]): Promise<void> {
  const byKey = new Map<string, StreamEvent[]>();
  for (const e of bucket) byKey.set(e.body.dedup_key, [...(byKey.get(e.body.dedup_key) ?? []), e]);
  const chains = [...byKey.values()];
  const lanes = 16;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = lane; i < chains.length; i += lanes) {
        for (const e of chains[i]!) {
          const res = await w.request('POST', '/v2/enqueue', { routing_key: routingKey, ...e.body }, { key: null });
          assert.equal(res.status, 202, JSON.stringify(res.body));
        }
      }
    }),
  );
}

it('keeps most of a noisy afternoon out of the pager', { timeout: 900_000 }, async () => {
  const wallStart = Date.now();
  const t0 = await w.env.currentTimeMs();
  const buckets = new Map<number, StreamEvent[]>();
  for (const e of events) {
    const minute = Math.floor(e.at / MINUTE);
    buckets.set(minute, [...(buckets.get(minute) ?? []), e]);
  }
  for (const [minute, bucket] of [...buckets.entries()].sort((a, b) => a[0] - b[0])) {
    const wait = t0 + minute * MINUTE - (await w.env.currentTimeMs());
    if (wait > 0) await w.env.sleep(wait);
    await sendBucket(bucket);
  }
  // Let groups close and the last pages go out.
  await w.env.sleep(10 * MINUTE);
  await waitFor('every alert recorded', async () => (await w.db.pool.query(`select count(*)::int as n from alerts where service = 'shop'`)).rows[0].n === new Set(events.map((e) => e.body.dedup_key)).size, 60_000);

  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const stats = await w.request('GET', `/stats/noise?from=${day(wallStart - 86_400_000)}&to=${day((await w.env.currentTimeMs()) + 86_400_000)}`);
  assert.equal(stats.status, 200, JSON.stringify(stats.body));
  const total = stats.body.total as { raw_events: number; alerts: number; groups: number; pages: number; noise_reduction: number };
  const byKind = describeStream(events);
  const { rows: pagesBy } = await w.db.pool.query<{ kind: string; pages: number }>(
    `select split_part(a.dedup_key, '-', 1) as kind, count(*)::int as pages from notifications n join alerts a on a.id = n.alert_id
      where n.kind = 'page' group by 1 order by 1`,
  );
  const lines = [
    `stream: ${byKind.total} events over ${(events.at(-1)!.at / 3_600_000).toFixed(1)} h (incident ${byKind.incident}, storm ${byKind.storm}, flap ${byKind.flap}, resends ${byKind.resend})`,
    `klaxon: raw events ${total.raw_events}, alerts ${total.alerts}, groups ${total.groups}, pages ${total.pages}`,
    `pages by origin: ${pagesBy.map((r) => `${r.kind} ${r.pages}`).join(', ')}`,
    `noise reduction: ${(total.noise_reduction * 100).toFixed(1)}% (SPEC target ≥ ${SPEC_TARGET * 100}%)`,
    `replayed in ${((Date.now() - wallStart) / 1000).toFixed(1)} s of wall time`,
  ];
  for (const line of lines) console.log(`# ${line}`);
  assert.equal(total.raw_events, events.length, 'every event counted as raw');
  assert.equal(w.hits('/oncall'), total.pages, 'the pages counted are the pages the on-call receiver got');
  assert.ok(total.noise_reduction >= SPEC_TARGET, `noise reduction ${total.noise_reduction} below the SPEC target`);
});
