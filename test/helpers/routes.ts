/**
 * The routes an Express 5 app actually mounts, found by walking its router: routes are layers with a
 * `route` (path and methods), nested routers are layers whose handle has a `stack`. Middleware such as
 * express.static is not a route and is not listed.
 */
import type express from 'express';
import { openApiPath } from '../../api/route';

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
