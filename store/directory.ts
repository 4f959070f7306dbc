/**
 * What resolving targets reads, in one statement: the schedules named (with their overrides), and every
 * user the targets can reach with their contact methods. Who is on call is decided afterwards, in
 * domain/resolve-targets.ts; so the users read are everyone who could be (each direct user target,
 * every layer participant, every override's incoming user), a superset of those it picks.
 */
import type { Target } from '../domain/escalation';
import type { AlertState } from '../domain/lifecycle';
import type { Layer, Override, Schedule } from '../domain/oncall';
import type { NotificationRule } from '../domain/notification-rules';
import type { ContactMethod, Directory } from '../domain/resolve-targets';
import type { Queryable } from './db';
import { toOverride } from './schedules';

interface DirectoryRow {
  schedules: { id: string; time_zone: string; layers: Layer[] }[];
  overrides: {
    id: string;
    schedule_id: string;
    kind: Override['kind'];
    start_at: string;
    end_at: string;
    user_id: string | null;
    replaces_user_id: string | null;
    created_at: string;
  }[];
  users: string[];
  methods: ContactMethod[];
  rules: NotificationRule[];
  recorded: RecordedState | null;
}

/** An alert's recorded state and its version (bumped by every transition written). */
export interface RecordedState {
  state: AlertState;
  stateVersion: number;
}

/**
 * Returns the directory the targets can reach: schedules by id (absent: no such schedule), users that
 * exist, their contact methods oldest first and their notification rules in order. With an alert id, also that alert's recorded state as the
 * directory was read (null: not recorded), for a caller checking that its pages are still needed.
 */
export async function loadDirectory(
  db: Queryable,
  targets: readonly Target[],
  alertId?: string,
): Promise<Directory & { recorded?: RecordedState | null }> {
  const scheduleIds = [...new Set(targets.flatMap((t) => (t.type === 'schedule' ? [t.id] : [])))];
  const userIds = [...new Set(targets.flatMap((t) => (t.type === 'user' ? [t.id] : [])))];
  if (scheduleIds.length === 0 && userIds.length === 0 && alertId === undefined)
    return { schedules: new Map(), users: new Set(), methods: [] };
  const { rows } = await db.query<DirectoryRow>(
    `with s as (select id, time_zone, layers from schedules where id = any($1::uuid[])),
          o as (select * from schedule_overrides where schedule_id in (select id from s)),
          reachable as (
            select unnest($2::uuid[]) as id
            union select (p #>> '{}')::uuid from s, jsonb_array_elements(s.layers) l, jsonb_array_elements(l->'participants') p
            union select user_id from o where user_id is not null
          ),
          u as (select id from users where id in (select id from reachable))
     select
       (select coalesce(jsonb_agg(s), '[]') from s) as schedules,
       (select coalesce(jsonb_agg(o order by o.start_at, o.created_at, o.id), '[]') from o) as overrides,
       (select coalesce(array_agg(u.id::text), '{}') from u) as users,
       (select coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'user_id', c.user_id, 'type', c.type, 'address', c.address, 'secret_id', c.secret_id) order by c.created_at, c.id), '[]')
          from contact_methods c where c.user_id in (select id from u)) as methods,
       (select coalesce(jsonb_agg(jsonb_build_object('user_id', r.user_id, 'contact_method_id', r.contact_method_id, 'delay_minutes', r.delay_minutes) order by r.user_id, r.position), '[]')
          from notification_rules r where r.user_id in (select id from u)) as rules,
       (select jsonb_build_object('state', state, 'stateVersion', state_version) from alerts where id = $3::uuid) as recorded`,
    [scheduleIds, userIds, alertId ?? null],
  );
  const row = rows[0]!;
  const schedules = new Map<string, Schedule>();
  for (const s of row.schedules)
    schedules.set(s.id, { id: s.id, timeZone: s.time_zone, layers: s.layers, overrides: [] });
  for (const o of row.overrides) {
    const override = toOverride({
      ...o,
      start_at: new Date(o.start_at),
      end_at: new Date(o.end_at),
      created_at: new Date(o.created_at),
    });
    schedules.get(o.schedule_id)?.overrides.push(override);
  }
  return {
    schedules,
    users: new Set(row.users),
    methods: row.methods,
    rules: row.rules,
    ...(alertId !== undefined ? { recorded: row.recorded } : {}),
  };
}
