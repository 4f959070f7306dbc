// Ctrl-C while a request waits on Temporal stops `npm start` cleanly. The real process, against a
// Temporal server the test owns (TEMPORAL_ADDRESS), which the test stops before the request: the
// request's call to Temporal then fails and is retried by the SDK, as when Ctrl-C has already stopped
// the dev server. The request is answered 503 within the drain bound, and closing the connection never
// meets a retry still scheduled (that used to crash with "Channel has been shut down").
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { freePort, start, stop } from './helpers/npm-start';
import { startTestTemporal } from './helpers/temporal';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-shutdown-'));
// Run as root, the embedded Postgres drops to its own user, which must be able to enter this folder.
chmodSync(dataDir, 0o755);
after(() => rmSync(dataDir, { recursive: true, force: true }));

it(
  'Ctrl-C while a request waits on an unreachable Temporal: 503 for the request, then a clean stop',
  { timeout: 300_000 },
  async () => {
    const temporalPort = await freePort();
    const temporal = await startTestTemporal(temporalPort);
    const ports = { PORT: await freePort(), EMBEDDED_PG_PORT: await freePort() };
    const api = `http://127.0.0.1:${ports.PORT}`;
    const running = await start({
      KLAXON_DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      PORT: String(ports.PORT),
      EMBEDDED_PG_PORT: String(ports.EMBEDDED_PG_PORT),
    }).catch(async (err) => {
      await temporal.teardown();
      throw err;
    });
    const key = /admin API key, shown this once, keep it: (kx_\S+)/.exec(running.output())?.[1];
    assert.ok(key, running.output());
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const created = await fetch(`${api}/alerts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        summary: 'Checkout errors',
        severity: 'critical',
        service: 'checkout',
        source: 'e2e',
      }),
    });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };

    await temporal.teardown();
    const sentAt = Date.now();
    const ack = fetch(`${api}/alerts/${id}/acknowledge`, { method: 'POST', headers, body: '{}' }).then(
      async (res) => ({
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: (await res.json()) as { error?: { code: string } },
      }),
      (err: Error) => ({
        status: 0,
        retryAfter: null,
        body: { error: { code: `no answer: ${err.message}` } },
      }),
    );
    // The acknowledge reads the alert from Postgres, then waits on Temporal, retrying: Ctrl-C comes then.
    await new Promise((r) => setTimeout(r, 1_500));
    const stopped = stop(running);
    const answer = await ack;
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    assert.equal(answer.body.error?.code, 'shutting_down');
    assert.equal(answer.retryAfter, '10');
    assert.ok(Date.now() - sentAt < 30_000, 'answered within the drain bound, not after every retry');

    const clean = await stopped;
    const output = running.output();
    assert.ok(clean, `Klaxon says it stopped:\n${output.slice(-3000)}`);
    assert.doesNotMatch(output, /Channel has been shut down/);
    assert.doesNotMatch(output, /Uncaught|unhandledRejection|^\s+at /m, 'no crash, no stack trace');
    assert.match(output, /api: 1 request\(s\) still waiting after 5 s answered 503/);
  },
);
