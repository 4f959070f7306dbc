// Text Postgres cannot hold (U+0000, lone UTF-16 surrogates) is refused at the edge, through the real
// HTTP interface: in every class of field — JSON bodies at any depth and their keys, query strings, path
// parameters, each ingest payload, SMS-reply and email-link form bodies, headers — the answer is 400
// naming the field (PagerDuty's `invalid event` shape on /v2/enqueue), and nothing is written: no row in
// any table, no workflow started, no state changed in Temporal or Postgres.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import twilio from 'twilio';
import { signLink } from '../domain/replies/links';
import { replyLinkKey } from '../store/secrets';
import { alertWorkflowId, viewQuery } from '../workflows/messages';
import { startHarness, type ApiResponse, type Harness } from './helpers/harness';
import { countRows } from './helpers/row-counts';
import { SMS_URL } from './helpers/sms-reply';

const NUL = '\u0000';
const HIGH = '\uD800';
const LOW = '\uDC00';
const TWILIO_TOKEN = 'twilio-test-auth-token-0123456789';

let h: Harness;
const keys: Record<string, string> = {};
before(async () => {
  h = await startHarness({ twilioAuthToken: TWILIO_TOKEN });
  const make = async (body: Record<string, unknown>) => {
    const res = await h.request('POST', '/integrations', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.routing_key as string;
  };
  keys.pagerduty = await make({ type: 'pagerduty', name: 'pd', service: 'pd-svc' });
  keys.alertmanager = await make({ type: 'alertmanager', name: 'am', service: 'am-svc' });
  keys.generic = await make({
    type: 'generic',
    name: 'gen',
    service: 'gen-svc',
    mapping: { summary: '$.title', dedupKey: '$.id' },
  });
  keys.anomaly = await make({ type: 'anomaly', name: 'ml', service: 'ml-svc' });
});
after(async () => {
  await h?.close();
});

const rowCounts = () => countRows(h);

async function noWorkflow(service: string, dedupKey: string): Promise<void> {
  await assert.rejects(
    h.env.client.workflow.getHandle(alertWorkflowId(service, dedupKey)).describe(),
    WorkflowNotFoundError,
  );
}

const escaped = (s: string) => s.replace(/[.\\]/g, '\\$&');

/**
 * Sends the request and asserts a 400 naming `field` (first) in the route's error shape — the API's JSON,
 * or the plain text / HTML page of the reply routes — with no row written anywhere.
 */
async function refused(
  field: string,
  send: () => Promise<ApiResponse>,
  shape: 'json' | 'text' | 'html' = 'json',
): Promise<ApiResponse> {
  const before = await rowCounts();
  const res = await send();
  assert.equal(res.status, 400, `${field}: ${JSON.stringify(res.body)}`);
  const problem = /contains (U\+0000 \(NUL\)|a lone UTF-16 surrogate)/;
  if (shape === 'json') {
    assert.equal(res.body?.error?.code, 'invalid_request', JSON.stringify(res.body));
    assert.equal(res.body.error.errors[0].field, field, JSON.stringify(res.body));
    assert.match(res.body.error.errors[0].message, problem);
    assert.match(res.body.error.message, new RegExp(`^${escaped(field)}: `));
  } else {
    assert.match(res.headers.get('content-type') ?? '', shape === 'text' ? /^text\/plain/ : /^text\/html/);
    assert.match(String(res.body), new RegExp(`${escaped(field)}: ${problem.source}`));
  }
  assert.deepEqual(await rowCounts(), before, 'nothing was written');
  return res;
}

const alertBody = (over: Record<string, unknown>) => ({
  summary: 'Disk full',
  severity: 'high',
  service: 'unstorable',
  source: 'test',
  ...over,
});

describe('JSON bodies', () => {
  it('POST /alerts: NUL or a lone surrogate in any field, at any depth, keys included → 400 naming it; no row, no workflow', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['body.summary', { summary: `disk${NUL}full` }],
      ['body.source', { source: NUL }],
      ['body.labels.env', { labels: { host: 'db-1', env: `prod${NUL}` } }],
      ['body.labels.e\\u0000nv', { labels: { [`e${NUL}nv`]: 'prod' } }],
      ['body.details.runbook.steps.1', { details: { runbook: { steps: ['ok', `restart${NUL}`] } } }],
      ['body.details.a.\\uD800', { details: { a: { [HIGH]: 1 } } }],
      ['body.links.0.text', { links: [{ href: 'https://example.com/x', text: `see${LOW}` }] }],
      ['body.summary', { summary: `emoji cut in half ${HIGH}` }],
    ];
    let n = 0;
    for (const [field, over] of cases) {
      const dedupKey = `k-${++n}`;
      await refused(field, () => h.request('POST', '/alerts', alertBody({ dedup_key: dedupKey, ...over })));
      await noWorkflow('unstorable', dedupKey);
    }
    // The service and dedup key name the workflow: none with them was started either.
    await refused('body.service', () =>
      h.request('POST', '/alerts', alertBody({ service: `pay${NUL}`, dedup_key: 'svc-nul' })),
    );
    await noWorkflow(`pay${NUL}`, 'svc-nul');
    await refused('body.dedup_key', () => h.request('POST', '/alerts', alertBody({ dedup_key: `k${NUL}` })));
    await noWorkflow('unstorable', `k${NUL}`);
  });

  it('the escapes as sent on the wire: "\\u0000" and a lone "\\ud83d" in raw JSON', async () => {
    await refused('body.summary', () =>
      h.request('POST', '/alerts', undefined, {
        raw: '{"summary":"a\\u0000b","severity":"low","service":"raw","source":"t","dedup_key":"raw-1"}',
      }),
    );
    await refused('body.labels.x', () =>
      h.request('POST', '/alerts', undefined, {
        raw: '{"summary":"s","severity":"low","service":"raw","source":"t","dedup_key":"raw-2","labels":{"x":"\\ud83d"}}',
      }),
    );
    await noWorkflow('raw', 'raw-1');
    await noWorkflow('raw', 'raw-2');
  });

  it('configuration bodies: users, schedules, integrations, API keys, escalation policies and rules', async () => {
    await refused('body.name', () => h.request('POST', '/users', { name: `Ada${NUL}` }));
    await refused('body.name', () =>
      h.request('POST', '/schedules', { name: `rota${HIGH}`, time_zone: 'UTC' }),
    );
    await refused('body.service', () =>
      h.request('POST', '/integrations', { type: 'pagerduty', name: 'x', service: `s${NUL}` }),
    );
    await refused('body.name', () => h.request('POST', '/api-keys', { name: `ci${NUL}`, role: 'viewer' }));
    await refused('body.name', () =>
      h.request('POST', '/escalation-policies', { name: `p${NUL}`, tiers: [] }),
    );
    await refused('body.rules.0.labels.team', () =>
      h.request('PUT', '/escalation-rules', {
        rules: [{ policy_id: '00000000-0000-4000-8000-000000000000', labels: { team: `db${NUL}` } }],
      }),
    );
  });

  it('acknowledge with a NUL actor and a note with NUL text → 400; Temporal and Postgres both still say new', async () => {
    const created = await h.request('POST', '/alerts', alertBody({ dedup_key: 'ack-me' }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    const trail = (await h.request('GET', `/alerts/${id}`)).body.timeline.length;
    await refused('body.actor', () =>
      h.request('POST', `/alerts/${id}/acknowledge`, { actor: `alice${NUL}` }),
    );
    await refused('body.reason', () => h.request('POST', `/alerts/${id}/resolve`, { reason: `fixed${LOW}` }));
    await refused('body.text', () => h.request('POST', `/alerts/${id}/notes`, { text: `note${NUL}` }));
    const view = await h.env.client.workflow.getHandle(created.body.workflow_id).query(viewQuery);
    assert.equal(view.state, 'new');
    const record = await h.request('GET', `/alerts/${id}`);
    assert.equal(record.body.state, 'new');
    assert.equal(record.body.timeline.length, trail);
  });
});

describe('query strings and path parameters', () => {
  it('a NUL in a query parameter, known or not, is 400 naming it', async () => {
    await refused('query.service', () => h.request('GET', '/alerts?service=pay%00ments'));
    await refused('query.service', () => h.request('GET', '/sla/targets?service=%00'));
    await refused('query.severity', () => h.request('GET', `/sla/compliance?severity=high%00`));
    await refused('query.extra', () => h.request('GET', '/users?extra=%00'));
  });

  it('a NUL in a path parameter is 400 naming it, before any lookup or write', async () => {
    await refused('params.service', () =>
      h.request('PUT', '/sla/targets/pay%00/low', { tta_minutes: 5, ttr_minutes: 60 }),
    );
    await refused('params.id', () => h.request('GET', '/alerts/%00'));
    await refused('params.key', () =>
      h.request('POST', `/integrations/generic/${keys.generic}%00`, { title: 't', id: 'p-1' }, { key: null }),
    );
  });
});

describe('ingest payloads', () => {
  it("/v2/enqueue answers PagerDuty's invalid event shape naming each field; no alert, no workflow, no count", async () => {
    const before = await rowCounts();
    const res = await h.request(
      'POST',
      '/v2/enqueue',
      {
        routing_key: keys.pagerduty,
        event_action: 'trigger',
        dedup_key: 'pd-nul',
        payload: {
          summary: `CPU${NUL}`,
          source: 'host-1',
          severity: 'critical',
          custom_details: { [`k${NUL}`]: 'v', ok: [`x${HIGH}`] },
        },
      },
      { key: null },
    );
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: [
        "'payload.summary' contains U+0000 (NUL), which cannot be stored",
        "'payload.custom_details.k\\u0000' contains U+0000 (NUL), which cannot be stored",
        "'payload.custom_details.ok.0' contains a lone UTF-16 surrogate (not valid Unicode), which cannot be stored",
      ],
    });
    assert.deepEqual(await rowCounts(), before);
    await noWorkflow('pd-svc', 'pd-nul');
    // An acknowledge names its dedup key the same way.
    const ack = await h.request(
      'POST',
      '/v2/enqueue',
      { routing_key: keys.pagerduty, event_action: 'acknowledge', dedup_key: `pd${NUL}` },
      { key: null },
    );
    assert.equal(ack.status, 400);
    assert.deepEqual(ack.body.errors, ["'dedup_key' contains U+0000 (NUL), which cannot be stored"]);
  });

  it('the Alertmanager webhook, generic and anomaly receivers name the field in the payload', async () => {
    const am = {
      version: '4',
      status: 'firing',
      receiver: 'klaxon',
      groupKey: '{}:{alertname="X"}',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'X', env: `prod${NUL}` },
          annotations: { summary: 's' },
          startsAt: '2026-11-27T10:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: 'f-nul',
        },
      ],
    };
    await refused('body.alerts.0.labels.env', () =>
      h.request('POST', `/integrations/alertmanager/${keys.alertmanager}`, am, { key: null }),
    );
    await refused('body.title', () =>
      h.request(
        'POST',
        `/integrations/generic/${keys.generic}`,
        { title: `t${NUL}`, id: 'g-nul' },
        { key: null },
      ),
    );
    await noWorkflow('gen-svc', 'g-nul');
    await refused('body.metric', () =>
      h.request(
        'POST',
        `/integrations/anomaly/${keys.anomaly}`,
        { metric: `m${LOW}`, score: 0.9 },
        { key: null },
      ),
    );
  });
});

describe('form bodies and headers', () => {
  const signedSms = (params: Record<string, string>) => ({
    'content-type': 'application/x-www-form-urlencoded',
    'x-twilio-signature': twilio.getExpectedTwilioSignature(TWILIO_TOKEN, SMS_URL, params),
  });

  it('an SMS reply with NUL in its body is 400 naming the field in plain text, even correctly signed; no reply recorded', async () => {
    const params = {
      MessageSid: 'SMnul00000000000000000000000000001',
      From: '+15551239999',
      Body: `ACK${NUL}1234`,
    };
    await refused(
      'body.Body',
      () =>
        h.request('POST', '/integrations/twilio/sms', undefined, {
          key: null,
          raw: new URLSearchParams(params).toString(),
          headers: signedSms(params),
        }),
      'text',
    );
    // The same message without the NUL is answered in TwiML and recorded: the signature was good.
    const clean = { ...params, Body: 'ACK 1234' };
    const ok = await h.request('POST', '/integrations/twilio/sms', undefined, {
      key: null,
      raw: new URLSearchParams(clean).toString(),
      headers: signedSms(clean),
    });
    assert.equal(ok.status, 200);
    assert.equal((await h.db.pool.query('select count(*)::int as n from sms_replies')).rows[0].n, 1);
  });

  it('an email link whose form or token carries NUL is a 400 page naming it and acts on nothing; the same link without it acknowledges', async () => {
    const user = await h.request('POST', '/users', { name: 'Link User' });
    const created = await h.request('POST', '/alerts', alertBody({ dedup_key: 'link-nul' }));
    assert.equal(created.status, 201);
    const key = await replyLinkKey(h.db.pool)();
    const exp = Math.floor((await h.env.currentTimeMs()) / 1000) + 86_400;
    const token = signLink(key, {
      alertId: created.body.id,
      action: 'acknowledge',
      userId: user.body.id,
      exp,
      nonce: 'nonce-nul-0123456789',
    });
    const form = (body: string) => ({
      key: null,
      raw: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    await refused(
      'body.confirm',
      () => h.request('POST', `/respond/${token}`, undefined, form('confirm=yes%00')),
      'html',
    );
    await refused(
      'params.token',
      () => h.request('POST', `/respond/${token}%00`, undefined, form('confirm=yes')),
      'html',
    );
    await refused(
      'params.token',
      () => h.request('GET', `/respond/${token}%00`, undefined, { key: null }),
      'html',
    );
    assert.equal((await h.request('GET', `/alerts/${created.body.id}`)).body.state, 'new');
    const ok = await h.request('POST', `/respond/${token}`, undefined, form('confirm=yes'));
    assert.equal(ok.status, 200);
    assert.equal((await h.request('GET', `/alerts/${created.body.id}`)).body.state, 'acknowledged');
  });

  it("headers: Node's HTTP parser refuses NUL in any header (the key and Twilio's signature included) with 400 before the app runs", async () => {
    const port = new URL(h.baseUrl).port;
    const raw = (header: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write(`GET /alerts HTTP/1.1\r\nHost: x\r\n${header}\r\nConnection: close\r\n\r\n`);
        });
        let answer = '';
        socket.on('data', (d) => (answer += d.toString('latin1')));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    const before = await rowCounts();
    assert.match(await raw(`Authorization: Bearer ${h.adminKey}\u0000`), /^HTTP\/1\.1 400 /);
    assert.match(await raw(`X-Twilio-Signature: abc\u0000def`), /^HTTP\/1\.1 400 /);
    // The same request without the NUL reaches the app.
    assert.match(await raw(`Authorization: Bearer ${h.adminKey}`), /^HTTP\/1\.1 200 /);
    assert.deepEqual(await rowCounts(), before);
  });
});

describe('text the store can hold', () => {
  it('is accepted and stored exactly: CR/LF, tabs, other control characters, scripts, emoji (whole pairs), U+FFFD, a literal backslash-u', async () => {
    const text = `line 1\r\nline 2\tend \u0001\u001f Zürich 東京 😀 \uFFFD \\u0000`;
    const res = await h.request(
      'POST',
      '/alerts',
      alertBody({
        summary: text,
        dedup_key: 'fine',
        labels: { [`k😀`]: text },
        details: { nested: [{ text }] },
      }),
    );
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const row = (
      await h.db.pool.query('select summary, labels, details from alerts where id = $1', [res.body.id])
    ).rows[0];
    assert.equal(row.summary, text);
    assert.deepEqual(row.labels, { [`k😀`]: text });
    assert.deepEqual(row.details, { nested: [{ text }] });
  });
});
