import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ReceivedRequest } from './page-receiver';
import { TIER_PATHS, analyze, type AlertRow, type Observation } from './storm-report';
import type { SentPayload } from './storm-send';
import { cluster, describeStorm, generateStorm } from './storm-stream';

const options = { seed: 1, alerts: 8, groups: 2, batch: 2, seconds: 10, resend: 0 };
const storm = generateStorm(options);
const start = 1_000_000;

/** Every payload sent on time and answered 202 after 100 ms, except those `failed` picks (503). */
function sendAll(failed: (i: number) => boolean): SentPayload[] {
  return storm.payloads.map((p, i) => ({
    group: p.group,
    kind: p.kind,
    fingerprints: p.alerts.map((a) => a.fingerprint),
    dueAt: p.at,
    sentAt: p.at,
    answeredAt: p.at + 100 * (i + 1),
    status: failed(i) ? 503 : 202,
    ...(failed(i) ? { error: 'unavailable' } : {}),
  }));
}

function observation(sent: SentPayload[], alerts: AlertRow[], requests: ReceivedRequest[]): Observation {
  return {
    options,
    counts: describeStorm(storm),
    groupKeys: storm.groupKeys,
    start,
    sent,
    samples: [
      { at: 5_000, alerts: alerts.length - 1, grouped: 0, occurrences: 0 },
      { at: 9_000, alerts: alerts.length, grouped: alerts.length, occurrences: alerts.length },
    ],
    requests,
    alerts,
    groups: storm.groupKeys.map((group_key, g) => ({
      id: `g${g}`,
      group_key,
      alerts: 4,
      leader_id: `a${g}-0`,
    })),
    load: [{ at: start, load1: 1.5 }],
  };
}

const rowsOf = (sent: SentPayload[]): AlertRow[] =>
  sent
    .filter((s) => s.status === 202)
    .flatMap((s) => s.fingerprints.map((fp) => ({ fp, g: s.group })))
    .map(({ fp, g }, i) => ({
      id: i < 2 ? `a${g}-0` : `x${i}`,
      dedup_key: fp,
      occurrences: 1,
      group_id: `g${g}`,
      cluster: cluster(g),
    }));

const page = (
  at: number,
  alertId: string,
  event = 'page',
  path: string = TIER_PATHS.first,
): ReceivedRequest => ({
  at: start + at,
  path,
  body: { event, alert: { alertId }, idempotency_key: `${alertId}:${event}` },
});

it('matches pages to groups through the alert ids and measures first-page latency from the first send', () => {
  const sent = sendAll(() => false);
  const alerts = rowsOf(sent);
  const leader0 = alerts.find((a) => a.cluster === cluster(0))!;
  const firstSent0 = Math.min(...sent.filter((s) => s.group === 0).map((s) => s.sentAt));
  const r = analyze(observation(sent, alerts, [page(firstSent0 + 1_500, leader0.id)]));
  assert.equal(r.groups[0]!.pages, 1);
  assert.equal(r.groups[0]!.firstPageLatencyMs, 1_500);
  assert.equal(r.groups[1]!.pages, 0);
  assert.equal(r.groups[1]!.firstPageLatencyMs, null);
  assert.equal(r.send.allAcceptedMs, Math.max(...sent.map((s) => s.answeredAt)));
  assert.equal(r.recording.recordedMs, 9_000);
  assert.deepEqual(r.send.non2xx, {});
  const met = Object.fromEntries(r.targets.map((t) => [t.name, t.met]));
  assert.equal(met['pages (first tier)'], false, 'one group never paged');
  assert.equal(met["slowest group's first page after its first alert"], false);
  assert.equal(met['POST latency p99 (per payload)'], true);
});

it('counts non-2xx, expects only accepted alerts, and tells SLA, second-tier and repeated pages apart', () => {
  const sent = sendAll((i) => i === 0);
  const alerts = rowsOf(sent);
  const [a, b] = [alerts[0]!, alerts.at(-1)!];
  const r = analyze(
    observation(sent, alerts.slice(0, -1), [
      page(100, a.id),
      page(200, a.id),
      page(300, b.id),
      page(400, a.id, 'sla_at_risk'),
      page(500, a.id, 'page', TIER_PATHS.second),
    ]),
  );
  assert.deepEqual(r.send.non2xx, { 503: 1 });
  assert.equal(r.send.allAcceptedMs, null);
  assert.deepEqual(r.send.firstErrors, ['503: unavailable']);
  assert.equal(r.nothingLost.acceptedEvents, 6);
  assert.equal(r.nothingLost.acceptedAlerts, 6);
  assert.equal(r.nothingLost.missingAlerts, 1, 'the last accepted alert has no row');
  assert.equal(r.pages.pages, 3);
  assert.equal(r.pages.repeatedIdempotencyKeys, 1);
  assert.equal(r.pages.unmatched, 1, 'a page of an alert without a row');
  assert.equal(r.pages.sla, 1);
  assert.equal(r.pages.secondTier, 1);
  assert.equal(r.recording.recordedMs, null, 'never all 6 in Postgres');
});
