/** Personal notification rules (sql/000025): read for a tier's lookup, replaced whole by the API. */
import type { NotificationRule, RuleInput } from '../domain/notification-rules';
import type { Queryable } from './db';

/** Returns the rules of these users, each user's in order. */
export async function rulesOf(db: Queryable, userIds: readonly string[]): Promise<NotificationRule[]> {
  const { rows } = await db.query<NotificationRule>(
    `select user_id::text, contact_method_id::text, delay_minutes from notification_rules
      where user_id = any($1::uuid[]) order by user_id, position`,
    [userIds],
  );
  return rows;
}

/** Replaces a user's rules with these, in this order (run in the caller's transaction). */
export async function replaceRules(
  db: Queryable,
  userId: string,
  rules: readonly RuleInput[],
): Promise<void> {
  await db.query('delete from notification_rules where user_id = $1::uuid', [userId]);
  if (rules.length === 0) return;
  await db.query(
    `insert into notification_rules (user_id, contact_method_id, delay_minutes, position)
     select $1::uuid, m, d, p from unnest($2::uuid[], $3::int[]) with ordinality as r(m, d, p)`,
    [userId, rules.map((r) => r.contact_method_id), rules.map((r) => r.delay_minutes)],
  );
}
