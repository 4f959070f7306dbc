// Klaxon behind a real Prometheus Alertmanager: its webhook receiver and its PagerDuty receiver (with
// `url:` pointed at /v2/enqueue) turn alerts pushed with amtool into Klaxon alerts; Alertmanager's
// repeats and its retries after a lost answer never page twice; resolving in Alertmanager resolves here.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { AlertmanagerTools } from '../runtime/alertmanager-tools';
import { waitForPort } from '../runtime/temporal-tools';
import { startWorld, waitFor, type World } from './helpers/world';

const tools = JSON.parse(process.env.KLAXON_TEST_ALERTMANAGER ?? 'null') as AlertmanagerTools | null;

let w: World;
let am: ChildProcess | undefined;
let amUrl: string;
let dir: string;
let proxy: http.Server;
/** Requests Alertmanager made, by path kind ('webhook' | 'pagerduty'), and how many were answered 500 on purpose. */
const seen = { webhook: 0, pagerduty: 0, failedOnPurpose: 0 };

/**
 * Sits between Alertmanager and Klaxon. The first delivery on each receiver reaches Klaxon, but its answer
 * is replaced by a 500, as when a load balancer drops the response: Alertmanager retries a notification
 * Klaxon already accepted, which must not open a second alert or page again.
 */
function startLossyProxy(target: string): Promise<http.Server> {
  const failedOnce = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const kind = req.url?.startsWith('/v2/enqueue') ? 'pagerduty' : 'webhook';
      seen[kind] += 1;
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<string, string>;
      fetch(`${target}${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) })
        .then(async (upstream) => {
          const body = await upstream.text();
          if (upstream.status < 300 && !failedOnce.has(kind)) {
            failedOnce.add(kind);
            seen.failedOnPurpose += 1;
            res.writeHead(500, { 'content-type': 'text/plain' }).end('answer lost on the way back');
            return;
          }
          res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(body);
        })
        .catch((err: Error) => res.writeHead(502).end(err.message));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const portOf = (s: http.Server) => (s.address() as AddressInfo).port;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const port = portOf(s);
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  assert.ok(tools, 'npm test provisions Alertmanager (KLAXON_TEST_ALERTMANAGER)');
  w = await startWorld();
  await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/am` }] }], is_default: true });
  const integration = async (type: string, service: string) => {
    const res = await w.request('POST', '/integrations', { type, name: `${type} via alertmanager`, service });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.routing_key as string;
  };
  const webhookKey = await integration('alertmanager', 'infra');
  const pdKey = await integration('pagerduty', 'infra-pd');
  proxy = await startLossyProxy(w.baseUrl);
  const via = `http://127.0.0.1:${portOf(proxy)}`;

  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-am-'));
  // Short timings so a repeat and a retry happen within seconds. Both receivers sit on one route.
  writeFileSync(
    path.join(dir, 'alertmanager.yml'),
    `route:
  receiver: klaxon
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 3s
receivers:
  - name: klaxon
    webhook_configs:
      - url: ${via}/integrations/alertmanager/${webhookKey}
        send_resolved: true
    pagerduty_configs:
      - routing_key: ${pdKey}
        url: ${via}/v2/enqueue
        send_resolved: true
        severity: critical
`,
  );
  const port = await freePort();
  amUrl = `http://127.0.0.1:${port}`;
  am = spawn(
    tools.alertmanager,
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // A single instance: no gossip port to collide with other runs.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  am.stderr?.on('data', (d: Buffer) => process.stderr.write(`[alertmanager] ${d.toString()}`));
  await waitForPort(port, 20_000);
  await waitFor('alertmanager ready', async () => (await fetch(`${amUrl}/-/ready`).catch(() => undefined))?.status === 200, 20_000);
});

after(async () => {
  am?.kill('SIGTERM');
  await new Promise((resolve) => (am && am.exitCode === null ? am.once('exit', resolve) : resolve(undefined)));
  await new Promise((resolve) => proxy?.close(resolve));
  await w?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Pushes an alert into Alertmanager with amtool, the way an operator or a test rule would. */
function amtool(args: string[]): void {
  const result = spawnSync(tools!.amtool, [...args, `--alertmanager.url=${amUrl}`], { encoding: 'utf8' });
  assert.equal(result.status, 0, `amtool ${args.join(' ')}: ${result.stderr}`);
}

const alertsOf = async (service: string) =>
  (await w.db.pool.query<{ id: string; state: string; occurrences: number }>('select id, state, occurrences from alerts where service = $1', [service])).rows;

it('turns Alertmanager notifications into Klaxon alerts, dedups its repeats and retries, and follows its resolve', async () => {
  const labels = ['alertname=DiskFull', 'instance=db-1:9100', 'severity=critical'];
  amtool(['alert', 'add', ...labels, '--annotation=summary=Disk 97% full on db-1']);

  await waitFor('an alert from each receiver', async () => (await alertsOf('infra')).length === 1 && (await alertsOf('infra-pd')).length === 1, 30_000);
  // Both first deliveries were answered 500 after Klaxon accepted them, so Alertmanager sent them again;
  // then repeat_interval makes it send the still-firing alert again and again.
  await waitFor('retries and repeats arrive', () => seen.failedOnPurpose === 2 && seen.webhook >= 4 && seen.pagerduty >= 4, 40_000);

  const [viaWebhook] = await alertsOf('infra');
  const [viaPd] = await alertsOf('infra-pd');
  assert.equal(viaWebhook!.state, 'new');
  assert.equal(viaPd!.state, 'new');
  await waitFor('occurrences counted', async () => (await alertsOf('infra'))[0]!.occurrences >= 3 && (await alertsOf('infra-pd'))[0]!.occurrences >= 3, 20_000);
  assert.equal(w.hits('/am'), 2, 'one page per alert, however often Alertmanager repeats or retries');
  assert.equal((await alertsOf('infra')).length + (await alertsOf('infra-pd')).length, 2, 'no second alert from a retry');

  // Resolving in Alertmanager (the alert ends now) sends a resolved notification to both receivers.
  amtool(['alert', 'add', ...labels, '--annotation=summary=Disk 97% full on db-1', `--end=${new Date().toISOString()}`]);
  await waitFor('both Klaxon alerts resolved', async () => (await alertsOf('infra'))[0]!.state === 'resolved' && (await alertsOf('infra-pd'))[0]!.state === 'resolved', 30_000);
  assert.equal(w.hits('/am'), 2);
});
