/**
 * SQL behind group membership: the open group of a key (locked, so joins, hand-overs and closes of one
 * group run one at a time), joining, opening, changing the leader, and closing. The decisions are
 * domain/grouping.ts's; these statements only read and write what it decided.
 */
import type { GroupEscalation, OpenGroup } from '../domain/grouping';
import type { Queryable } from './db';

export interface LockedGroup extends OpenGroup {
  epoch: number;
  escalation: GroupEscalation | null;
  closed: boolean;
  leaderBy: string | null;
}

interface GroupLockRow {
  id: string;
  leader_id: string | null;
  leader_state: OpenGroup['leaderState'];
  last_at: Date;
  last_join_at: Date | null;
  window_ms: number | null;
  acknowledged: boolean;
  leader_epoch: number;
  escalation: GroupEscalation | null;
  closed: boolean;
  leader_by: string | null;
}

const lockedGroup = (r: GroupLockRow, defaultWindowMs: number): LockedGroup => ({
  id: r.id,
  leaderId: r.leader_id,
  leaderState: r.leader_state,
  lastAt: r.last_at.getTime(),
  lastJoinAt: (r.last_join_at ?? r.last_at).getTime(),
  // Groups opened before windows were stored take the joining alert's window.
  windowMs: r.window_ms ?? defaultWindowMs,
  acknowledged: r.acknowledged,
  epoch: r.leader_epoch,
  escalation: r.escalation,
  closed: r.closed,
  leaderBy: r.leader_by,
});

const LOCK_SELECT = `select g.id, g.leader_id, l.state as leader_state, g.last_at, g.last_join_at, g.window_ms, g.acknowledged_at is not null as acknowledged,
                            g.leader_epoch, g.escalation, g.closed_at is not null as closed, g.leader_by
                       from alert_groups g left join alerts l on l.id = g.leader_id`;

/** Returns the open group of a key, locked until the transaction ends, or undefined. */
export async function lockOpenGroup(
  db: Queryable,
  service: string,
  groupKey: string,
  defaultWindowMs: number,
): Promise<LockedGroup | undefined> {
  const { rows } = await db.query<GroupLockRow>(
    `${LOCK_SELECT} where g.service = $1 and g.group_key = $2 and g.closed_at is null for update of g`,
    [service, groupKey],
  );
  return rows[0] && lockedGroup(rows[0], defaultWindowMs);
}

/** Returns a group by id, locked until the transaction ends, or undefined. */
export async function lockGroup(
  db: Queryable,
  id: string,
  defaultWindowMs: number,
): Promise<LockedGroup | undefined> {
  const { rows } = await db.query<GroupLockRow>(`${LOCK_SELECT} where g.id = $1 for update of g`, [id]);
  return rows[0] && lockedGroup(rows[0], defaultWindowMs);
}

/** Opens a group led by its first alert; returns false if another transaction opened one for the key first. */
export async function insertOpenGroup(
  db: Queryable,
  g: {
    id: string;
    workflowId: string;
    service: string;
    groupKey: string;
    leaderId: string;
    at: Date;
    windowMs: number;
  },
): Promise<boolean> {
  const r = await db.query(
    `insert into alert_groups (id, workflow_id, service, group_key, leader_id, alerts, opened_at, last_at, window_ms)
     values ($1, $2, $3, $4, $5, 0, $6, $6, $7)
     on conflict (service, group_key) where closed_at is null do nothing`,
    [g.id, g.workflowId, g.service, g.groupKey, g.leaderId, g.at, g.windowMs],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Puts the alert in the group and counts it; its trigger time and the join's own time extend the window. */
export async function addGroupMember(db: Queryable, groupId: string, alertId: string, at: Date, joinedAt: Date): Promise<void> {
  await db.query(
    'update alert_groups set alerts = alerts + 1, last_at = greatest(last_at, $2), last_join_at = greatest(coalesce(last_join_at, $3), $3) where id = $1',
    [groupId, at, joinedAt],
  );
  await db.query('update alerts set group_id = $2 where id = $1', [alertId, groupId]);
}

/**
 * Makes `leaderId` the group's leader (a new epoch). `escalation` is where it goes on from (null: it
 * escalates afresh); `by` names the hand-over that did it; `reTriggered` clears a whole-group acknowledge.
 */
export async function setGroupLeader(
  db: Queryable,
  groupId: string,
  change: { leaderId: string; escalation: GroupEscalation | null; by: string | null; reTriggered: boolean },
): Promise<number> {
  const { rows } = await db.query<{ leader_epoch: number }>(
    `update alert_groups set leader_id = $2, leader_epoch = leader_epoch + 1, escalation = $3::jsonb, leader_by = $4,
            acknowledged_at = case when $5 then null else acknowledged_at end,
            acknowledged_by = case when $5 then null else acknowledged_by end
      where id = $1 returning leader_epoch`,
    [
      groupId,
      change.leaderId,
      change.escalation === null ? null : JSON.stringify(change.escalation),
      change.by,
      change.reTriggered,
    ],
  );
  return rows[0]!.leader_epoch;
}

/** Stores where the group's escalation stands when its leader stops escalating and nobody takes over yet. */
export async function storeGroupEscalation(
  db: Queryable,
  groupId: string,
  escalation: GroupEscalation,
): Promise<void> {
  await db.query('update alert_groups set escalation = $2::jsonb where id = $1', [
    groupId,
    JSON.stringify(escalation),
  ]);
}

/** Returns the group's earliest alert still `new` other than `exceptId` (the one to take over), or undefined. */
export async function earliestNewMember(
  db: Queryable,
  groupId: string,
  exceptId: string,
): Promise<{ id: string; workflow_id: string } | undefined> {
  const { rows } = await db.query<{ id: string; workflow_id: string }>(
    `select id, workflow_id from alerts where group_id = $1 and state = 'new' and id <> $2 order by triggered_at, id limit 1`,
    [groupId, exceptId],
  );
  return rows[0];
}

/** Returns the workflow id of an alert. */
export async function alertWorkflowIdOf(db: Queryable, alertId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ workflow_id: string }>('select workflow_id from alerts where id = $1', [
    alertId,
  ]);
  return rows[0]?.workflow_id;
}

/** Closes the group to new alerts, for the reason given, at `at`; a group closed already stays as it was. */
export async function closeGroup(
  db: Queryable,
  groupId: string,
  reason: 'resolved' | 'quiet',
  at: Date,
): Promise<void> {
  await db.query(
    `update alert_groups set closed_at = $3, close_reason = $2 where id = $1 and closed_at is null`,
    [groupId, reason, at],
  );
}

/** Returns whether every alert of the group is resolved (run after locking the group, so no join races it). */
export async function allGroupAlertsResolved(db: Queryable, groupId: string): Promise<boolean> {
  const { rows } = await db.query<{ open: boolean }>(
    `select exists (select 1 from alerts where group_id = $1 and state <> 'resolved') as open`,
    [groupId],
  );
  return !rows[0]!.open;
}

/** Returns the alert's group and role as recorded, or undefined if it is in none. */
export async function recordedGroupRole(
  db: Queryable,
  alertId: string,
): Promise<
  | {
      groupId: string;
      leaderId: string | null;
      epoch: number;
      escalation: GroupEscalation | null;
      leaderBy: string | null;
    }
  | undefined
> {
  const { rows } = await db.query<{
    group_id: string;
    leader_id: string | null;
    leader_epoch: number;
    escalation: GroupEscalation | null;
    leader_by: string | null;
  }>(
    `select g.id as group_id, g.leader_id, g.leader_epoch, g.escalation, g.leader_by
       from alerts a join alert_groups g on g.id = a.group_id where a.id = $1`,
    [alertId],
  );
  const r = rows[0];
  return (
    r && {
      groupId: r.group_id,
      leaderId: r.leader_id,
      epoch: r.leader_epoch,
      escalation: r.escalation,
      leaderBy: r.leader_by,
    }
  );
}

/** Marks the group acknowledged as a whole (first acknowledge kept); returns false if there is no such group. */
export async function acknowledgeGroup(db: Queryable, groupId: string, actor: string): Promise<boolean> {
  const r = await db.query(
    `update alert_groups set acknowledged_at = coalesce(acknowledged_at, now()), acknowledged_by = coalesce(acknowledged_by, $2) where id = $1`,
    [groupId, actor],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Returns the group's alerts in one of the given states, with their workflow ids: its leader first, then oldest first. */
export async function groupAlertsIn(
  db: Queryable,
  groupId: string,
  states: string[],
): Promise<{ id: string; workflow_id: string }[]> {
  const { rows } = await db.query<{ id: string; workflow_id: string }>(
    `select a.id, a.workflow_id from alerts a join alert_groups g on g.id = a.group_id
      where a.group_id = $1 and a.state = any($2::text[]) order by (a.id = g.leader_id) desc, a.triggered_at, a.id`,
    [groupId, states],
  );
  return rows;
}
