/**
 * Starting a console session, whichever way the person proved who they are (password, set-up link, a
 * provider): the session row and the cookie that carries it, set in one place so every way signs in the
 * same.
 */
import { serialize } from 'cookie';
import type { Request, Response } from 'express';
import type pg from 'pg';
import type { Logger } from '../runtime/logger';
import { createSession, type SignInMethod } from '../store/sessions';
import type { UserRow } from '../store/users';
import { SESSION_COOKIE } from './auth';

export interface SessionStartDeps {
  pool: pg.Pool;
  log: Logger;
  /** SESSION_MAX_DAYS in ms: the session's absolute lifetime, and its cookie's. */
  maxAgeMs: number;
  /** Mark cookies Secure even on a plain-HTTP request (PUBLIC_URL is https behind a TLS proxy). */
  secureCookies: boolean;
}

/** Returns a Set-Cookie value: HttpOnly, SameSite=Lax, Secure over https; maxAgeSeconds 0 clears it. */
export function cookieHeader(
  req: Request,
  secureCookies: boolean,
  c: { name: string; value: string; maxAgeSeconds: number; path?: string },
): string {
  return serialize(c.name, c.value, {
    httpOnly: true,
    // Lax, not Strict: the provider's redirect back to the callback is a top-level navigation from
    // another site, and must carry the sign-in cookie.
    sameSite: 'lax',
    path: c.path ?? '/',
    secure: secureCookies || req.secure,
    maxAge: c.maxAgeSeconds,
  });
}

/** Returns the Set-Cookie value that ends the session cookie in the browser. */
export function clearedSessionCookie(req: Request, secureCookies: boolean): string {
  return cookieHeader(req, secureCookies, { name: SESSION_COOKIE, value: '', maxAgeSeconds: 0 });
}

/**
 * Starts a session for the user, logs the sign-in, and sets its cookie (and no-store) on res, appending
 * to any Set-Cookie already there; returns the session's CSRF token and expiry. The caller answers.
 */
export async function startSession(
  deps: SessionStartDeps,
  req: Request,
  res: Response,
  user: UserRow,
  method: SignInMethod,
): Promise<{ csrfToken: string; expiresAt: Date }> {
  const s = await createSession(deps.pool, { userId: user.id, method, maxAgeMs: deps.maxAgeMs });
  deps.log.info({ userId: user.id, login: user.login, method }, 'signed in');
  res
    .append(
      'Set-Cookie',
      cookieHeader(req, deps.secureCookies, {
        name: SESSION_COOKIE,
        value: s.token,
        maxAgeSeconds: Math.floor(deps.maxAgeMs / 1000),
      }),
    )
    .setHeader('Cache-Control', 'no-store');
  return { csrfToken: s.csrfToken, expiresAt: s.expiresAt };
}
