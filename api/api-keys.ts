/**
 * /api-keys: create, list and revoke API keys (admin), and /me/api-keys: a signed-in person's own, never
 * above their role. A key is shown in clear once, when created.
 */
import { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import type { Logger } from '../runtime/logger';
import { createApiKey, getApiKey, LastAdminKeyError, listApiKeys, revokeApiKey, roleAtLeast, type ApiKeyRow } from '../store/api-keys';
import { HttpError, notFound, parseInput } from './errors';
import { mount } from './route';
import { myUserId } from './users';
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
  user_id: k.user_id,
});

/** Who did it, for the log: the key's or the user's id, never a secret. */
const byOf = (req: Request) => req.principal && `${req.principal.kind}:${req.principal.id}`;

/** Returns the router for /api-keys and /me/api-keys. */
export function apiKeysRouter({ pool, log }: { pool: pg.Pool; log: Logger }): Router {
  const router = Router();

  mount(router, routes.create, async (req, res) => {
    const body = parseInput(routes.create.request.body, req.body, 'body');
    const { key, row } = await createApiKey(pool, { name: body.name, role: body.role });
    log.info({ apiKeyId: row.id, name: row.name, role: row.role, by: byOf(req) }, 'api key created');
    res.status(201).location(`/api-keys/${row.id}`).json({ ...keyJson(row), key });
  });

  mount(router, routes.list, async (_req, res) => {
    res.json({ api_keys: (await listApiKeys(pool)).map(keyJson) });
  });

  /** Revokes the key and answers it; 404 when there is none, 409 for the last admin key. */
  const revoke = async (req: Request, res: Response, id: string, owner?: string) => {
    const existing = await getApiKey(pool, id);
    if (!existing || (owner !== undefined && existing.user_id !== owner)) throw notFound(`API key ${id}`);
    let row: ApiKeyRow | undefined;
    try {
      row = await revokeApiKey(pool, id);
    } catch (err) {
      if (err instanceof LastAdminKeyError) throw new HttpError(409, 'last_admin_key', err.message);
      throw err;
    }
    if (!row) throw notFound(`API key ${id}`);
    log.info({ apiKeyId: row.id, name: row.name, role: row.role, by: byOf(req) }, 'api key revoked');
    res.json(keyJson(row));
  };

  mount(router, routes.revoke, async (req, res) => {
    const { id } = parseInput(routes.revoke.request.params, req.params, 'params');
    await revoke(req, res, id);
  });

  mount(router, routes.listMine, async (req, res) => {
    res.json({ api_keys: (await listApiKeys(pool, myUserId(req))).map(keyJson) });
  });

  mount(router, routes.createMine, async (req, res) => {
    const userId = myUserId(req);
    const body = parseInput(routes.createMine.request.body, req.body, 'body');
    const mine = req.principal!.role;
    if (!roleAtLeast(mine, body.role)) {
      throw new HttpError(403, 'role_above_yours', `a personal key can have at most your own role (${mine}), not ${body.role}`, { required_role: body.role, key_role: mine });
    }
    const { key, row } = await createApiKey(pool, { name: body.name, role: body.role, userId });
    log.info({ apiKeyId: row.id, name: row.name, role: row.role, by: byOf(req) }, 'api key created');
    res.status(201).location(`/me/api-keys/${row.id}`).json({ ...keyJson(row), key });
  });

  mount(router, routes.revokeMine, async (req, res) => {
    const { id } = parseInput(routes.revokeMine.request.params, req.params, 'params');
    await revoke(req, res, id, myUserId(req));
  });

  return router;
}
