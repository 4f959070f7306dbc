/**
 * Personal notification rules: the order and delay in which a user's contact methods are paged once a
 * tier reaches them. Pure: the store loads the rules, the tier's lookup and the dry-run apply them.
 */

/** The longest delay a rule may have: a day (a page that late is no page). */
export const MAX_RULE_DELAY_MINUTES = 1440;
/** At most this many rules per user (one per contact method; contact methods are capped lower). */
export const MAX_RULES = 20;

export interface NotificationRule {
  user_id: string;
  contact_method_id: string;
  delay_minutes: number;
}

/** A rule as a PUT names it, in order. */
export interface RuleInput {
  contact_method_id: string;
  delay_minutes: number;
}

/**
 * Returns the first problem with a user's new list of rules, as `{ index, field, message }`, or null:
 * every rule must name one of the user's own contact methods, each at most once.
 */
export function rulesProblem(
  rules: readonly RuleInput[],
  ownMethodIds: ReadonlySet<string>,
): { index: number; field: 'contact_method_id'; message: string } | null {
  const seen = new Set<string>();
  for (const [index, r] of rules.entries()) {
    if (!ownMethodIds.has(r.contact_method_id))
      return { index, field: 'contact_method_id', message: `not one of this user's contact methods` };
    if (seen.has(r.contact_method_id))
      return { index, field: 'contact_method_id', message: 'this contact method already has a rule' };
    seen.add(r.contact_method_id);
  }
  return null;
}

/**
 * Returns the contact methods of one user to page and each one's delay in minutes: with no rules, every
 * method at once (in the order given); with rules, only the methods they name, in rule order.
 */
export function methodsByRules<M extends { id?: string }>(
  methods: readonly M[],
  rules: readonly NotificationRule[],
): { method: M; delayMinutes: number }[] {
  if (rules.length === 0) return methods.map((method) => ({ method, delayMinutes: 0 }));
  return rules.flatMap((r) => {
    const method = methods.find((m) => m.id === r.contact_method_id);
    return method ? [{ method, delayMinutes: r.delay_minutes }] : [];
  });
}
