/**
 * The routes an Express 5 app serves, found by walking its router (routes are layers with a `route`,
 * nested routers layers whose handle has a `stack`), and a concrete path for each. routesOf() serves
 * the access-table test, mountedRoutes() (with mount prefixes and OpenAPI paths) the document test.
 */
import assert from 'node:assert/strict';
import type express from 'express';
import { parse, type Token } from 'path-to-regexp';
import { openApiPath } from '../../api/route';

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  slash?: boolean;
}

export interface Route {
  method: string;
  path: string;
  name: string;
}

/** Returns every route of the app: Express 5 keeps them in app.router.stack, nested routers in handle.stack. */
export function routesOf(app: express.Express): Route[] {
  const routes: Route[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        assert.equal(typeof layer.route.path, 'string', `a route with a non-string path: ${String(layer.route.path)}`);
        const path = layer.route.path as string;
        for (const method of Object.keys(layer.route.methods)) {
          assert.notEqual(method, '_all', `${path} is registered with router.all(): give each method its own route`);
          routes.push({ method: method.toUpperCase(), path, name: `${method.toUpperCase()} ${path}` });
        }
      } else if (layer.handle?.stack) {
        // Routers are mounted at the root; a mount path would have to be added to each route's path.
        assert.ok(layer.slash, 'a router mounted under a path prefix: teach routesOf() to prepend it');
        walk(layer.handle.stack);
      }
    }
  };
  walk((app.router as unknown as { stack: Layer[] }).stack);
  return routes;
}

const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';

/** Returns a concrete path for a route pattern: ids become a UUID nobody has, other parameters a word. */
export function samplePath(pattern: string): string {
  const render = (tokens: Token[]): string =>
    tokens
      .map((t) => {
        if (t.type === 'text') return t.value;
        if (t.type === 'param') return /id$/i.test(t.name) ? SAMPLE_ID : t.name === 'key' ? 'f'.repeat(32) : `sample-${t.name}`;
        if (t.type === 'wildcard') return 'sample';
        return ''; // optional groups left out
      })
      .join('');
  return render(parse(pattern).tokens);
}

export interface MountedRoute {
  /** Lower case, as OpenAPI writes it; '*' for router.all(). */
  method: string;
  /** The Express path with its mount prefix, e.g. '/alerts/:id'. */
  path: string;
  /** The same path in OpenAPI form, e.g. '/alerts/{id}'. */
  openApiPath: string;
}

interface WalkLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle?: { stack?: WalkLayer[] };
  /** router 2.x: the path the layer was mounted with ('/' and slash=true for a root use()). */
  rawPath?: unknown;
  slash?: boolean;
}

const join = (prefix: string, path: string) => (prefix + path).replace(/\/{2,}/g, '/') || '/';

function mountPrefix(layer: WalkLayer): string {
  if (layer.slash || layer.rawPath === '/' || layer.rawPath === undefined) return '';
  if (typeof layer.rawPath === 'string') return layer.rawPath.replace(/\/$/, '');
  throw new Error(
    `cannot tell where a router mounted at ${String(layer.rawPath)} is; mount routers at string paths`,
  );
}

function walk(stack: readonly WalkLayer[], prefix: string): MountedRoute[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const route = layer.route;
      const paths = Array.isArray(route.path) ? (route.path as unknown[]) : [route.path];
      return paths.flatMap((p) => {
        if (typeof p !== 'string')
          throw new Error(`route with a non-string path ${String(p)}: it cannot be documented`);
        const path = join(prefix, p);
        return Object.keys(route.methods)
          .filter((m) => route.methods[m])
          .map((m) => ({ method: m === '_all' ? '*' : m, path, openApiPath: openApiPath(path) }));
      });
    }
    return layer.handle?.stack ? walk(layer.handle.stack, join(prefix, mountPrefix(layer))) : [];
  });
}

/** Returns every route the app mounts, nested routers included, in mounting order. */
export function mountedRoutes(app: express.Express): MountedRoute[] {
  return walk(app.router.stack as unknown as WalkLayer[], '');
}
