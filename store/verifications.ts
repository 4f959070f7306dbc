/** SQL for verifying contact methods: the pending code of each method, and the mark that it was verified. */
import type { PendingVerification } from '../domain/contact-verification';
import type { Queryable } from './db';

/**
 * Records the code a request sends to a method. A retry of the same request keeps the row as it is (the
 * same code, its expiry and its tries); a new request replaces it.
 */
export async function recordVerificationCode(
  db: Queryable,
  v: { methodId: string; requestId: string; codeHash: string; expiresAt: Date },
): Promise<void> {
  await db.query(
    `insert into contact_method_verifications (method_id, request_id, code_hash, expires_at)
     values ($1, $2, $3, $4)
     on conflict (method_id) do update
       set request_id = excluded.request_id, code_hash = excluded.code_hash, expires_at = excluded.expires_at,
           attempts = 0, created_at = now()
     where contact_method_verifications.request_id <> excluded.request_id`,
    [v.methodId, v.requestId, v.codeHash, v.expiresAt],
  );
}

/** Returns the method's pending code, if one was sent and not used. */
export async function pendingVerification(
  db: Queryable,
  methodId: string,
): Promise<PendingVerification | undefined> {
  const { rows } = await db.query<PendingVerification>(
    'select code_hash, expires_at, attempts from contact_method_verifications where method_id = $1',
    [methodId],
  );
  return rows[0];
}

/** Counts one wrong code against the method's pending one. */
export async function countWrongCode(db: Queryable, methodId: string): Promise<void> {
  await db.query('update contact_method_verifications set attempts = attempts + 1 where method_id = $1', [
    methodId,
  ]);
}

/** Marks the method verified now and uses up its code; returns when it was verified. */
export async function markVerified(db: Queryable, methodId: string): Promise<Date> {
  await db.query('delete from contact_method_verifications where method_id = $1', [methodId]);
  const { rows } = await db.query<{ verified_at: Date }>(
    'update contact_methods set verified_at = now() where id = $1 returning verified_at',
    [methodId],
  );
  return rows[0]!.verified_at;
}
