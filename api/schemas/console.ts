/** The web console's pages: one HTML document for every console address, and its hashed assets. */
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse } from './common';

const tags = ['console'] as const;
const page = {
  description: 'The console page (it holds no data; its API calls carry the session)',
  body: z.string(),
  contentType: 'text/html',
};
const notBuilt = errorResponse(
  'The console has not been built (`console_not_built`: run `npm run build:web`)',
);

export const consoleRoutes = {
  root: defineRoute({
    method: 'get',
    path: '/',
    operationId: 'home',
    summary: 'Redirects to the web console',
    tags,
    responses: { 302: { description: 'To /console', headers: { Location: '/console' } } },
  }),
  console: defineRoute({
    method: 'get',
    path: '/console',
    operationId: 'console',
    summary: 'The web console',
    tags,
    responses: { 200: page, 503: notBuilt },
  }),
  page: defineRoute({
    method: 'get',
    path: '/console/*path',
    operationId: 'consolePage',
    summary: 'A page of the web console (the same document: the console routes in the browser)',
    description: 'Assets are under /console/assets/ with content-hashed names, cached for a year.',
    tags,
    request: {
      params: z.strictObject({
        path: z.string().openapi({ description: 'The page, e.g. `setup` or `alerts`' }),
      }),
    },
    responses: { 200: page, 503: notBuilt },
  }),
};
