/**
 * The default escalation policy is where every alert that no rule matches goes. Once there is one, there
 * is always one: without it such alerts would page nobody, and nothing would say so until an incident
 * went unanswered. It moves by making another policy the default; it is never simply removed.
 */

/** A change to the policies that may touch the default flag. */
export type PolicyChange =
  { kind: 'delete'; policyId: string } | { kind: 'save'; policyId: string | null; isDefault: boolean };

/**
 * Returns why the change would leave no default policy (null: it keeps one). `currentDefaultId` is the
 * default as stored now, read under the lock that serialises every change of the flag.
 */
export function defaultPolicyRefusal(currentDefaultId: string | null, change: PolicyChange): string | null {
  if (currentDefaultId === null || change.policyId !== currentDefaultId) return null;
  if (change.kind === 'delete')
    return `escalation policy ${currentDefaultId} is the default: alerts no rule matches go to it. Make another policy the default (is_default: true) first, then delete this one`;
  if (!change.isDefault)
    return `escalation policy ${currentDefaultId} is the default and no other is: unsetting is_default would leave alerts no rule matches paging nobody. Make another policy the default (is_default: true) instead`;
  return null;
}
