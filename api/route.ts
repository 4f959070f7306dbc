/**
 * One definition per route: the router mounts it (method and path), validates the request with its zod
 * schemas, and the OpenAPI document is generated from it. Nothing about a route is written twice.
 */
import type { RequestHandler, Router } from 'express';
import { refuseUnstorableInput } from './input-guard';
import type { z } from './zod';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * How a caller authenticates: `api-key` (Authorization: Bearer), `public` (nothing), `routing-key` (an
 * integration's routing key, in the path or the body), `signature` (a signed link or provider signature),
 * `sign-in` (a password or set-up token in the body; answers a session cookie). `api-key` routes take a
 * console session cookie too.
 * Not declared on the route: it follows from the route's entry in api/access.ts (see authOf).
 */
export type Auth = 'api-key' | 'public' | 'routing-key' | 'signature' | 'sign-in';

export interface ResponseSpec {
  description: string;
  /** The body's schema; without it the response has no body. */
  body?: z.ZodType;
  /** Media type of the body (default application/json). */
  contentType?: string;
  /** Response headers worth documenting, name → description. */
  headers?: Record<string, string>;
}

export interface RequestSpec {
  params?: z.ZodObject;
  query?: z.ZodObject | z.ZodPipe<z.ZodObject>;
  body?: z.ZodType;
  /** Media type of the body (default application/json). */
  bodyType?: string;
  /** Describes the body when it is not validated by a zod schema here (e.g. parsed by a domain parser). */
  bodyDescription?: string;
}

export interface RouteSpec {
  method: Method;
  /** Express path, e.g. '/alerts/:id'; the document shows it as '/alerts/{id}'. */
  path: `/${string}`;
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  request?: RequestSpec;
  /**
   * The responses this route itself answers with. Those every route shares (400 for invalid input, 401
   * without a key, 413, 500) are added by the document generator; see standardResponses in api/openapi.ts.
   */
  responses: Readonly<Record<number, ResponseSpec>>;
}

/** Returns the route definition as given (typed, so its schemas keep their inferred types). */
export function defineRoute<const R extends RouteSpec>(route: R): R {
  return route;
}

/**
 * Mounts handlers on the router at the route's method and path. The last handler is the route's own; the
 * ones before it (a body parser, a rate limiter) run first, then the guard against text the store cannot
 * hold (input-guard.ts), so every route's parsed input is checked once, whatever parsed it. A route whose
 * earlier handlers read the parsed input (ingest verifies its routing key before its rate limit) places
 * the guard itself, after its body parser, and it is not added again.
 */
export function mount(router: Router, route: RouteSpec, ...handlers: RequestHandler[]): void {
  const own = handlers.at(-1);
  const before = handlers.slice(0, -1);
  const guard = before.includes(refuseUnstorableInput) ? [] : [refuseUnstorableInput];
  (router[route.method] as (path: string, ...h: RequestHandler[]) => Router).call(
    router,
    route.path,
    ...before,
    ...guard,
    ...(own ? [own] : []),
  );
}

/** Returns the OpenAPI form of an Express path: '/alerts/:id' → '/alerts/{id}', '/console/*path' → '/console/{path}'. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/[:*]([A-Za-z_$][\w$]*)/g, '{$1}');
}

/** Returns every route definition in a table of them (nested tables included), in order. */
export function routesIn(table: object): RouteSpec[] {
  return Object.values(table).flatMap((v: unknown) => {
    if (typeof v !== 'object' || v === null) return [];
    return 'method' in v && 'path' in v && 'responses' in v ? [v as RouteSpec] : routesIn(v);
  });
}
