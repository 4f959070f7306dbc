/**
 * /auth: people sign in to the web console and get a session cookie. The session then stands in for an
 * API key on every route (api/auth.ts), with the user's role; state-changing requests made with it must
 * echo its CSRF token in X-CSRF-Token (a synchronizer token: the cookie alone, which a page on another
 * site can make the browser send, is never enough).
 */
import { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import type { Logger } from '../runtime/logger';
import { findByLogin, passwordHashOf, setPasswordHash } from '../store/credentials';
import { inTransaction } from '../store/db';
import { deleteSession, deleteSessionsOf, useSetupToken, type SignInMethod } from '../store/sessions';
import { insertUser, type UserRow } from '../store/users';
import type { Principal } from './auth';
import { authThrottled, type AuthThrottle } from './auth-throttle';
import { HttpError, parseInput } from './errors';
import { hashPassword, passwordMatches } from './passwords';
import { mount } from './route';
import { sessionRoutes as routes } from './schemas/sessions';
import { clearedSessionCookie, startSession } from './session-start';

export interface SessionDeps {
  pool: pg.Pool;
  log: Logger;
  throttle: AuthThrottle;
  idleMs: number;
  maxAgeMs: number;
  /** Mark the cookie Secure even on a plain-HTTP request (PUBLIC_URL is https behind a TLS proxy). */
  secureCookies: boolean;
}

const notASession = () =>
  new HttpError(400, 'not_a_session', 'this request carries an API key, not a console session');

/** The session's JSON: who, what they may do, and the CSRF token the console echoes. */
function sessionJson(
  who: Principal,
  s: {
    user: Pick<UserRow, 'id' | 'name' | 'login' | 'role'> | null;
    csrfToken: string | null;
    expiresAt: Date | null;
  },
  idleMs: number,
) {
  return {
    kind: who.kind,
    user: s.user && { id: s.user.id, name: s.user.name, login: s.user.login, role: s.user.role },
    role: who.role,
    name: who.name,
    csrf_token: s.csrfToken,
    expires_at: s.expiresAt?.toISOString() ?? null,
    idle_timeout_seconds: s.user ? Math.round(idleMs / 1000) : null,
  };
}

/** Returns the router for /auth. */
export function sessionsRouter({
  pool,
  log,
  throttle,
  idleMs,
  maxAgeMs,
  secureCookies,
}: SessionDeps): Router {
  const router = Router();

  /** Starts a session for the user, sets its cookie, and answers it with `status`. */
  const signIn = async (req: Request, res: Response, user: UserRow, method: SignInMethod, status: number) => {
    const s = await startSession({ pool, log, maxAgeMs, secureCookies }, req, res, user, method);
    res
      .status(status)
      .json(
        sessionJson(
          { kind: 'session', id: user.id, name: user.name, role: user.role },
          { user, csrfToken: s.csrfToken, expiresAt: s.expiresAt },
          idleMs,
        ),
      );
  };

  mount(router, routes.login, async (req, res) => {
    const body = parseInput(routes.login.request.body, req.body, 'body');
    const verdict = await throttle.verify(req, false, async () => {
      const found = await findByLogin(pool, body.login.trim());
      return (await passwordMatches(found?.hash, body.password)) ? found!.user : undefined;
    });
    if (verdict.retryAfter !== undefined) throw authThrottled(verdict.retryAfter);
    if (!verdict.found) {
      log.info({ login: body.login.slice(0, 254) }, 'sign-in refused');
      throw new HttpError(401, 'unauthorized', 'unknown login or wrong password');
    }
    await signIn(req, res, verdict.found, 'password', 200);
  });

  mount(router, routes.setup, async (req, res) => {
    const body = parseInput(routes.setup.request.body, req.body, 'body');
    const hash = await hashPassword(body.password);
    const verdict = await throttle.verify(req, false, () =>
      inTransaction(pool, async (tx) => {
        if (!(await useSetupToken(tx, body.token))) return undefined;
        const user = await insertUser(tx, {
          name: body.name,
          timeZone: 'UTC',
          login: body.login,
          role: 'admin',
        });
        await setPasswordHash(tx, user.id, hash);
        return user;
      }).catch((err: unknown) => {
        if ((err as { code?: string }).code === '23505')
          throw new HttpError(409, 'duplicate', `another user already signs in as ${body.login}`);
        throw err;
      }),
    );
    if (verdict.retryAfter !== undefined) throw authThrottled(verdict.retryAfter);
    if (!verdict.found)
      throw new HttpError(
        401,
        'unauthorized',
        'the set-up link is unknown, used or expired: restart Klaxon for a new one',
      );
    log.info({ userId: verdict.found.id, login: verdict.found.login }, 'first admin set up');
    await signIn(req, res, verdict.found, 'setup', 201);
  });

  mount(router, routes.session, (req, res) => {
    const who = req.principal!;
    const s = req.session;
    res
      .setHeader('Cache-Control', 'no-store')
      .json(
        sessionJson(
          who,
          s
            ? {
                user: { id: s.user_id, name: s.name, login: s.login, role: s.role },
                csrfToken: s.csrf_token,
                expiresAt: s.expires_at,
              }
            : { user: null, csrfToken: null, expiresAt: null },
          idleMs,
        ),
      );
  });

  mount(router, routes.logout, async (req, res) => {
    if (!req.session) throw notASession();
    await deleteSession(pool, req.session.token);
    log.info({ userId: req.session.user_id }, 'signed out');
    res
      .status(204)
      .setHeader('Set-Cookie', clearedSessionCookie(req, secureCookies))
      .end();
  });

  mount(router, routes.changePassword, async (req, res) => {
    if (!req.session) throw notASession();
    const body = parseInput(routes.changePassword.request.body, req.body, 'body');
    const userId = req.session.user_id;
    if (!(await passwordMatches(await passwordHashOf(pool, userId), body.current_password))) {
      throw new HttpError(403, 'wrong_password', 'the current password is wrong');
    }
    await setPasswordHash(pool, userId, await hashPassword(body.new_password));
    // Whoever knew the old password is signed out everywhere else.
    await deleteSessionsOf(pool, userId, req.session.token);
    log.info({ userId }, 'password changed');
    res.status(204).end();
  });

  return router;
}
