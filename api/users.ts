/** /users and their contact methods: who can be paged, and how. */
import { Router } from 'express';
import { IANAZone } from 'luxon';
import type pg from 'pg';
import { z } from 'zod';
import { inTransaction } from '../store/db';
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

const timeZone = z.string().refine((tz) => IANAZone.isValidZone(tz), 'not an IANA time zone (e.g. Europe/London)');

export const contactMethodBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('email'), address: z.email() }),
  z.strictObject({ type: z.literal('sms'), address: z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number such as +14155550100') }),
  z.strictObject({
    type: z.literal('webhook'),
    address: z.url({ protocol: /^https?$/ }),
    secret: z.string().min(16, 'at least 16 characters').max(256).optional(),
  }),
]);

const createUserBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  time_zone: timeZone.default('UTC'),
  contact_methods: z.array(contactMethodBody).max(20).default([]),
});
const updateUserBody = z.strictObject({ name: z.string().trim().min(1).max(200).optional(), time_zone: timeZone.optional() });
const idParams = z.object({ id: z.uuid() });
const methodParams = z.object({ id: z.uuid(), methodId: z.uuid() });

// Webhook secrets are write-only: the API never hands them back.
const methodJson = (m: ContactMethodRow) => ({ id: m.id, type: m.type, address: m.address, has_secret: m.secret !== null });
const userJson = (u: UserRow, methods: ContactMethodRow[]) => ({
  id: u.id,
  name: u.name,
  time_zone: u.time_zone,
  contact_methods: methods.filter((m) => m.user_id === u.id).map(methodJson),
  created_at: u.created_at,
});

function uniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

/** Returns the router for /users. */
export function usersRouter({ pool }: { pool: pg.Pool }): Router {
  const router = Router();

  router.post('/users', async (req, res) => {
    const body = parseInput(createUserBody, req.body, 'body');
    try {
      const { user, methods } = await inTransaction(pool, async (tx) => {
        const user = await insertUser(tx, { name: body.name, timeZone: body.time_zone });
        const methods = [];
        for (const m of body.contact_methods) {
          methods.push(await insertContactMethod(tx, { userId: user.id, type: m.type, address: m.address, secret: 'secret' in m ? m.secret : null }));
        }
        return { user, methods };
      });
      res.status(201).location(`/users/${user.id}`).json(userJson(user, methods));
    } catch (err) {
      if (uniqueViolation(err)) throw new HttpError(409, 'duplicate', 'body.contact_methods: the same contact method is listed twice');
      throw err;
    }
  });

  router.get('/users', async (_req, res) => {
    const users = await listUsers(pool);
    const methods = await contactMethodsOf(pool, users.map((u) => u.id));
    res.json({ users: users.map((u) => userJson(u, methods)) });
  });

  router.get('/users/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const user = await getUser(pool, id);
    if (!user) throw notFound(`user ${id}`);
    res.json(userJson(user, await contactMethodsOf(pool, [id])));
  });

  router.patch('/users/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const body = parseInput(updateUserBody, req.body, 'body');
    const user = await updateUser(pool, id, { name: body.name, timeZone: body.time_zone });
    if (!user) throw notFound(`user ${id}`);
    res.json(userJson(user, await contactMethodsOf(pool, [id])));
  });

  router.delete('/users/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    if (!(await deleteUser(pool, id))) throw notFound(`user ${id}`);
    res.status(204).end();
  });

  router.post('/users/:id/contact-methods', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const body = parseInput(contactMethodBody, req.body, 'body');
    if (!(await getUser(pool, id))) throw notFound(`user ${id}`);
    try {
      const m = await insertContactMethod(pool, { userId: id, type: body.type, address: body.address, secret: 'secret' in body ? body.secret : null });
      res.status(201).json(methodJson(m));
    } catch (err) {
      if (uniqueViolation(err)) throw new HttpError(409, 'duplicate', `user ${id} already has this ${body.type} contact method`);
      throw err;
    }
  });

  router.delete('/users/:id/contact-methods/:methodId', async (req, res) => {
    const { id, methodId } = parseInput(methodParams, req.params, 'params');
    if (!(await deleteContactMethod(pool, id, methodId))) throw notFound(`contact method ${methodId} of user ${id}`);
    res.status(204).end();
  });

  return router;
}
