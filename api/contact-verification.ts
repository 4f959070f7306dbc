/**
 * Typing back a verification code: POST …/contact-methods/:methodId/verify/confirm, for my own methods (a
 * console session) and anyone's (admin). The code was sent by …/verify (api/test-pages.ts). A wrong code
 * counts against the pending one; past the limit a new code must be sent.
 */
import { Router } from 'express';
import type pg from 'pg';
import {
  checkVerification,
  MAX_VERIFICATION_ATTEMPTS,
  type VerificationCheck,
} from '../domain/contact-verification';
import type { ContactMethodRow } from '../store/users';
import { countWrongCode, markVerified, pendingVerification } from '../store/verifications';
import { HttpError, notFound, parseInput } from './errors';
import { mount } from './route';
import { userRoutes as routes } from './schemas/users';
import { methodJson, myUserId } from './users';

const WHY: Record<Exclude<VerificationCheck, 'ok'>, string> = {
  wrong: 'not the code that was sent',
  expired: 'the code has expired: send a new one',
  too_many: `too many wrong codes (${MAX_VERIFICATION_ATTEMPTS}): send a new one`,
  none: 'no code was sent to this contact method: send one first',
};

/** Returns the router for confirming verification codes. */
export function contactVerificationRouter({
  pool,
  now = Date.now,
}: {
  pool: pg.Pool;
  now?: () => number | Promise<number>;
}): Router {
  const router = Router();

  const confirm = async (userId: string, methodId: string, code: string) => {
    const { rows } = await pool.query<ContactMethodRow>(
      'select * from contact_methods where id = $1 and user_id = $2',
      [methodId, userId],
    );
    const method = rows[0];
    if (!method) throw notFound(`contact method ${methodId} of user ${userId}`);
    const verdict = checkVerification(methodId, await pendingVerification(pool, methodId), code, await now());
    if (verdict !== 'ok') {
      if (verdict === 'wrong') await countWrongCode(pool, methodId);
      throw new HttpError(400, 'invalid_request', `body.code: ${WHY[verdict]}`, {
        errors: [{ field: 'body.code', message: WHY[verdict] }],
      });
    }
    return methodJson({ ...method, verified_at: await markVerified(pool, methodId) });
  };

  mount(router, routes.confirmContactMethod, async (req, res) => {
    const { id, methodId } = parseInput(routes.confirmContactMethod.request.params, req.params, 'params');
    const { code } = parseInput(routes.confirmContactMethod.request.body, req.body, 'body');
    res.json(await confirm(id, methodId, code));
  });

  mount(router, routes.confirmMyContactMethod, async (req, res) => {
    const { methodId } = parseInput(routes.confirmMyContactMethod.request.params, req.params, 'params');
    const { code } = parseInput(routes.confirmMyContactMethod.request.body, req.body, 'body');
    res.json(await confirm(myUserId(req), methodId, code));
  });

  return router;
}
