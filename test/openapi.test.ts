// The OpenAPI document: generated from the route definitions, valid OpenAPI 3.1 in shape with valid
// JSON Schema 2020-12 schemas, listing exactly the routes the app mounts; served with its browsable docs
// without an API key, from same-origin files only. (Responses conforming to it: every API test, through
// the harness's response check; the checker itself is tested at the end.)
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import express from 'express';
import type pg from 'pg';
import { createApp } from '../api/app';
import { parseAlertmanagerPayload } from '../domain/ingest/alertmanager';
import { parseAnomalyEvent } from '../domain/ingest/anomaly';
import { parsePagerDutyEvent } from '../domain/ingest/pagerduty';
import { listen } from '../api/listen';
import { API_ROUTES, authOf, generateOpenApiDocument, openApiDocument } from '../api/openapi';
import { createLogger } from '../runtime/logger';
import { createResponseChecker } from './helpers/conformance';
import { mountedRoutes } from './helpers/routes';
import { accessFor, isRole } from '../api/access';

// Building the app touches neither Postgres nor Temporal; the routes under test here never reach them.
const app = createApp({
  pool: {} as pg.Pool,
  temporal: { workflow: {} } as unknown as Client,
  taskQueue: 'openapi-test',
  log: createLogger('silent'),
});
const doc = openApiDocument();
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

type Json = Record<string, unknown>;
const operations = () =>
  Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ path, method, op: op as Json })),
  );

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 in shape: version, info, paths, components, a bearer scheme, unique operation ids', () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.equal(doc.info.title, 'Klaxon');
    assert.ok(doc.info.version);
    assert.ok(doc.paths && Object.keys(doc.paths).length > 0);
    assert.ok(doc.components?.schemas && Object.keys(doc.components.schemas).length > 0);
    const scheme = doc.components?.securitySchemes?.apiKey as { type?: string; scheme?: string } | undefined;
    assert.deepEqual([scheme?.type, scheme?.scheme], ['http', 'bearer']);
    const session = doc.components?.securitySchemes?.session as { type?: string; in?: string; name?: string } | undefined;
    assert.deepEqual([session?.type, session?.in, session?.name], ['apiKey', 'cookie', 'klaxon_session']);
    assert.deepEqual(doc.security, [{ apiKey: [] }, { session: [] }], 'either credential');
    const ids = operations().map(({ op }) => op.operationId);
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    assert.ok(ids.every((id) => typeof id === 'string' && id.length > 0));
  });

  it('declares every path parameter, documents at least one success and one error per operation, and tags each with a known tag', () => {
    const tags = new Set((doc.tags ?? []).map((t) => t.name));
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = ((op.parameters ?? []) as { in: string; name: string; required?: boolean }[]).filter(
        (p) => p.in === 'path',
      );
      assert.deepEqual(declared.map((p) => p.name).sort(), inPath, `${where}: path parameters`);
      assert.ok(
        declared.every((p) => p.required === true),
        `${where}: path parameters are required`,
      );
      const statuses = Object.keys(op.responses as Json).map(Number);
      assert.ok(
        // A redirect is what success looks like for GET / (to the console) and single sign-on.
        statuses.some((s) => s >= 200 && s < 400),
        `${where}: a success response`,
      );
      assert.ok(
        statuses.some((s) => s >= 400),
        `${where}: an error response`,
      );
      assert.ok(
        (op.tags as string[]).length > 0 && (op.tags as string[]).every((t) => tags.has(t)),
        `${where}: tags`,
      );
    }
  });

  it('routes without an API key say so: public and routing-key routes have no security requirement', () => {
    for (const route of API_ROUTES) {
      const op = operations().find(
        (o) => o.method === route.method && o.op.operationId === route.operationId,
      )!.op;
      const auth = authOf(route);
      if (auth === 'api-key') assert.equal(op.security, undefined, route.operationId);
      else assert.deepEqual(op.security, [], route.operationId);
      if (auth === 'routing-key')
        assert.match(String(op.description), /routing key/i, route.operationId);
    }
  });

  it("agrees with the access table: each operation's role is the table's, and api-key routes are exactly the role-gated ones", () => {
    for (const route of API_ROUTES) {
      const op = operations().find((o) => o.method === route.method && o.op.operationId === route.operationId)!.op as Record<string, unknown>;
      const access = accessFor(route.method.toUpperCase(), route.path)?.access;
      assert.ok(access, `${route.operationId}: no entry in api/access.ts`);
      assert.equal(op['x-klaxon-role'], access, route.operationId);
      // Authentication follows from the table: a role means an API key, anything else is its own kind.
      assert.equal(op['x-klaxon-auth'], isRole(access) ? 'api-key' : access, `${route.operationId}: access table says ${access}`);
    }
  });

  it('has only valid JSON Schema 2020-12 schemas', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const schemas: [string, unknown][] = Object.entries(doc.components?.schemas ?? {}).map(([name, s]) => [
      `#/components/schemas/${name}`,
      s,
    ]);
    for (const { path, method, op } of operations()) {
      for (const p of (op.parameters ?? []) as { name: string; schema: unknown }[])
        schemas.push([`${method} ${path} parameter ${p.name}`, p.schema]);
      for (const [type, m] of Object.entries(((op.requestBody as Json | undefined)?.content ?? {}) as Json))
        schemas.push([`${method} ${path} body ${type}`, (m as Json).schema]);
      for (const [status, r] of Object.entries(op.responses as Json)) {
        for (const [type, m] of Object.entries(((r as Json).content ?? {}) as Json))
          schemas.push([`${method} ${path} ${status} ${type}`, (m as Json).schema]);
      }
    }
    assert.ok(schemas.length > 100);
    for (const [where, schema] of schemas) {
      assert.ok(ajv.validateSchema(schema as object), `${where}: ${ajv.errorsText(ajv.errors)}`);
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of new Set(refs)) {
      const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
      assert.ok(name && doc.components?.schemas?.[name], `${ref} resolves`);
    }
  });

  it('has examples that conform to their schemas and pass the validation the server applies', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema({ ...doc, $id: 'https://klaxon.invalid/openapi.json' }, undefined, undefined, false);
    const examples = Object.entries(doc.components?.schemas ?? {}).flatMap(([name, s]) =>
      'example' in s && s.example !== undefined ? [[name, s.example] as const] : [],
    );
    assert.ok(examples.length >= 8, `${examples.length} examples`);
    for (const [name, example] of examples) {
      const validate = ajv.compile({
        $ref: `https://klaxon.invalid/openapi.json#/components/schemas/${name}`,
      });
      assert.ok(validate(example), `${name} example: ${ajv.errorsText(validate.errors)}`);
    }
    // Request bodies validated by zod: the example passes the very schema the router parses with.
    let parsed = 0;
    for (const route of API_ROUTES) {
      if (!route.request?.body || authOf(route) !== 'api-key') continue;
      const op = operations().find((o) => o.op.operationId === route.operationId)!.op;
      let schema = ((op.requestBody as Json).content as Record<string, { schema: Json }>)['application/json']!
        .schema;
      if (typeof schema.$ref === 'string')
        schema = doc.components!.schemas![schema.$ref.split('/').pop()!] as Json;
      if (schema.example === undefined) continue;
      const result = route.request.body.safeParse(schema.example);
      assert.ok(result.success, `${route.operationId} example: ${result.error?.message}`);
      parsed++;
    }
    assert.ok(parsed >= 5, `${parsed} request examples parsed`);
    // Ingest bodies are checked by the domain parsers; the documented examples must pass them too.
    const example = (name: string) => (doc.components?.schemas?.[name] as Json).example;
    assert.ok(parsePagerDutyEvent(example('PagerDutyEvent')).ok);
    assert.ok(parseAlertmanagerPayload(example('AlertmanagerWebhook')).ok);
    assert.ok(parseAnomalyEvent(example('AnomalyEvent')).ok);
  });

  it('lists every route the app mounts, and only those', () => {
    const mounted = mountedRoutes(app).map((r) => `${r.method.toUpperCase()} ${r.openApiPath}`);
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    assert.ok(mounted.length >= 40, `found ${mounted.length} routes`);
    assert.deepEqual(
      mounted.filter((r) => !documented.includes(r)),
      [],
      'mounted but not documented: add a defineRoute to api/schemas and its table to API_ROUTES',
    );
    assert.deepEqual(
      documented.filter((r) => !mounted.includes(r)),
      [],
      'documented but not mounted',
    );
    assert.equal(new Set(mounted).size, mounted.length, 'no route is mounted twice');
  });

  it('is generated once per process, and the same each time', () => {
    assert.equal(openApiDocument(), doc);
    assert.deepEqual(generateOpenApiDocument(), doc);
  });
});

describe('the route walker', () => {
  it('finds routes in nested routers with their mount prefix, in OpenAPI form', () => {
    const inner = express.Router();
    inner.get('/things/:id', (_req, res) => void res.end());
    inner
      .route('/things')
      .post((_req, res) => void res.end())
      .delete((_req, res) => void res.end());
    const outer = express.Router();
    outer.use('/v1', inner);
    const a = express();
    a.use(outer);
    a.use(express.static('.'));
    a.get('/x', (_req, res) => void res.end());
    assert.deepEqual(
      mountedRoutes(a).map((r) => `${r.method} ${r.path} ${r.openApiPath}`),
      [
        'get /v1/things/:id /v1/things/{id}',
        'post /v1/things /v1/things',
        'delete /v1/things /v1/things',
        'get /x /x',
      ],
    );
  });
});

describe('/openapi.json and /docs', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = await listen(app, 0);
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const checker = createResponseChecker(doc);
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    const text = await res.text();
    return {
      res,
      text,
      check: checker.check({
        method: 'GET',
        path,
        status: res.status,
        contentType: res.headers.get('content-type'),
        text,
      }),
    };
  };

  it('serves the document without an API key', async () => {
    const { res, text, check } = await get('/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(doc)));
    assert.deepEqual(check.problems, []);
  });

  it('serves the docs page without an API key, loading only same-origin files and nothing inline', async () => {
    const { res, text: html, check } = await get('/docs');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.deepEqual(check.problems, []);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    assert.ok(scripts.length >= 2, 'the Swagger UI bundle and its initializer');
    for (const [, attrs, body] of scripts) {
      assert.equal(body!.trim(), '', 'no inline script');
      assert.match(attrs!, /\bsrc="\/(?!\/)[^"]+"/, `same-origin src: ${attrs}`);
    }
    assert.doesNotMatch(html, /<style\b|\sstyle=|\son\w+=/i, 'no inline styles or event handlers');
    assert.doesNotMatch(html, /(https?:)?\/\/[a-z]/i, 'nothing from another origin');
    const assets = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(assets.some((a) => /swagger-ui-bundle\.js$/.test(a)));
    for (const asset of assets) {
      const r = await fetch(`${base}${asset}`);
      assert.equal(r.status, 200, asset);
      const type = r.headers.get('content-type') ?? '';
      if (asset.endsWith('.js')) assert.match(type, /javascript/, asset);
      if (asset.endsWith('.css')) assert.match(type, /^text\/css/, asset);
      const body = await r.text();
      if (asset.includes('klaxon-docs.js')) {
        assert.match(body, /['"]\/openapi\.json['"]/, 'the initializer loads /openapi.json');
        assert.match(body, /validatorUrl:\s*null/, 'no call to the online validator');
      }
    }
  });

  it('serves only the Swagger UI files the page needs', async () => {
    assert.equal((await fetch(`${base}/docs/assets/swagger-initializer.js`)).status, 404);
    assert.equal((await fetch(`${base}/docs/assets/index.html`)).status, 404);
    assert.equal((await fetch(`${base}/docs/assets/..%2fpackage.json`)).status, 404);
  });
});

describe('the response checker', () => {
  const checker = createResponseChecker(doc);
  const id = '4b0e1a8e-2f7c-4d7e-9a51-6a0c9a3b1c2d';
  const json = (method: string, path: string, status: number, body: unknown) =>
    checker.check({
      method,
      path,
      status,
      contentType: 'application/json; charset=utf-8',
      text: JSON.stringify(body),
    });

  it('accepts a documented status with a conforming body, and matches the most specific path template', () => {
    assert.deepEqual(json('GET', '/healthz', 200, { status: 'ok' }), {
      operation: 'GET /healthz',
      problems: [],
    });
    assert.deepEqual(
      json('POST', `/alerts/${id}/notes`, 404, { error: { code: 'not_found', message: 'alert not found' } })
        .problems,
      [],
    );
    assert.deepEqual(
      checker.check({
        method: 'GET',
        path: `/schedules/${id}.ics`,
        status: 200,
        contentType: 'text/calendar; charset=utf-8',
        text: 'BEGIN:VCALENDAR',
      }),
      { operation: 'GET /schedules/{id}.ics', problems: [] },
    );
    assert.equal(
      json('GET', '/alerts?limit=5', 200, { alerts: [], next_cursor: null }).operation,
      'GET /alerts',
    );
  });

  it('rejects a body that does not match, an undocumented status, and the wrong content type', () => {
    assert.match(json('GET', '/healthz', 200, { status: 'ok', extra: 1 }).problems.join(), /additional/);
    assert.match(json('GET', `/alerts/${id}`, 200, { id }).problems.join(), /required/);
    assert.match(
      json('GET', '/healthz', 418, { error: { code: 'teapot', message: 'no' } }).problems.join(),
      /status 418 is not documented/,
    );
    assert.match(
      checker
        .check({ method: 'GET', path: '/openapi.json', status: 200, contentType: 'text/html', text: '<p>' })
        .problems.join(),
      /content type text\/html is not documented/,
    );
    assert.match(json('DELETE', `/users/${id}`, 204, { deleted: true }).problems.join(), /without a body/);
  });

  it('holds undocumented routes to the shared error body', () => {
    assert.deepEqual(
      json('GET', '/nowhere', 404, { error: { code: 'not_found', message: 'no route for GET /nowhere' } }),
      { operation: null, problems: [] },
    );
    assert.match(json('GET', '/nowhere', 404, { message: 'nope' }).problems.join(), /required/);
    assert.match(json('GET', '/nowhere', 200, {}).problems.join(), /not in the document/);
  });
});
