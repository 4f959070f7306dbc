// The console's set-up snippets for a new integration: each names the real ingest route for its kind,
// carries the routing key, and sends a body the real parser for that kind accepts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ingestRoutes } from '../api/schemas/ingest';
import { parseAlertmanagerPayload } from '../domain/ingest/alertmanager';
import { parseAnomalyEvent } from '../domain/ingest/anomaly';
import { applyMapping } from '../domain/ingest/generic';
import { parsePagerDutyEvent } from '../domain/ingest/pagerduty';
import { ACCESS } from '../api/access';
import {
  alertmanagerReceiver,
  cronEvery,
  heartbeatSnippets,
  heartbeatUrl,
  ingestUrl,
  integrationSnippets,
  nest,
  shellQuote,
  type IntegrationType,
} from '../web/ingest-snippets';

const ORIGIN = 'https://klaxon.example.com';
const KEY = 'kx_abcDEF123';

/** The path of the documented ingest route for a kind, with the key in place of :key. */
function routePath(type: IntegrationType): string {
  const route = type === 'pagerduty' ? ingestRoutes.pagerduty : ingestRoutes.receivers[type];
  return route.path.replace(':key', KEY);
}

/** Runs a curl snippet's words through a tiny POSIX-quote reader; returns its URL and its JSON body. */
function readCurl(text: string): { url: string; body: unknown } {
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'/g;
  for (const m of text.matchAll(re)) words.push(m[1]!.replace(/'\\''/g, "'"));
  const [url, , body] = words;
  assert.ok(url && body, `a URL and a -d body in:\n${text}`);
  return { url, body: JSON.parse(body) };
}

describe('integration snippets', () => {
  it('points each kind at its documented ingest route', () => {
    for (const type of ['alertmanager', 'generic', 'anomaly', 'pagerduty'] as const) {
      assert.equal(ingestUrl(ORIGIN, type, KEY), `${ORIGIN}${routePath(type)}`, type);
    }
    assert.equal(ingestUrl(`${ORIGIN}/`, 'alertmanager', KEY), `${ORIGIN}/integrations/alertmanager/${KEY}`);
  });

  it('gives Alertmanager a receivers block whose webhook URL carries the key', () => {
    const [yaml, test] = integrationSnippets(ORIGIN, 'alertmanager', KEY);
    assert.equal(yaml?.language, 'yaml');
    const parsed = parseYaml(yaml!.text) as {
      receivers: { name: string; webhook_configs: { url: string; send_resolved: boolean }[] }[];
    };
    assert.deepEqual(parsed.receivers, [
      {
        name: 'klaxon',
        webhook_configs: [{ url: `${ORIGIN}/integrations/alertmanager/${KEY}`, send_resolved: true }],
      },
    ]);
    const sent = readCurl(test!.text);
    assert.equal(sent.url, `${ORIGIN}/integrations/alertmanager/${KEY}`);
    const events = parseAlertmanagerPayload(sent.body);
    assert.ok(events.ok, JSON.stringify(events));
    assert.equal(events.value[0]?.summary, 'A test alert from curl');
  });

  it('quotes a URL for YAML even with a quote in it', () => {
    assert.deepEqual(parseYaml(alertmanagerReceiver("https://h/x'y")), {
      receivers: [{ name: 'klaxon', webhook_configs: [{ url: "https://h/x'y", send_resolved: true }] }],
    });
  });

  it('sends a PagerDuty Events v2 trigger with the routing key in the body to /v2/enqueue', () => {
    const [pd] = integrationSnippets(ORIGIN, 'pagerduty', KEY);
    const sent = readCurl(pd!.text);
    assert.equal(sent.url, `${ORIGIN}/v2/enqueue`);
    assert.equal((sent.body as { routing_key: string }).routing_key, KEY);
    const event = parsePagerDutyEvent(sent.body);
    assert.ok(event.ok, JSON.stringify(event));
  });

  it('sends a generic event with the summary where the mapping looks for it', () => {
    const [generic] = integrationSnippets(ORIGIN, 'generic', KEY, { summaryPath: '$.alert.title' });
    const sent = readCurl(generic!.text);
    assert.equal(sent.url, `${ORIGIN}/integrations/generic/${KEY}`);
    const event = applyMapping(sent.body, { summary: '$.alert.title' });
    assert.ok(event.ok, JSON.stringify(event));
    assert.equal(event.value.summary, 'A test alert from curl');
  });

  it('sends an anomaly the default bands accept', () => {
    const [anomaly] = integrationSnippets(ORIGIN, 'anomaly', KEY);
    const sent = readCurl(anomaly!.text);
    assert.equal(sent.url, `${ORIGIN}/integrations/anomaly/${KEY}`);
    assert.ok(parseAnomalyEvent(sent.body).ok);
  });

  it('nests a value at a simple path and falls back to $.title for others', () => {
    assert.deepEqual(nest('$.a.b', 1), { a: { b: 1 } });
    assert.deepEqual(nest('$.title', 'x'), { title: 'x' });
    assert.deepEqual(nest("$['odd key']", 'x'), { title: 'x' });
    assert.deepEqual(nest('$.items[0].name', 'x'), { title: 'x' });
  });

  it('quotes for the shell, single quotes included', () => {
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote(''), "''");
  });
});

describe('heartbeat snippets', () => {
  it('ping the monitor route with the key, from cron when cron can keep the interval', () => {
    const [after, cron] = heartbeatSnippets('https://klaxon.example/', 'abc123', 300);
    assert.equal(
      after!.text,
      "your-job && curl -fsS -m 10 --retry 3 'https://klaxon.example/heartbeat/abc123' > /dev/null",
    );
    assert.equal(cron!.text, `*/5 * * * * ${after!.text}`);
    assert.equal(
      heartbeatSnippets('https://k', 'k', 7 * 86_400).length,
      1,
      'weekly: the job keeps its own schedule',
    );
    assert.deepEqual([60, 900, 3_600, 7_200, 86_400, 420, 5_400].map(cronEvery), [
      '* * * * *',
      '*/15 * * * *',
      '0 * * * *',
      '0 */2 * * *',
      '0 3 * * *',
      null,
      null,
    ]);
  });

  it('point at the route the API mounts for pings', () => {
    assert.ok(
      ACCESS['GET /heartbeat/:key'] === 'routing-key' && ACCESS['POST /heartbeat/:key'] === 'routing-key',
    );
    assert.equal(heartbeatUrl('http://127.0.0.1:3000', 'k'), 'http://127.0.0.1:3000/heartbeat/k');
  });
});
