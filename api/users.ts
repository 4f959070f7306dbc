/** /users and their contact methods: who can be paged, and how. */
import { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import { checkWebhookUrl, NO_ALLOWLIST, withoutUrlCredentials, type OutboundAllowlist } from '../domain/outbound-address';
import { capPersonalKeys } from '../store/api-keys';
import { setPasswordHash, withPasswords } from '../store/credentials';
import { inTransaction } from '../store/db';
import { deleteSessionsOf } from '../store/sessions';
import {
  contactMethodsOf,
  deleteContactMethod,
  deleteUser,
  getUser,
  insertContactMethod,
  insertUser,
  listUsers,
  updateUser,
  type ContactMethodRow,
  type UserRow,
} from '../store/users';
import { HttpError, notFound, parseInput } from './errors';
import { hashPassword } from './passwords';
import { mount } from './route';
import { userRoutes as routes } from './schemas/users';
import type { z } from './zod';

// Webhook secrets are write-only: the API never hands them back, nor credentials a URL stored before they were refused.
export const methodJson = (m: ContactMethodRow) => ({ id: m.id, type: m.type, address: m.type === 'webhook' ? withoutUrlCredentials(m.address) : m.address, has_secret: m.secret_id !== null, verified_at: m.verified_at });
const userJson = (u: UserRow, methods: ContactMethodRow[], passwords: Set<string>) => ({
  id: u.id,
  name: u.name,
  time_zone: u.time_zone,
  login: u.login,
  role: u.role,
  has_password: passwords.has(u.id),
  contact_methods: methods.filter((m) => m.user_id === u.id).map(methodJson),
  created_at: u.created_at,
});

function uniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

/** The constraint a unique violation broke: the login's index, or a contact method's. */
const loginTaken = (err: unknown) => (err as { constraint?: string }).constraint === 'users_login_key';

/** Throws a 400 naming the first webhook contact method the outbound rule refuses. */
function checkMethods(methods: { type: string; address: string }[], field: (i: number) => string, allowlist: OutboundAllowlist): void {
  const errors = methods.flatMap((m, i) => {
    const checked = m.type === 'webhook' ? checkWebhookUrl(m.address, allowlist) : undefined;
    return checked && !checked.ok ? [{ field: field(i), message: checked.message }] : [];
  });
  if (errors.length) throw new HttpError(400, 'invalid_request', `${errors[0]!.field}: ${errors[0]!.message}`, { errors });
}

/** Returns the signed-in person's user id; an API key has no "me". */
export function myUserId(req: Request): string {
  if (req.principal?.kind !== 'session') throw new HttpError(400, 'not_a_session', 'an API key is not a person: use the /users/:id routes');
  return req.principal.id;
}

/** Returns the router for /users; webhook contact methods must pass the outbound rule with `allowlist`. */
export function usersRouter({ pool, allowlist = NO_ALLOWLIST }: { pool: pg.Pool; allowlist?: OutboundAllowlist }): Router {
  const router = Router();

  mount(router, routes.create, async (req, res) => {
    const body = parseInput(routes.create.request.body, req.body, 'body');
    checkMethods(body.contact_methods, (i) => `body.contact_methods.${i}.address`, allowlist);
    // Hashed before the transaction: argon2 takes tens of milliseconds, no connection should wait on it.
    const hash = body.password === undefined ? undefined : await hashPassword(body.password);
    try {
      const { user, methods } = await inTransaction(pool, async (tx) => {
        const user = await insertUser(tx, { name: body.name, timeZone: body.time_zone, login: body.login, role: body.role });
        if (hash) await setPasswordHash(tx, user.id, hash);
        const methods = [];
        for (const m of body.contact_methods) {
          methods.push(await insertContactMethod(tx, { userId: user.id, type: m.type, address: m.address, secret: 'secret' in m ? m.secret : null }));
        }
        return { user, methods };
      });
      res.status(201).location(`/users/${user.id}`).json(userJson(user, methods, new Set(hash ? [user.id] : [])));
    } catch (err) {
      if (loginTaken(err)) throw new HttpError(409, 'duplicate', `body.login: another user already signs in as ${body.login}`);
      if (uniqueViolation(err)) throw new HttpError(409, 'duplicate', 'body.contact_methods: the same contact method is listed twice');
      throw err;
    }
  });

  mount(router, routes.list, async (_req, res) => {
    const users = await listUsers(pool);
    const ids = users.map((u) => u.id);
    const [methods, passwords] = await Promise.all([contactMethodsOf(pool, ids), withPasswords(pool, ids)]);
    res.json({ users: users.map((u) => userJson(u, methods, passwords)) });
  });

  mount(router, routes.get, async (req, res) => {
    const { id } = parseInput(routes.get.request.params, req.params, 'params');
    const user = await getUser(pool, id);
    if (!user) throw notFound(`user ${id}`);
    res.json(userJson(user, await contactMethodsOf(pool, [id]), await withPasswords(pool, [id])));
  });

  mount(router, routes.update, async (req, res) => {
    const { id } = parseInput(routes.update.request.params, req.params, 'params');
    const body = parseInput(routes.update.request.body, req.body, 'body');
    const user = await inTransaction(pool, async (tx) => {
      const updated = await updateUser(tx, id, { name: body.name, timeZone: body.time_zone, login: body.login, role: body.role });
      // No personal key may do more than its owner now may.
      if (updated && body.role) await capPersonalKeys(tx, id, body.role);
      return updated;
    }).catch((err: unknown) => {
      if (loginTaken(err)) throw new HttpError(409, 'duplicate', `body.login: another user already signs in as ${body.login}`);
      throw err;
    });
    if (!user) throw notFound(`user ${id}`);
    // A new role applies at once: sessions read the user's role on every request.
    res.json(userJson(user, await contactMethodsOf(pool, [id]), await withPasswords(pool, [id])));
  });

  mount(router, routes.delete, async (req, res) => {
    const { id } = parseInput(routes.delete.request.params, req.params, 'params');
    if (!(await deleteUser(pool, id))) throw notFound(`user ${id}`);
    res.status(204).end();
  });

  mount(router, routes.setPassword, async (req, res) => {
    const { id } = parseInput(routes.setPassword.request.params, req.params, 'params');
    const body = parseInput(routes.setPassword.request.body, req.body, 'body');
    const user = await getUser(pool, id);
    if (!user) throw notFound(`user ${id}`);
    if (user.login === null) throw new HttpError(409, 'no_login', `user ${id} has no login to sign in with: set one with PATCH /users/${id}`);
    await setPasswordHash(pool, id, await hashPassword(body.password));
    // A reset is often because the old one leaked: whoever signed in with it is signed out.
    await deleteSessionsOf(pool, id);
    res.status(204).end();
  });

  /** Adds a contact method to the user (checked against the outbound rule) and answers it. */
  const addMethod = async (res: Response, id: string, body: z.infer<typeof routes.addContactMethod.request.body>) => {
    checkMethods([body], () => 'body.address', allowlist);
    if (!(await getUser(pool, id))) throw notFound(`user ${id}`);
    try {
      const m = await insertContactMethod(pool, { userId: id, type: body.type, address: body.address, secret: 'secret' in body ? body.secret : null });
      res.status(201).json(methodJson(m));
    } catch (err) {
      if (uniqueViolation(err)) throw new HttpError(409, 'duplicate', `user ${id} already has this ${body.type} contact method`);
      throw err;
    }
  };
  const removeMethod = async (res: Response, id: string, methodId: string) => {
    if (!(await deleteContactMethod(pool, id, methodId))) throw notFound(`contact method ${methodId} of user ${id}`);
    res.status(204).end();
  };

  mount(router, routes.addContactMethod, async (req, res) => {
    const { id } = parseInput(routes.addContactMethod.request.params, req.params, 'params');
    await addMethod(res, id, parseInput(routes.addContactMethod.request.body, req.body, 'body'));
  });

  mount(router, routes.deleteContactMethod, async (req, res) => {
    const { id, methodId } = parseInput(routes.deleteContactMethod.request.params, req.params, 'params');
    await removeMethod(res, id, methodId);
  });

  // The signed-in person's own profile: what a responder keeps up to date without asking an admin.
  mount(router, routes.updateMe, async (req, res) => {
    const id = myUserId(req);
    const body = parseInput(routes.updateMe.request.body, req.body, 'body');
    const user = await updateUser(pool, id, { name: body.name, timeZone: body.time_zone });
    if (!user) throw notFound(`user ${id}`);
    res.json(userJson(user, await contactMethodsOf(pool, [id]), await withPasswords(pool, [id])));
  });

  mount(router, routes.addMyContactMethod, async (req, res) => {
    await addMethod(res, myUserId(req), parseInput(routes.addMyContactMethod.request.body, req.body, 'body'));
  });

  mount(router, routes.deleteMyContactMethod, async (req, res) => {
    const { methodId } = parseInput(routes.deleteMyContactMethod.request.params, req.params, 'params');
    await removeMethod(res, myUserId(req), methodId);
  });

  return router;
}
