/**
 * An alert that no escalation policy covers is accepted and recorded, but nobody is paged for it. That
 * must never be silent: the answer to its trigger says so, its timeline says so, and it is counted. This
 * module holds the one rule for when that is the case, so the API, the record and the count agree.
 */
import type { Severity } from './severity';

export interface PagingFacts {
  service: string;
  severity: Severity;
  /** Whether the alert escalates with a policy: its own snapshot, or its group's once it carries it. */
  hasPolicy: boolean;
  /**
   * Its role in its group: a member's group is paged for by the alert leading it. `undecided` at
   * acceptance, before the worker has put it in its group; null for an alert without a group key.
   */
  groupRole: 'leader' | 'member' | 'undecided' | null;
}

/** Returns why nobody is paged for the alert, or null when a policy pages for it (its own, or its group's). */
export function pagesNobody(f: PagingFacts): string | null {
  if (f.hasPolicy || f.groupRole === 'member') return null;
  const why = `no escalation policy matches service "${f.service}" severity ${f.severity} and there is no default policy`;
  if (f.groupRole === 'undecided')
    return `${why}; only its group's escalation can page for it, if the alert leading its group has a policy`;
  return why;
}
