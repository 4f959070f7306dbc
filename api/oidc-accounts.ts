/**
 * Which Klaxon user a person the provider vouches for is, with the role their claim gives them: found by
 * their identity at the provider, else by a verified email equal to a user's login (linked from then
 * on), else created. Creating is what GoAlert and Grafana do by default with single sign-on: the
 * provider's groups already say who may use the console, so nobody has to be entered twice.
 */
import type pg from 'pg';
import type { ApiKeyRole } from '../store/api-keys';
import { findByIdentity, findByLogin, linkIdentity, setRole } from '../store/credentials';
import { inTransaction } from '../store/db';
import { insertUser, type UserRow } from '../store/users';
import type { ProviderAnswer } from './oidc-client';
import { HttpError } from './errors';

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

/**
 * Returns the email the provider vouches for, or undefined. Only a verified one may match an existing
 * login: otherwise anyone who can type someone's address into their own account at the provider would
 * sign in as them.
 */
export function verifiedEmailOf(claims: Record<string, unknown>): string | undefined {
  const email = text(claims.email);
  return email && email.length <= 254 && claims.email_verified === true ? email : undefined;
}

/** Returns the user the answer signs in, found, linked or created, with `role` set. */
export async function userForAnswer(
  pool: pg.Pool,
  answer: ProviderAnswer,
  role: ApiKeyRole,
): Promise<UserRow> {
  const { issuer, subject, claims } = answer;
  const email = verifiedEmailOf(claims);
  return inTransaction(pool, async (tx) => {
    let user = await findByIdentity(tx, issuer, subject);
    if (!user && email) user = (await findByLogin(tx, email))?.user;
    if (!user) {
      const name = (
        text(claims.name) ??
        text(claims.email) ??
        text(claims.preferred_username) ??
        subject
      ).slice(0, 200);
      user = await insertUser(tx, { name, timeZone: 'UTC', login: email ?? null, role });
    }
    await linkIdentity(tx, { issuer, subject, userId: user.id });
    return (await setRole(tx, user.id, role))!;
  }).catch((err: unknown) => {
    // Two first sign-ins of one identity at once: the second's insert meets the first's row.
    if ((err as { code?: string }).code === '23505')
      throw new HttpError(409, 'duplicate', 'this identity was being signed in twice at once: sign in again');
    throw err;
  });
}
