/** GET/PUT /users/:id/notification-rules (admin) and /me/notification-rules: the order and delays of a user's pages. */
import { Router } from 'express';
import type pg from 'pg';
import { rulesProblem, type RuleInput } from '../domain/notification-rules';
import { inTransaction, type Queryable } from '../store/db';
import { replaceRules, rulesOf } from '../store/notification-rules';
import { contactMethodsOf, getUser } from '../store/users';
import { HttpError, notFound, parseInput } from './errors';
import { mount } from './route';
import { notificationRuleRoutes as routes } from './schemas/notification-rules';
import { methodJson, myUserId } from './users';

/** Returns a user's rules as the API shows them, each with its contact method's type and address. */
async function rulesJson(db: Queryable, userId: string) {
  const [rules, methods] = await Promise.all([rulesOf(db, [userId]), contactMethodsOf(db, [userId])]);
  return {
    rules: rules.flatMap((r) => {
      const m = methods.find((x) => x.id === r.contact_method_id);
      return m
        ? [
            {
              contact_method_id: m.id,
              type: m.type,
              address: methodJson(m).address,
              delay_minutes: r.delay_minutes,
            },
          ]
        : [];
    }),
  };
}

/** Returns the router for notification rules. */
export function notificationRulesRouter({ pool }: { pool: pg.Pool }): Router {
  const router = Router();

  const show = async (userId: string) => {
    if (!(await getUser(pool, userId))) throw notFound(`user ${userId}`);
    return rulesJson(pool, userId);
  };
  const replace = async (userId: string, rules: RuleInput[]) =>
    inTransaction(pool, async (tx) => {
      if (!(await getUser(tx, userId))) throw notFound(`user ${userId}`);
      // Read in the transaction that writes: a method deleted meanwhile cascades its rule away anyway.
      const own = new Set((await contactMethodsOf(tx, [userId])).map((m) => m.id));
      const problem = rulesProblem(rules, own);
      if (problem) {
        const field = `body.rules.${problem.index}.${problem.field}`;
        throw new HttpError(400, 'invalid_request', `${field}: ${problem.message}`, {
          errors: [{ field, message: problem.message }],
        });
      }
      await replaceRules(tx, userId, rules);
      return rulesJson(tx, userId);
    });

  mount(router, routes.get, async (req, res) => {
    const { id } = parseInput(routes.get.request.params, req.params, 'params');
    res.json(await show(id));
  });
  mount(router, routes.set, async (req, res) => {
    const { id } = parseInput(routes.set.request.params, req.params, 'params');
    const body = parseInput(routes.set.request.body, req.body, 'body');
    res.json(await replace(id, body.rules));
  });
  mount(router, routes.getMine, async (req, res) => {
    res.json(await show(myUserId(req)));
  });
  mount(router, routes.setMine, async (req, res) => {
    const id = myUserId(req);
    const body = parseInput(routes.setMine.request.body, req.body, 'body');
    res.json(await replace(id, body.rules));
  });

  return router;
}
