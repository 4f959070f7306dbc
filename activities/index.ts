/**
 * Activities: thin, idempotent wrappers over store/ and the notifiers. Each takes business ids so that a
 * retry after a crash repeats nothing: rows are keyed, writes are guarded, a recorded page is not resent.
 */
import type pg from 'pg';
import { createGroupActivities, type GroupDeps } from './groups';
import { createHandoffActivities } from './handoffs';
import { createHeartbeatActivities, type HeartbeatDeps } from './heartbeats';
import { createPageActivities, type PageDeps } from './pages';
import { createRecordActivities } from './records';
import { createTestPageActivities } from './test-pages';
import { createTierPageActivities } from './tier-pages';

export interface ActivityDeps extends PageDeps, GroupDeps, HeartbeatDeps {
  pool: pg.Pool;
}

/** Returns the activity implementations bound to their dependencies. */
export function createActivities(deps: ActivityDeps) {
  const pages = createPageActivities(deps);
  return {
    ...createRecordActivities(deps),
    ...pages,
    ...createTierPageActivities(deps.pool, pages),
    ...createHandoffActivities(deps),
    ...createTestPageActivities(deps),
    ...createGroupActivities(deps),
    ...createHeartbeatActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { RecordAlertInput, RecordTransitionInput } from './records';
export type { Recipient, SendPageInput, SendPageResult } from './pages';
export type { TestPageInput, TestPageResult } from './test-pages';
export type { PageTargetsInput, PageTargetsResult, TargetPage } from './tier-pages';
