/** /api-keys: create, list and revoke API keys (admin). A key is shown in clear once, when created. */
import { Router } from 'express';
import type pg from 'pg';
import type { Logger } from '../runtime/logger';
import { createApiKey, LastAdminKeyError, listApiKeys, revokeApiKey, type ApiKeyRow } from '../store/api-keys';
import { HttpError, notFound, parseInput } from './errors';
import { mount } from './route';
import { apiKeyRoutes as routes } from './schemas/api-keys';

// Never the key or its digest: only what identifies it (name, and the prefix the holder can compare).
const keyJson = (k: ApiKeyRow) => ({
  id: k.id,
  name: k.name,
  role: k.role,
  prefix: k.prefix,
  created_at: k.created_at,
  last_used_at: k.last_used_at,
  revoked_at: k.revoked_at,
});

/** Returns the router for /api-keys. */
export function apiKeysRouter({ pool, log }: { pool: pg.Pool; log: Logger }): Router {
  const router = Router();

  mount(router, routes.create, async (req, res) => {
    const body = parseInput(routes.create.request.body, req.body, 'body');
    const { key, row } = await createApiKey(pool, { name: body.name, role: body.role });
    log.info({ apiKeyId: row.id, name: row.name, role: row.role, by: req.principal && `${req.principal.kind}:${req.principal.id}` }, 'api key created');
    res.status(201).location(`/api-keys/${row.id}`).json({ ...keyJson(row), key });
  });

  mount(router, routes.list, async (_req, res) => {
    res.json({ api_keys: (await listApiKeys(pool)).map(keyJson) });
  });

  mount(router, routes.revoke, async (req, res) => {
    const { id } = parseInput(routes.revoke.request.params, req.params, 'params');
    let row: ApiKeyRow | undefined;
    try {
      row = await revokeApiKey(pool, id);
    } catch (err) {
      if (err instanceof LastAdminKeyError) throw new HttpError(409, 'last_admin_key', err.message);
      throw err;
    }
    if (!row) throw notFound(`API key ${id}`);
    log.info({ apiKeyId: row.id, name: row.name, role: row.role, by: req.principal && `${req.principal.kind}:${req.principal.id}` }, 'api key revoked');
    res.json(keyJson(row));
  });

  return router;
}
