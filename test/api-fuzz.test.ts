// A property-based fuzzer over every operation of the OpenAPI document the app serves: path parameters,
// query strings and bodies generated from the operation's schemas — fitting, fitting but for one hostile
// field, or hostile throughout (NUL, lone surrogates, CR/LF, very long strings, 0.001, negative and huge
// numbers, wrong types) — with the ids and keys of real resources often enough to get past the 404s, with
// the admin key and without. Against the real app, Postgres and the time-skipping Temporal server, nothing
// may answer 5xx, hang past the per-request deadline, or answer a status or body the document does not
// describe. Deterministic: FC_SEED picks another seed (a failure prints the one it ran with), FC_NUM_RUNS
// the cases per operation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import twilio from 'twilio';
import { openApiDocument } from '../api/openapi';
import { signLink } from '../domain/replies/links';
import { createLogger } from '../runtime/logger';
import { replyLinkKey } from '../store/secrets';
import { responseChecker } from './helpers/conformance';
import { startHarness, type Harness } from './helpers/harness';
import {
  HOSTILE_STRINGS,
  hostileString,
  percentEncode,
  valueFor,
  withOneHostileLeaf,
  type Schema,
} from './helpers/openapi-arbitraries';
import { SMS_URL } from './helpers/sms-reply';
import { waitFor } from './helpers/world';

const SEED = Number(process.env.FC_SEED ?? 20261127);
// Per operation; 63 operations, so about 630 requests in all (under a minute while the whole suite runs
// beside it). FC_NUM_RUNS fuzzes harder.
const RUNS = Number(process.env.FC_NUM_RUNS ?? 10);
const DEADLINE_MS = 15_000;
const TWILIO_TOKEN = 'fuzz-twilio-auth-token-0123456789';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const doc = openApiDocument() as unknown as Schema;
const checker = responseChecker();

interface Operation {
  method: string;
  /** The document's path template, e.g. /alerts/{id}. */
  path: string;
  op: Schema;
}

// Deletes last: they take away the resources the other operations are given.
const operations: Operation[] = Object.entries(doc.paths as Record<string, Schema>)
  .flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] as Schema })),
  )
  .sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));

let h: Harness;
/** Ids and keys of real resources, by what they name. */
const known: Record<string, string[]> = {};
const add = (what: string, value: string) => (known[what] ??= []).push(value);

before(async () => {
  // FUZZ_LOG=error shows the app's log, with the stack of whatever answered 500.
  h = await startHarness({
    twilioAuthToken: TWILIO_TOKEN,
    recordWaitMs: 2_000,
    log: process.env.FUZZ_LOG ? createLogger(process.env.FUZZ_LOG) : undefined,
  });
  const ok = async (method: string, path: string, body: unknown, status: number | number[] = 201) => {
    const res = await h.request(method, path, body);
    assert.ok(
      [status].flat().includes(res.status),
      `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`,
    );
    return res.body;
  };
  const user = await ok('POST', '/users', {
    name: 'Fuzz User',
    contact_methods: [{ type: 'email', address: 'fuzz@example.com' }],
  });
  add('users', user.id);
  add('methodId', user.contact_methods[0].id);
  const schedule = await ok('POST', '/schedules', {
    name: 'fuzz rota',
    time_zone: 'Europe/Berlin',
    layers: [
      {
        name: 'primary',
        rotation: { type: 'weekly', length: 1 },
        start: '2026-03-02T09:00',
        participants: [user.id],
      },
    ],
  });
  add('schedules', schedule.id);
  const override = await ok('POST', `/schedules/${schedule.id}/overrides`, {
    kind: 'add',
    start: '2026-03-03T00:00:00Z',
    end: '2026-03-04T00:00:00Z',
    user_id: user.id,
  });
  add('overrideId', override.id);
  const policy = await ok('POST', '/escalation-policies', {
    name: 'fuzz policy',
    tiers: [{ delay_minutes: 0, targets: [{ type: 'schedule', id: schedule.id }] }],
  });
  add('escalation-policies', policy.id);
  for (const type of ['pagerduty', 'alertmanager', 'generic', 'anomaly']) {
    const body: Record<string, unknown> = {
      type,
      name: `fuzz ${type}`,
      service: 'fuzz-svc',
      group_by: ['env'],
    };
    if (type === 'generic') body.mapping = { summary: '$.title', dedupKey: '$.id', status: '$.state' };
    const integration = await ok('POST', '/integrations', body);
    add('integrations', integration.id);
    add(type, integration.routing_key);
  }
  const alert = await ok(
    'POST',
    '/alerts',
    {
      summary: 'fuzz alert',
      severity: 'high',
      service: 'fuzz-svc',
      source: 'fuzz',
      labels: { env: 'prod' },
      // 202 on a loaded machine: recorded a little later, and the id is the same.
    },
    [201, 202],
  );
  add('alerts', alert.id);
  await ok(
    'POST',
    `/integrations/alertmanager/${known.alertmanager![0]}`,
    {
      version: '4',
      status: 'firing',
      groupKey: '{}:{alertname="Fuzz"}',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Fuzz', env: 'prod' },
          annotations: { summary: 'fuzz' },
          startsAt: '2026-11-27T10:00:00Z',
          fingerprint: 'fuzz-1',
        },
      ],
    },
    202,
  );
  await waitFor('the group', async () => (await ok('GET', '/groups', undefined, 200)).groups.length > 0);
  for (const g of (await ok('GET', '/groups', undefined, 200)).groups) add('groups', g.id);
  // A key of its own for DELETE /api-keys, so the fuzzer never revokes the key it runs with.
  add('api-keys', (await ok('POST', '/api-keys', { name: 'fuzz victim', role: 'viewer' })).id);
  await ok('PUT', '/sla/targets/fuzz-svc/high', { tta_minutes: 5, ttr_minutes: 60 }, 200);
  add('service', 'fuzz-svc');
  const linkKey = await replyLinkKey(h.db.pool)();
  const exp = Math.floor((await h.env.currentTimeMs()) / 1000) + 86_400;
  add(
    'token',
    signLink(linkKey, {
      alertId: alert.id,
      action: 'acknowledge',
      userId: user.id,
      exp,
      nonce: 'fuzz-nonce-0123456789',
    }),
  );
});
// FUZZ_STATS=1 prints how often each operation answered each status: how deep the cases get.
const stats: Record<string, Record<number, number>> = {};
after(async () => {
  if (process.env.FUZZ_STATS)
    for (const [op, byStatus] of Object.entries(stats)) console.log(op, JSON.stringify(byStatus));
  await h?.close();
});

/** The real values a path parameter can take: /alerts/{id} → alert ids, /integrations/generic/{key} → its routing key. */
function knownFor(path: string, name: string): string[] {
  if (name === 'id') return known[path.split('/')[1] ?? ''] ?? [];
  if (name === 'key') return known[path.split('/')[2] ?? ''] ?? [];
  return known[name] ?? [];
}

/** Values injected into generated bodies, so that some of them reach past the routing-key check. */
function injected(op: Operation): Record<string, fc.Arbitrary<unknown>> {
  if (op.path === '/v2/enqueue') return { routing_key: fc.constant(known.pagerduty![0]) };
  if (op.path === '/integrations/generic/{key}')
    return {
      title: fc.oneof(fc.string(), hostileString),
      id: fc.string(),
      state: fc.constantFrom('firing', 'resolved', 'ok'),
    };
  if (op.path === '/integrations/twilio/sms')
    return {
      MessageSid: fc.string({ minLength: 1, maxLength: 34 }),
      From: fc.constantFrom('+15551230001', '+491701234567', 'x'),
    };
  return {};
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** A generated value as text for a URL or a form: strings as they are, anything else as JSON. */
const text = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

type Mode = 'fitting' | 'one-hostile' | 'hostile';

/**
 * Returns the arbitrary of whole requests to one operation, in one of three modes: everything fitting
 * the schemas; fitting but for one spoiled leaf (a path parameter, a query value, a body string, number
 * or key), which gets as far as that field lets it; or hostile values anywhere.
 */
function requestFor(o: Operation): fc.Arbitrary<FuzzRequest> {
  const parameters = (o.op.parameters ?? []) as Schema[];
  const content = (o.op.requestBody?.content ?? {}) as Record<string, Schema>;
  const [mediaType, media] = Object.entries(content)[0] ?? [];
  const uuids = [...new Set(Object.values(known).flat())].filter((v) => /^[0-9a-f-]{36}$/.test(v));
  const mode = fc.constantFrom<Mode>('fitting', 'one-hostile', 'one-hostile', 'hostile');
  return mode.chain((m) => {
    const opts = { doc, hostile: m === 'hostile', uuids };
    const pathValues = fc.record(
      Object.fromEntries(
        parameters
          .filter((p) => p.in === 'path')
          .map((p) => {
            const real = knownFor(o.path, p.name);
            const generated = valueFor(p.schema, opts).map(text);
            return [
              p.name,
              real.length > 0
                ? fc.oneof(
                    { weight: 3, arbitrary: fc.constantFrom(...real) },
                    { weight: 1, arbitrary: generated },
                  )
                : generated,
            ];
          }),
      ) as Record<string, fc.Arbitrary<string>>,
    );
    const query = fc.record(
      Object.fromEntries(
        parameters.filter((p) => p.in === 'query').map((p) => [p.name, valueFor(p.schema, opts).map(text)]),
      ) as Record<string, fc.Arbitrary<string>>,
      { requiredKeys: [] },
    );
    const extra = injected(o);
    const body = media
      ? fc
          .tuple(valueFor(media.schema, opts), fc.record(extra, { requiredKeys: [] }), fc.boolean())
          .map(([v, inject, doInject]) =>
            doInject && typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v, ...inject } : v,
          )
      : fc.constant(undefined);
    const parts = fc
      .tuple(pathValues, query, body)
      .chain((p) =>
        m === 'one-hostile' ? (withOneHostileLeaf(p) as fc.Arbitrary<typeof p>) : fc.constant(p),
      );
    // Now and then a stray query parameter, or a body that is not JSON (fetch sends no body with a GET).
    const stray =
      m === 'hostile'
        ? fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), hostileString), { nil: undefined })
        : fc.constant(undefined);
    const rawBody =
      m === 'hostile' && o.method !== 'get'
        ? fc.oneof(
            { weight: 4, arbitrary: fc.constant(undefined) },
            {
              weight: 1,
              arbitrary: fc.constantFrom('{', '[]', 'null', '"x"', '{"a":1e400}', HOSTILE_STRINGS[2]!),
            },
          )
        : fc.constant(undefined);
    const withKey = fc.oneof(
      { weight: 5, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    );
    return fc
      .record({ parts, stray, rawBody, withKey })
      .map((r) => build(o, mediaType, r.parts, r.stray, r.rawBody, r.withKey));
  });
}

/** Returns the request: path and query percent-encoded, the body as JSON or a form (signed as Twilio signs). */
function build(
  o: Operation,
  mediaType: string | undefined,
  [params, query, body]: [Record<string, unknown>, Record<string, unknown>, unknown],
  stray: readonly [string, string] | undefined,
  rawBody: string | undefined,
  withKey: boolean,
): FuzzRequest {
  // fetch removes a '.' or '..' segment (even as %2E) before sending, which would test another route.
  const segment = (v: string) => percentEncode(/^\.{1,2}$/.test(v) ? `${v}x` : v);
  const path = o.path.replace(/\{(\w+)\}/g, (_, name: string) => segment(text(params[name] ?? '')));
  const pairs = [...Object.entries(query).map(([k, v]) => [k, text(v)] as const), ...(stray ? [stray] : [])];
  const url = `${path}${pairs.length ? `?${pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}` : ''}`;
  const headers: Record<string, string> = {};
  if (withKey) headers.authorization = `Bearer ${h.adminKey}`;
  let payload: string | undefined;
  if (rawBody !== undefined) payload = rawBody;
  else if (body !== undefined && mediaType === 'application/x-www-form-urlencoded') {
    const form = Object.entries(typeof body === 'object' && body !== null ? body : {}).map(
      ([k, v]) => [k, text(v)] as const,
    );
    payload = form.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
    // Signed as Twilio signs, so replies get past the signature check (one with a lone surrogate does not).
    if (o.path === '/integrations/twilio/sms' && withKey)
      headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(
        TWILIO_TOKEN,
        SMS_URL,
        Object.fromEntries(form),
      );
  } else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers['content-type'] = mediaType ?? 'application/json';
  return { method: o.method.toUpperCase(), url, headers, body: payload };
}

async function send(req: FuzzRequest): Promise<{ status: number; contentType: string | null; text: string }> {
  const res = await fetch(`${h.baseUrl}${req.url}`, {
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal: AbortSignal.timeout(DEADLINE_MS),
    // The answer to this request is what is checked, a redirect (GET /, single sign-on) included.
    redirect: 'manual',
  });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

describe('fuzzing every operation of the OpenAPI document', () => {
  it('covers every operation the document has', () => {
    assert.equal(
      operations.length,
      Object.values(doc.paths as Record<string, Schema>).flatMap((item) => METHODS.filter((m) => item[m]))
        .length,
    );
    assert.ok(operations.length >= 60, `${operations.length} operations`);
  });

  operations.forEach((o, index) => {
    it(`${o.method.toUpperCase()} ${o.path}: no 5xx, no hang, only documented answers`, async () => {
      await fc.assert(
        fc.asyncProperty(requestFor(o), async (req) => {
          const shown = `[FC_SEED=${SEED}] ${req.method} ${req.url.slice(0, 300)} ${req.body === undefined ? '' : `body ${req.body.slice(0, 500)}`}`;
          let res: Awaited<ReturnType<typeof send>>;
          try {
            res = await send(req);
          } catch (err) {
            assert.fail(`${shown}: no answer within ${DEADLINE_MS} ms (${String(err)})`);
          }
          const seen = (stats[`${req.method} ${o.path}`] ??= {});
          seen[res.status] = (seen[res.status] ?? 0) + 1;
          assert.ok(res.status < 500, `${shown} → ${res.status} ${res.text.slice(0, 300)}`);
          const { problems } = checker.check({
            method: req.method,
            path: req.url,
            status: res.status,
            contentType: res.contentType,
            text: res.text,
          });
          assert.deepEqual(problems, [], `${shown} → ${res.status} ${res.text.slice(0, 300)}`);
        }),
        // Each operation its own stream of cases, all reproduced by the one FC_SEED.
        { seed: SEED + index, numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
      );
    });
  });
});
