// `npm start` as a newcomer runs it: embedded Postgres, the Temporal dev server with its Web UI, the
// worker and the API in one process, on free ports and a fresh data folder; then a restart on the same
// folder keeps everything.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { freePort, start, stop } from './helpers/npm-start';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-start-'));
// Run as root, the embedded Postgres drops to its own user, which must be able to enter this folder.
chmodSync(dataDir, 0o755);
after(() => rmSync(dataDir, { recursive: true, force: true }));

it('starts everything, serves the API and the Web UI, stops on Ctrl-C, and keeps data across restarts', { timeout: 600_000 }, async () => {
  const ports = { PORT: await freePort(), TEMPORAL_DEV_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort(), EMBEDDED_PG_PORT: await freePort() };
  const sdkMetrics = `127.0.0.1:${await freePort()}`;
  const env = { KLAXON_DATA_DIR: dataDir, TEMPORAL_METRICS_ADDRESS: sdkMetrics, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  const api = `http://127.0.0.1:${ports.PORT}`;
  const ui = `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`;

  const first = await start(env);
  const output = first.output();
  assert.match(output, new RegExp(`API: ${api}`));
  assert.match(output, new RegExp(`Temporal Web UI: ${ui}`));
  const key = /admin API key, shown this once, keep it: (kx_\S+)/.exec(output)?.[1];
  assert.ok(key, `admin key printed:\n${output}`);
  const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  // And the one-time link that makes the first console admin: its token signs them in once.
  const setup = new RegExp(`set up the first console admin \\(the link works once\\): ${api}/console/setup#(\\S+)`).exec(output)?.[1];
  assert.ok(setup, `set-up link printed:\n${output}`);
  // The link opens the console (built by npm start when missing or older than web/).
  const consolePage = await fetch(`${api}/console/setup`);
  assert.equal(consolePage.status, 200);
  assert.match(await consolePage.text(), /<script type="module" src="\/console\/assets\/main-[\w-]+\.js"><\/script>/);

  // Ready once the in-process worker's first polls reached the dev server.
  let ready: { status: number; body: unknown } = { status: 0, body: null };
  for (let i = 0; i < 50 && ready.status !== 200; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 200));
    const res = await fetch(`${api}/readyz`);
    ready = { status: res.status, body: await res.json() };
  }
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
  const admin = await fetch(`${api}/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: setup, name: 'First Admin', login: 'admin@example.com', password: 'the first admin pass' }),
  });
  assert.equal(admin.status, 201, await admin.clone().text());
  assert.match(admin.headers.get('set-cookie') ?? '', /^klaxon_session=/);

  const created = await fetch(`${api}/alerts`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ summary: 'Checkout errors', severity: 'critical', service: 'checkout', source: 'e2e' }),
  });
  assert.equal(created.status, 201);
  const alert = (await created.json()) as { id: string; workflow_id: string };

  // Both scrape endpoints answer: Klaxon's on the API (the worker's half included, one process) and the SDK's.
  let metrics = '';
  for (let i = 0; i < 50 && !/klaxon_alerts_triggered_total\{[^}]*service="checkout"[^}]*\} 1/.test(metrics); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 200));
    metrics = await (await fetch(`${api}/metrics`)).text();
  }
  assert.match(metrics, /klaxon_alerts_triggered_total\{[^}]*service="checkout"[^}]*\} 1/);
  assert.match(metrics, /klaxon_build_info\{version="[^"]+",role="all"\} 1/);
  assert.match(metrics, /klaxon_task_queue_pollers\{queue="alerts"\} [1-9]/);
  assert.match(await (await fetch(`http://${sdkMetrics}/metrics`)).text(), /temporal_workflow_task_schedule_to_start_latency_seconds_bucket/);

  const page = await fetch(ui);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<html/i);
  // The Web UI's own API lists the alert's workflow when filtered by the AlertSeverity search attribute.
  const query = encodeURIComponent('AlertSeverity="critical" AND Service="checkout"');
  let listed = false;
  for (let i = 0; i < 50 && !listed; i++) {
    const res = await fetch(`${ui}/api/v1/namespaces/default/workflows?query=${query}`);
    const body = (await res.json()) as { executions?: { execution: { workflowId: string } }[] };
    listed = (body.executions ?? []).some((e) => e.execution.workflowId === alert.workflow_id);
    if (!listed) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(listed, 'workflow visible in the Web UI filtered by AlertSeverity');

  assert.ok(await stop(first), `Ctrl-C stops everything in order and says so:\n${first.output().slice(-800)}`);
  assert.match(first.output(), /\[klaxon\] stopped/);

  const second = await start(env);
  try {
    assert.doesNotMatch(second.output(), /admin API key/, 'the admin key is printed only on the first start');
    const again = await fetch(`${api}/alerts/${alert.id}`, { headers: auth });
    assert.equal(again.status, 200);
    const body = (await again.json()) as { state: string; live: { state: string } | null };
    assert.equal(body.state, 'new');
    assert.equal(body.live?.state, 'new');
  } finally {
    assert.ok(await stop(second), `stopped again:\n${second.output().slice(-800)}`);
  }
});
