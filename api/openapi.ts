/**
 * The OpenAPI 3.1 document, generated from the route definitions the routers mount and validate with
 * (api/schemas/*), and the pages that show it: GET /openapi.json and GET /docs (Swagger UI, served from
 * the swagger-ui-dist package so it works offline; same-origin scripts only, nothing inline).
 */
import path from 'node:path';
import express, { Router } from 'express';
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { KLAXON_VERSION as version } from '../runtime/project-root';
import { notFound } from './errors';
import { defineRoute, mount, openApiPath, routesIn, type Auth, type RouteSpec, type ResponseSpec } from './route';
import { accessFor, isRole } from './access';
import { alertRoutes } from './schemas/alerts';
import { apiKeyRoutes } from './schemas/api-keys';
import { consoleRoutes } from './schemas/console';
import { errorResponse } from './schemas/common';
import { groupRoutes } from './schemas/groups';
import { healthRoutes } from './schemas/health';
import { ingestRoutes } from './schemas/ingest';
import { integrationRoutes } from './schemas/integrations';
import { heartbeatRoutes } from './schemas/heartbeats';
import { silenceRoutes } from './schemas/silences';
import { policyRoutes } from './schemas/policies';
import { replyRoutes } from './schemas/replies';
import { scheduleRoutes } from './schemas/schedules';
import { oidcRoutes } from './schemas/oidc';
import { sessionRoutes } from './schemas/sessions';
import { slaRoutes } from './schemas/sla';
import { notificationRuleRoutes } from './schemas/notification-rules';
import { userRoutes } from './schemas/users';
import { z } from './zod';

export const docsRoutes = {
  document: defineRoute({
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApiDocument',
    summary: 'This document (OpenAPI 3.1)',
    tags: ['meta'],
    responses: { 200: { description: 'The OpenAPI document', body: z.record(z.string(), z.unknown()) } },
  }),
  page: defineRoute({
    method: 'get',
    path: '/docs',
    operationId: 'apiDocs',
    summary: 'Browsable API documentation (Swagger UI)',
    tags: ['meta'],
    responses: { 200: { description: 'An HTML page', body: z.string(), contentType: 'text/html' } },
  }),
};

/**
 * Every documented route. A new router's route table goes here; test/openapi.test.ts fails for any
 * route the app mounts that is missing (and for any listed here that the app does not mount).
 */
export const API_ROUTES: readonly RouteSpec[] = [
  ...routesIn(healthRoutes),
  ...routesIn(docsRoutes),
  ...routesIn(ingestRoutes),
  ...routesIn(alertRoutes),
  ...routesIn(groupRoutes),
  ...routesIn(userRoutes),
  ...routesIn(notificationRuleRoutes),
  ...routesIn(integrationRoutes),
  ...routesIn(heartbeatRoutes),
  ...routesIn(silenceRoutes),
  ...routesIn(policyRoutes),
  ...routesIn(slaRoutes),
  ...routesIn(scheduleRoutes),
  ...routesIn(apiKeyRoutes),
  ...routesIn(sessionRoutes),
  ...routesIn(oidcRoutes),
  ...routesIn(replyRoutes),
  ...routesIn(consoleRoutes),
];

const TAGS = [
  {
    name: 'alerts',
    description: 'Trigger, read and move alerts through new → acknowledged → investigating → resolved',
  },
  { name: 'groups', description: 'Alerts grouped by key within a window: only the first pages' },
  { name: 'stats', description: 'How much noise stays out of the pager' },
  { name: 'users', description: 'People who can be paged, and how' },
  { name: 'schedules', description: 'On-call rotations, overrides and shifts' },
  { name: 'escalation', description: 'Who is paged for which alerts, in what order' },
  { name: 'sla', description: 'Time-to-acknowledge and time-to-resolve targets and compliance' },
  { name: 'integrations', description: 'Routing keys for monitoring systems' },
  { name: 'heartbeats', description: 'Monitors a job pings on a schedule: a missed ping opens an alert, the next one resolves it' },
  { name: 'silences', description: 'Maintenance windows: matching alerts are recorded but page nobody until the silence ends' },
  { name: 'ingest', description: 'Where monitoring systems send events (routing-key authentication)' },
  { name: 'health', description: 'Probes for load balancers and orchestrators' },
  { name: 'api-keys', description: 'API keys and their roles (admin)' },
  { name: 'auth', description: 'Signing in to the web console: sessions, passwords, single sign-on, the first admin' },
  { name: 'replies', description: 'Answering a page by SMS reply or email link (signature authentication)' },
  { name: 'meta', description: 'This documentation' },
  { name: 'console', description: 'The web console (its pages; it acts through this API)' },
];

const BODY_METHODS = new Set(['post', 'put', 'patch']);

/** Returns the route's entry in api/access.ts, the one place roles are declared; throws if it has none. */
export function accessOf(route: Pick<RouteSpec, 'method' | 'path'>) {
  const access = accessFor(route.method.toUpperCase(), route.path)?.access;
  if (!access) throw new Error(`${route.method.toUpperCase()} ${route.path} has no entry in api/access.ts`);
  return access;
}

/** How a caller of the route authenticates: an API key for every role-gated route, else its access kind. */
export function authOf(route: Pick<RouteSpec, 'method' | 'path'>): Auth {
  const access = accessOf(route);
  return isRole(access) ? 'api-key' : access;
}

/**
 * The responses every route shares, by how it is reached: behind the JSON body parser (400 for input
 * that fails its schema or is not JSON, 413), behind the API-key check (401), and 500 for anything.
 * A route's own responses win.
 */
export function standardResponses(route: RouteSpec): Record<number, ResponseSpec> {
  const out: Record<number, ResponseSpec> = {};
  const auth = authOf(route);
  const behindJsonParser = auth === 'api-key' || auth === 'public' || auth === 'sign-in';
  // Even a route that reads no input refuses a query string carrying text the store cannot hold
  // (api/input-guard.ts), so every one of them may answer 400.
  if (behindJsonParser) {
    out[400] = errorResponse(
      'Invalid input (`invalid_request`, each problem in `errors`: NUL and lone surrogates are refused in any field), or a body that is not JSON (`invalid_json`)',
    );
  }
  if (behindJsonParser && BODY_METHODS.has(route.method))
    out[413] = errorResponse('The body exceeds the size limit (`payload_too_large`)');
  if (auth === 'api-key') {
    out[401] = errorResponse('No API key or session, an invalid or revoked key, or an ended session (`unauthorized`)');
    out[403] = errorResponse(
      "The caller's role is below the one this route needs (`forbidden`, naming both), or a session's state-changing request lacks its CSRF token (`csrf`)",
    );
    out[429] = {
      ...errorResponse(
        'Too many requests for this API key (`rate_limited`), or too many failed authentications from this client address (`auth_throttled`: a key not yet known good is not checked until Retry-After)',
      ),
      headers: { 'Retry-After': 'Seconds until the next request is allowed' },
    };
  }
  out[500] = errorResponse('Unexpected failure (`internal`); the details are in the server log');
  out[503] = {
    ...errorResponse(
      'Postgres cannot be reached and the request needs it (`unavailable`: nothing was done), or Temporal did not answer in time (`engine_busy`: an action may still apply, so repeat it with the same Idempotency-Key); retry after Retry-After',
    ),
    headers: { 'Retry-After': 'Seconds to wait before retrying' },
  };
  return { ...out, ...route.responses };
}

function responseConfig(r: ResponseSpec): ResponseConfig {
  return {
    description: r.description,
    ...(r.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(r.headers).map(([name, description]) => [
              name,
              { description, schema: { type: 'string' } },
            ]),
          ),
        }
      : {}),
    ...(r.body ? { content: { [r.contentType ?? 'application/json']: { schema: r.body } } } : {}),
  };
}

const AUTH_NOTE: Record<Auth, string | undefined> = {
  'api-key': undefined,
  public: 'No authentication.',
  'routing-key': undefined, // said in the route's own description
  signature: 'Authenticated by a signature, not an API key.',
  'sign-in':
    "Authenticated by the credentials in the body (or, for single sign-on, the provider's answer); answers a session cookie.",
};

/** Returns the zod-to-openapi form of a route definition. */
export function routeConfig(route: RouteSpec): RouteConfig {
  const { request } = route;
  const auth = authOf(route);
  const description = [route.description, AUTH_NOTE[auth]].filter(Boolean).join(' ');
  return {
    method: route.method,
    path: openApiPath(route.path),
    operationId: route.operationId,
    summary: route.summary,
    ...(description ? { description } : {}),
    tags: [...route.tags],
    ...(auth === 'api-key' ? {} : { security: [] }),
    'x-klaxon-auth': auth,
    // The role from api/access.ts, the one place roles are declared.
    'x-klaxon-role': accessOf(route),
    request: {
      ...(request?.params ? { params: request.params } : {}),
      ...(request?.query ? { query: request.query } : {}),
      ...(request?.body
        ? {
            body: {
              required: true,
              ...(request.bodyDescription ? { description: request.bodyDescription } : {}),
              content: { [request.bodyType ?? 'application/json']: { schema: request.body } },
            },
          }
        : {}),
    },
    responses: Object.fromEntries(
      Object.entries(standardResponses(route)).map(([status, r]) => [status, responseConfig(r)]),
    ),
  };
}

/** Returns the OpenAPI 3.1 document for the given routes. */
export function generateOpenApiDocument(routes: readonly RouteSpec[] = API_ROUTES) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `Authorization: Bearer <key>` (create one with `npm run create-api-key`).',
  });
  registry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'klaxon_session',
    description:
      'A console session from `POST /auth/login`. State-changing requests must also send the session\'s `csrf_token` in `X-CSRF-Token`.',
  });
  for (const route of routes) registry.registerPath(routeConfig(route));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Klaxon',
      version,
      description:
        'Self-hosted alerting and on-call escalation. Every route takes an API key (`Authorization: Bearer <key>`) or a console session ' +
        '(the `klaxon_session` cookie from `POST /auth/login`; state-changing requests then also send `X-CSRF-Token`) except the health probes, ' +
        'this documentation, sign-in, and the ingest endpoints, which take an integration routing key. Errors are `{"error": {"code", "message", …}}` ' +
        "(the PagerDuty-compatible endpoint answers in PagerDuty's shapes).",
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    // Either credential: an API key (machines) or a console session (people).
    security: [{ apiKey: [] }, { session: [] }],
    tags: TAGS,
  });
}

export type OpenApiDocument = ReturnType<typeof generateOpenApiDocument>;

let cached: { doc: OpenApiDocument; json: string } | undefined;

/** Returns the document, generated once per process. */
export function openApiDocument(): OpenApiDocument {
  cached ??= (() => {
    const doc = generateOpenApiDocument();
    return { doc, json: JSON.stringify(doc) };
  })();
  return cached.doc;
}

const DOCS_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Klaxon API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
    <link rel="stylesheet" href="/docs/assets/klaxon-docs.css">
    <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/assets/klaxon-docs.js"></script>
  </body>
</html>
`;

// No validator badge: it would fetch from validator.swagger.io, and the docs must work offline.
const DOCS_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const DOCS_CSS = `body { margin: 0; }
`;

/** The swagger-ui-dist files the page uses; nothing else in the package is served. */
const SWAGGER_ASSETS = /^\/(swagger-ui\.css|swagger-ui-bundle\.js|favicon-(16x16|32x32)\.png)(\.map)?$/;

/** Returns the router for /openapi.json and /docs (public: mount before the API-key check). */
export function docsRouter(): Router {
  const router = Router();
  const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

  mount(router, docsRoutes.document, (_req, res) => {
    openApiDocument();
    res.type('application/json').send(cached!.json);
  });
  mount(router, docsRoutes.page, (_req, res) => {
    res.type('text/html').send(DOCS_HTML);
  });
  router.use('/docs/assets', (req, res, next) => {
    if (req.path === '/klaxon-docs.js') return void res.type('text/javascript').send(DOCS_JS);
    if (req.path === '/klaxon-docs.css') return void res.type('text/css').send(DOCS_CSS);
    if (!SWAGGER_ASSETS.test(req.path)) throw notFound(`docs asset ${req.path}`);
    next();
  });
  router.use('/docs/assets', express.static(swaggerDir, { index: false, fallthrough: false }));
  return router;
}
