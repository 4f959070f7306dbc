import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAlertmanagerPayload } from '../domain/ingest/alertmanager';
import {
  DEFAULT_STORM,
  cluster,
  describeStorm,
  generateStorm,
  webhookBody,
  type Storm,
} from './storm-stream';

const full = generateStorm();
const small = generateStorm({ ...DEFAULT_STORM, alerts: 500 });

/** Each group's payloads, in stream order. */
const byGroup = (storm: Storm) => storm.groupKeys.map((_, g) => storm.payloads.filter((p) => p.group === g));

describe('generateStorm', () => {
  it('makes 10,000 alerts on 10 group keys in 200 new payloads, plus 40 resends: 20% extra events', () => {
    assert.deepEqual(describeStorm(full), {
      groups: 10,
      alerts: 10_000,
      payloads: 240,
      newPayloads: 200,
      resendPayloads: 40,
      events: 12_000,
      resentEvents: 2_000,
    });
    assert.equal(new Set(full.groupKeys).size, 10);
    for (const payloads of byGroup(full)) {
      assert.equal(new Set(payloads.flatMap((p) => p.alerts.map((a) => a.fingerprint))).size, 1_000);
      assert.equal(payloads.filter((p) => p.kind === 'resend').length, 4);
    }
  });

  it('gives every alert a distinct 16-hex-digit fingerprint, sent new exactly once', () => {
    const fresh = full.payloads
      .filter((p) => p.kind === 'new')
      .flatMap((p) => p.alerts.map((a) => a.fingerprint));
    assert.equal(fresh.length, 10_000);
    assert.equal(new Set(fresh).size, 10_000);
    for (const fp of fresh) assert.match(fp, /^[0-9a-f]{16}$/);
  });

  it('sends payloads of at most 50 alerts, each of one group key, without an alert twice', () => {
    for (const p of full.payloads) {
      assert.ok(p.alerts.length >= 1 && p.alerts.length <= 50, `${p.alerts.length} alerts`);
      assert.ok(p.alerts.every((a) => a.labels.cluster === cluster(p.group)));
      assert.equal(new Set(p.alerts.map((a) => a.fingerprint)).size, p.alerts.length);
    }
  });

  it('orders payloads by due time within the storm; each group starts new and resends only what it sent before', () => {
    const ats = full.payloads.map((p) => p.at);
    assert.deepEqual(
      ats,
      [...ats].sort((a, b) => a - b),
    );
    assert.ok(ats.every((at) => at >= 0 && at < 60_000));
    for (const payloads of byGroup(full)) {
      assert.equal(payloads[0]!.kind, 'new');
      // Every group takes part from the first seconds to the last ones.
      assert.ok(payloads[0]!.at < 60_000 / payloads.length);
      assert.ok(payloads.at(-1)!.at >= 60_000 - 60_000 / payloads.length);
      const sent = new Set<string>();
      for (const p of payloads) {
        const fps = p.alerts.map((a) => a.fingerprint);
        if (p.kind === 'resend') {
          assert.equal(p.alerts.length, 50);
          assert.ok(
            fps.every((fp) => sent.has(fp)),
            'a resend carries alerts sent earlier',
          );
        } else {
          assert.ok(fps.every((fp) => !sent.has(fp)));
          assert.ok(p.alerts.every((a) => a.firstAt === p.at));
          fps.forEach((fp) => sent.add(fp));
        }
      }
    }
  });

  it('is the same storm for the same seed, another for another seed', () => {
    assert.deepEqual(generateStorm(), full);
    const other = generateStorm({ ...DEFAULT_STORM, seed: 11 });
    assert.notDeepEqual(other.payloads[0]!.alerts[0]!.fingerprint, full.payloads[0]!.alerts[0]!.fingerprint);
  });

  it('scales down for development: 500 alerts are 10 payloads and 2 resends', () => {
    assert.deepEqual(describeStorm(small), {
      groups: 10,
      alerts: 500,
      payloads: 12,
      newPayloads: 10,
      resendPayloads: 2,
      events: 600,
      resentEvents: 100,
    });
  });

  it('spreads alerts that do not divide evenly, and makes no resends at --resend 0', () => {
    const uneven = generateStorm({ ...DEFAULT_STORM, alerts: 505, groups: 4, batch: 30, resend: 0 });
    assert.deepEqual(
      byGroup(uneven).map((ps) => ps.reduce((n, p) => n + p.alerts.length, 0)),
      [127, 126, 126, 126],
    );
    assert.ok(uneven.payloads.every((p) => p.kind === 'new' && p.alerts.length <= 30));
    assert.equal(describeStorm(uneven).events, 505);
  });

  it('refuses options that make no storm', () => {
    assert.throws(() => generateStorm({ ...DEFAULT_STORM, groups: 0 }), RangeError);
    assert.throws(() => generateStorm({ ...DEFAULT_STORM, alerts: 5, groups: 10 }), RangeError);
    assert.throws(() => generateStorm({ ...DEFAULT_STORM, batch: 0 }), RangeError);
    assert.throws(() => generateStorm({ ...DEFAULT_STORM, seconds: 0 }), RangeError);
    assert.throws(() => generateStorm({ ...DEFAULT_STORM, resend: -0.1 }), RangeError);
  });
});

describe('webhookBody', () => {
  it("is an Alertmanager v4 payload Klaxon's receiver takes: one medium trigger per fingerprint on the group's key", () => {
    const start = Date.parse('2026-03-02T08:00:00Z');
    const payload = full.payloads.find((p) => p.kind === 'resend')!;
    const parsed = parseAlertmanagerPayload(webhookBody(full, payload, start));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.value.length, payload.alerts.length);
    for (const [i, e] of parsed.value.entries()) {
      const alert = payload.alerts[i]!;
      assert.equal(e.action, 'trigger');
      assert.equal(e.dedupKey, alert.fingerprint);
      assert.equal(e.groupKey, full.groupKeys[payload.group]);
      assert.equal(e.severity, 'medium');
      assert.equal(e.labels.cluster, cluster(payload.group));
      assert.equal(e.occurredAt, new Date(start + alert.firstAt).toISOString());
    }
  });
});
