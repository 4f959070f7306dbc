// What the logs tell of a scenario: one structured line per HTTP request (request id, route template,
// status, duration, the key's name), none carrying a credential however it was sent; and the worker's
// lines, through the SDK's logger, for each tier fired, each page sent or failed and each SLA mark, with
// the alert id and the workflow id.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import { createLogger } from '../runtime/logger';
import { sdkLogEntries } from './helpers/temporal';
import { postInboundSms } from './helpers/sms-reply';
import { startWorld, waitFor, type World } from './helpers/world';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});

let w: World;
const WEBHOOK_SECRET = 'contact-method-secret-0123456789abcdef';
before(async () => {
  w = await startWorld({ log: createLogger('info', 'klaxon-test', sink) });
});
after(async () => {
  await w?.close();
});

const requestLines = () => lines.filter((l) => typeof l.reqId === 'string' && typeof l.route === 'string');

it('writes one line per request with id, route, status, duration and key name, and no secret', async () => {
  const userId = await w.user('Logged Person', [
    { type: 'sms', address: '+15550002222' },
    { type: 'webhook', address: `${w.hooks.url}/logged`, secret: WEBHOOK_SECRET } as never,
  ]);
  await w.policy({ is_default: true, tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: userId }] }] });
  const integration = await w.request('POST', '/integrations', { type: 'alertmanager', name: 'logged', service: 'logs' });
  const routingKey = integration.body.routing_key as string;
  const alert = await w.trigger({ summary: 'Queue backed up', severity: 'high', service: 'logs' });
  await waitFor('SMS page', () => w.twilio.messages.some((m) => m.to === '+15550002222'));
  const code = /ACK (\d+)/.exec(w.twilio.messages.find((m) => m.to === '+15550002222')!.body)?.[1];
  assert.ok(code, 'the SMS carries a reply code');
  assert.equal((await postInboundSms(w, '+15550002222', `ACK ${code}`)).status, 200);
  const ingest = await w.request(
    'POST',
    `/integrations/alertmanager/${routingKey}`,
    { version: '4', status: 'firing', receiver: 'r', groupKey: 'g', alerts: [{ status: 'firing', fingerprint: 'f00d', startsAt: new Date().toISOString(), labels: { alertname: 'DiskFull', severity: 'critical' }, annotations: {} }] },
    { key: null },
  );
  assert.equal(ingest.status, 202, JSON.stringify(ingest.body));
  assert.equal((await w.request('GET', '/alerts/not-a-uuid')).status, 400);
  assert.equal((await w.request('GET', '/alerts', undefined, { key: 'kx_not_a_real_key' })).status, 401);
  await w.request('GET', `/alerts/${alert.id}`, undefined, { headers: { 'x-request-id': 'trace-me-123' } });
  // The log line is written when the response finishes, a moment after the client has it.
  await new Promise((r) => setTimeout(r, 200));

  const made = w.exchanges.length + 1; // + the SMS reply, posted without request()
  const logged = requestLines();
  assert.equal(logged.length, made, `one line per request: ${logged.length} lines for ${made} requests`);
  assert.equal(new Set(logged.map((l) => l.reqId)).size, logged.length, 'request ids are unique');
  for (const l of logged) {
    assert.equal(typeof l.status, 'number');
    assert.equal(typeof l.durationMs, 'number');
    assert.match(l.route as string, /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|other) (\/|unmatched)/);
  }
  const byRoute = (route: string) => logged.filter((l) => l.route === route);
  assert.equal(byRoute('POST /alerts')[0]?.keyName, 'test-admin');
  assert.equal(byRoute('POST /alerts')[0]?.status, 201);
  assert.equal(byRoute('POST /integrations/alertmanager/:key')[0]?.integration, 'logged');
  assert.equal(byRoute('POST /integrations/twilio/sms')[0]?.status, 200);
  assert.equal(byRoute('GET /alerts/:id').find((l) => l.status === 400)?.level, 30);
  assert.ok(logged.some((l) => l.reqId === 'trace-me-123'), "a caller's X-Request-Id is kept");
  assert.equal(byRoute('GET /alerts').find((l) => l.status === 401)?.keyName, undefined);

  const all = JSON.stringify(lines);
  for (const secret of [w.adminKey, routingKey, 'kx_not_a_real_key', WEBHOOK_SECRET, w.twilio.authToken]) {
    assert.ok(!all.includes(secret), `a log line carries ${secret.slice(0, 6)}…`);
  }
});

it('logs each tier fired, page sent or failed and SLA mark from the worker, with alert and workflow id', async () => {
  // The default policy pages Logged Person by SMS and webhook; the SMS now fails for good.
  w.twilio.fail('+15550002222', { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
  const alert = await w.trigger({ summary: 'Tiered', severity: 'critical', service: 'logs', source: 'test' });
  // Critical: TTA at risk at 3 min 45 s, breached at 5 min.
  await w.env.sleep('6 minutes');
  const entries = () => sdkLogEntries().filter((e) => e.meta.alertId === alert.id);
  await waitFor('SLA breach logged', () => entries().some((e) => e.message === 'SLA tta breached'));
  for (const [what, pattern] of [
    ['tier fired', /^tier 1 fired$/],
    ['page sent', /^page sent by webhook$/],
    ['page failed', /^page by sms failed for good: twilio 400 \(code 21211\)/],
    ['SLA at risk', /^SLA tta at_risk$/],
    ['SLA breached', /^SLA tta breached$/],
  ] as const) {
    const found = entries().filter((e) => pattern.test(e.message));
    assert.ok(found.length >= 1, `${what} logged: ${JSON.stringify(entries().map((e) => e.message))}`);
    assert.equal(found[0]!.meta.workflowId, alert.workflowId, `${what} names the workflow`);
  }
});
