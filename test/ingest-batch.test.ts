// A batch of events is delivered concurrently across dedup keys and in order within one: a trigger and
// its resolve of one fingerprint in one Alertmanager payload end resolved (and a resolve before its
// trigger is dropped, as it arrived first), 50 distinct alerts in one payload are all delivered with
// their keys in the payload's order, and one failed delivery fails the request.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { createApp } from '../api/app';
import { listen } from '../api/listen';
import { createLogger } from '../runtime/logger';
import { alertWorkflowId } from '../workflows/messages';
import { startHarness, type Harness } from './helpers/harness';
import { waitFor } from './helpers/world';

let h: Harness;
let key: string;
before(async () => {
  h = await startHarness();
  const res = await h.request('POST', '/integrations', {
    type: 'alertmanager',
    name: 'am',
    service: 'infra',
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  key = res.body.routing_key;
});
after(async () => {
  await h?.close();
});

type Am = { fingerprint: string; status: 'firing' | 'resolved' };
const payload = (alerts: Am[]) => ({
  version: '4',
  status: 'firing',
  receiver: 'klaxon',
  groupKey: `{}:{batch="${alerts[0]?.fingerprint ?? ''}"}`,
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  truncatedAlerts: 0,
  alerts: alerts.map((a) => ({
    status: a.status,
    labels: { alertname: 'DiskFull', instance: a.fingerprint, severity: 'warning' },
    annotations: { summary: `disk full on ${a.fingerprint}` },
    startsAt: '2026-11-27T10:00:00.000Z',
    endsAt: a.status === 'resolved' ? '2026-11-27T10:05:00.000Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: a.fingerprint,
  })),
});
const post = (alerts: Am[]) =>
  h.request('POST', `/integrations/alertmanager/${key}`, payload(alerts), { key: null });
const alertOf = async (fingerprint: string) =>
  (await h.db.pool.query('select state, occurrences from alerts where dedup_key = $1', [fingerprint])).rows;

describe('an Alertmanager batch', () => {
  it('delivers a trigger and its resolve of one fingerprint in that order, beside other alerts', async () => {
    const res = await post([
      { fingerprint: 'order-a', status: 'firing' },
      { fingerprint: 'order-b', status: 'firing' },
      { fingerprint: 'order-a', status: 'resolved' },
      { fingerprint: 'order-c', status: 'firing' },
      // Resolved before it fired: the resolve reaches nothing and is dropped, the trigger opens the alert.
      { fingerprint: 'order-d', status: 'resolved' },
      { fingerprint: 'order-d', status: 'firing' },
    ]);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.deepEqual(res.body.dedup_keys, ['order-a', 'order-b', 'order-a', 'order-c', 'order-d', 'order-d']);
    await waitFor('a resolved', async () => (await alertOf('order-a'))[0]?.state === 'resolved');
    await waitFor('b, c and d recorded', async () =>
      (await Promise.all(['order-b', 'order-c', 'order-d'].map(alertOf))).every((r) => r.length === 1),
    );
    for (const fp of ['order-b', 'order-c', 'order-d']) assert.equal((await alertOf(fp))[0].state, 'new', fp);
  });

  it('delivers 50 distinct alerts, answering their keys in the payload order', async () => {
    const fingerprints = Array.from({ length: 50 }, (_, i) => `storm-${String(i).padStart(2, '0')}`);
    const res = await post(fingerprints.map((fingerprint) => ({ fingerprint, status: 'firing' })));
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.deepEqual(res.body.dedup_keys, fingerprints);
    const recorded = async () =>
      (
        await h.db.pool.query<{ n: number }>(
          `select count(*)::int as n from alerts where dedup_key like 'storm-%'`,
        )
      ).rows[0]!.n;
    await waitFor('50 alerts', async () => (await recorded()) === 50, 60_000);
    // Each a distinct workflow, started exactly once.
    for (const fp of [fingerprints[0]!, fingerprints[49]!]) {
      const d = await h.env.client.workflow.getHandle(alertWorkflowId('infra', fp)).describe();
      assert.equal(d.status.name, 'RUNNING');
    }
  });

  it('fails the request when one delivery fails, never 202', async () => {
    // The same stack, but Temporal refuses to start one of the alerts.
    const failing = alertWorkflowId('infra', 'fail-b');
    const workflow = new Proxy(h.env.client.workflow, {
      get(target, prop, receiver) {
        if (prop !== 'signalWithStart') return Reflect.get(target, prop, receiver);
        return (type: string, opts: { workflowId: string }) => {
          if (opts.workflowId === failing)
            return Promise.reject(new Error('14 UNAVAILABLE: the frontend went away'));
          return (target.signalWithStart as (t: string, o: unknown) => Promise<unknown>).call(
            target,
            type,
            opts,
          );
        };
      },
    });
    const temporal = { workflow } as unknown as Client;
    const app = createApp({ pool: h.db.pool, temporal, taskQueue: h.taskQueue, log: createLogger('silent') });
    const server: Server = await listen(app, 0);
    try {
      const address = server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const alerts: Am[] = ['fail-a', 'fail-b', 'fail-c', 'fail-d'].map((fingerprint) => ({
        fingerprint,
        status: 'firing',
      }));
      const res = await fetch(`${base}/integrations/alertmanager/${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload(alerts)),
      });
      assert.equal(res.status, 500, await res.text());
      // Retried once the cause is gone (here: through the app that reaches Temporal), every alert opens once.
      const retry = await post(alerts);
      assert.equal(retry.status, 202);
      await waitFor('all four', async () =>
        (await Promise.all(alerts.map((a) => alertOf(a.fingerprint)))).every((r) => r.length === 1),
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
