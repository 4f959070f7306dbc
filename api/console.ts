/**
 * Serves the web console that `npm run build:web` writes (runtime/console-build.ts): one index.html for
 * every console address, so deep links and the set-up link work (the console routes in the browser),
 * and its assets, whose content-hashed names may be cached for good. Public: the page holds no data,
 * and every API call it makes carries the session.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import { BUILT_CONSOLE_DIR } from '../runtime/project-root';
import { HttpError } from './errors';
import { mount } from './route';
import { consoleRoutes } from './schemas/console';

export const CONSOLE_ASSETS_PATH = '/console/assets';

/** Returns the router for / and /console (public: mount before the API-key check). */
export function consoleRouter({ dir = BUILT_CONSOLE_DIR }: { dir?: string } = {}): Router {
  const router = Router();
  // No body: the document says a 302 carries only its Location (Express's would add a text one).
  mount(router, consoleRoutes.root, (_req, res) => res.status(302).location('/console').end());
  router.use(
    CONSOLE_ASSETS_PATH,
    express.static(path.join(dir, 'assets'), {
      index: false,
      fallthrough: false,
      immutable: true,
      maxAge: '365d',
    }),
  );
  // Read at each request (a few hundred bytes): a rebuild while the server runs is served at once.
  const page: RequestHandler = async (_req, res) => {
    let html: string;
    try {
      html = await readFile(path.join(dir, 'index.html'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new HttpError(
        503,
        'console_not_built',
        'the web console has not been built: run `npm run build:web`',
      );
    }
    res.set('Cache-Control', 'no-cache').type('text/html').send(html);
  };
  mount(router, consoleRoutes.console, page);
  mount(router, consoleRoutes.page, page);
  return router;
}
