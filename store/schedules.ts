/** SQL for on-call schedules and their overrides, and the loader that builds the pure model. */
import type { Layer, Override, Schedule } from '../domain/oncall/types';
import type { Queryable } from './db';

interface ScheduleRow {
  id: string;
  name: string;
  time_zone: string;
  layers: Layer[];
  handoff_notifications: boolean;
  created_at: Date;
  updated_at: Date;
  changed_at: Date;
}

interface OverrideRow {
  id: string;
  schedule_id: string;
  kind: Override['kind'];
  start_at: Date;
  end_at: Date;
  user_id: string | null;
  replaces_user_id: string | null;
  created_at: Date;
}

export interface StoredSchedule {
  id: string;
  name: string;
  timeZone: string;
  layers: Layer[];
  handoffNotifications: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** The schedule or one of its overrides last changed (what a calendar client needs to know). */
  changedAt: Date;
}

export interface ScheduleFields {
  name: string;
  timeZone: string;
  layers: Layer[];
  handoffNotifications: boolean;
}

const toSchedule = (r: ScheduleRow): StoredSchedule => ({
  id: r.id,
  name: r.name,
  timeZone: r.time_zone,
  layers: r.layers,
  handoffNotifications: r.handoff_notifications,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  changedAt: r.changed_at,
});

/** Converts a stored override to the pure model. */
export const toOverride = (r: OverrideRow): Override => ({
  id: r.id,
  kind: r.kind,
  start: r.start_at.getTime(),
  end: r.end_at.getTime(),
  userId: r.user_id ?? undefined,
  replaces: r.replaces_user_id ?? undefined,
  createdAt: r.created_at.getTime(),
});

/** Inserts a schedule and returns it. */
export async function insertSchedule(db: Queryable, s: ScheduleFields): Promise<StoredSchedule> {
  const { rows } = await db.query<ScheduleRow>(
    'insert into schedules (name, time_zone, layers, handoff_notifications) values ($1, $2, $3::jsonb, $4) returning *',
    [s.name, s.timeZone, JSON.stringify(s.layers), s.handoffNotifications],
  );
  return toSchedule(rows[0]!);
}

/** Replaces a schedule's fields; returns it, or undefined if absent. */
export async function updateSchedule(db: Queryable, id: string, s: ScheduleFields): Promise<StoredSchedule | undefined> {
  const { rows } = await db.query<ScheduleRow>(
    `update schedules set name = $2, time_zone = $3, layers = $4::jsonb, handoff_notifications = $5, updated_at = now(), changed_at = now()
      where id = $1 returning *`,
    [id, s.name, s.timeZone, JSON.stringify(s.layers), s.handoffNotifications],
  );
  return rows[0] ? toSchedule(rows[0]) : undefined;
}

/** Returns the schedule, or undefined. */
export async function getSchedule(db: Queryable, id: string): Promise<StoredSchedule | undefined> {
  const { rows } = await db.query<ScheduleRow>('select * from schedules where id = $1', [id]);
  return rows[0] ? toSchedule(rows[0]) : undefined;
}

/** Returns every schedule by name. */
export async function listSchedules(db: Queryable): Promise<StoredSchedule[]> {
  const { rows } = await db.query<ScheduleRow>('select * from schedules order by name');
  return rows.map(toSchedule);
}

/** Returns the ids among `ids` that are schedules. */
export async function existingScheduleIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>('select id from schedules where id = any($1::uuid[])', [ids]);
  return new Set(rows.map((r) => r.id));
}

/** Deletes a schedule and its overrides; returns true if it existed. */
export async function deleteSchedule(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query('delete from schedules where id = $1', [id]);
  return (r.rowCount ?? 0) > 0;
}

/** Inserts an override and returns it. */
export async function insertOverride(
  db: Queryable,
  o: { scheduleId: string; kind: Override['kind']; start: Date; end: Date; userId: string | null; replaces: string | null },
): Promise<OverrideRow> {
  const { rows } = await db.query<OverrideRow>(
    `with o as (
       insert into schedule_overrides (schedule_id, kind, start_at, end_at, user_id, replaces_user_id)
       values ($1, $2, $3, $4, $5, $6) returning *
     ), touched as (update schedules set changed_at = now() where id = $1)
     select * from o`,
    [o.scheduleId, o.kind, o.start, o.end, o.userId, o.replaces],
  );
  return rows[0]!;
}

/** Returns a schedule's overrides that end after `since` (all when omitted), by start. */
export async function listOverrides(db: Queryable, scheduleId: string, since?: Date): Promise<OverrideRow[]> {
  const { rows } = await db.query<OverrideRow>(
    `select * from schedule_overrides where schedule_id = $1 and ($2::timestamptz is null or end_at > $2)
      order by start_at, created_at, id`,
    [scheduleId, since ?? null],
  );
  return rows;
}

/** Deletes one override of a schedule; returns true if it existed. */
export async function deleteOverride(db: Queryable, scheduleId: string, id: string): Promise<boolean> {
  const r = await db.query(
    `with o as (delete from schedule_overrides where id = $1 and schedule_id = $2 returning id),
       touched as (update schedules set changed_at = now() where id = $2 and exists (select 1 from o))
     select id from o`,
    [id, scheduleId],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Returns the pure model of a schedule with its overrides, or undefined. */
export async function loadSchedule(db: Queryable, id: string): Promise<Schedule | undefined> {
  const s = await getSchedule(db, id);
  if (!s) return undefined;
  const overrides = await listOverrides(db, id);
  return { id: s.id, timeZone: s.timeZone, layers: s.layers, overrides: overrides.map(toOverride) };
}

/** Returns the pure model of every schedule with the overrides in force at `at` (two queries, whatever the count). */
export async function loadSchedulesAt(db: Queryable, at: Date): Promise<Schedule[]> {
  const [schedules, overrides] = await Promise.all([
    db.query<ScheduleRow>('select * from schedules'),
    db.query<OverrideRow>('select * from schedule_overrides where start_at <= $1 and end_at > $1 order by start_at, created_at, id', [at]),
  ]);
  const bySchedule = new Map<string, OverrideRow[]>();
  for (const o of overrides.rows) bySchedule.set(o.schedule_id, [...(bySchedule.get(o.schedule_id) ?? []), o]);
  return schedules.rows.map((s) => ({ id: s.id, timeZone: s.time_zone, layers: s.layers, overrides: (bySchedule.get(s.id) ?? []).map(toOverride) }));
}

/** Returns the schedules in which the user appears (as a participant or in an override). */
export async function schedulesWithUser(db: Queryable, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select s.id from schedules s
      where exists (select 1 from jsonb_array_elements(s.layers) l where l->'participants' ? $1)
         or exists (select 1 from schedule_overrides o where o.schedule_id = s.id and (o.user_id = $1::uuid or o.replaces_user_id = $1::uuid))`,
    [userId],
  );
  return rows.map((r) => r.id);
}
