/** SQL for alert groups and the noise statistics built on them. */
import type { Queryable } from './db';

/** Writes the group's current record (insert or update by id). */
export async function upsertGroup(
  db: Queryable,
  g: { groupId: string; workflowId: string; service: string; groupKey: string; leaderId: string | null; alerts: number; openedAt: Date; lastAt: Date; closed: boolean; closeReason?: 'resolved' | 'quiet' | null },
): Promise<void> {
  await db.query(
    `insert into alert_groups (id, workflow_id, service, group_key, leader_id, alerts, opened_at, last_at, closed_at, close_reason)
     values ($1, $2, $3, $4, $5, $6, $7, $8, case when $9 then now() end, $10)
     on conflict (id) do update set leader_id = excluded.leader_id, alerts = greatest(alert_groups.alerts, excluded.alerts),
       last_at = greatest(alert_groups.last_at, excluded.last_at), closed_at = coalesce(alert_groups.closed_at, excluded.closed_at),
       close_reason = coalesce(alert_groups.close_reason, excluded.close_reason)`,
    [g.groupId, g.workflowId, g.service, g.groupKey, g.leaderId, g.alerts, g.openedAt, g.lastAt, g.closed, g.closeReason ?? null],
  );
}

/** Marks which group an alert belongs to. */
export async function setAlertGroup(db: Queryable, alertId: string, groupId: string): Promise<void> {
  await db.query('update alerts set group_id = $2 where id = $1', [alertId, groupId]);
}

export interface GroupRow {
  id: string;
  service: string;
  group_key: string;
  leader_id: string | null;
  alerts: number;
  opened_at: Date;
  last_at: Date;
  closed_at: Date | null;
  close_reason: 'resolved' | 'quiet' | null;
}

/** Returns groups, open ones first, newest first. */
export async function listGroups(db: Queryable, opts: { open?: boolean; limit: number }): Promise<GroupRow[]> {
  const { rows } = await db.query<GroupRow>(
    `select id, service, group_key, leader_id, alerts, opened_at, last_at, closed_at, close_reason from alert_groups
      where ($1::boolean is null or (closed_at is null) = $1) order by (closed_at is null) desc, last_at desc limit $2`,
    [opts.open ?? null, opts.limit],
  );
  return rows;
}

/** Returns one group with the ids of its alerts, or undefined. */
export async function getGroup(db: Queryable, id: string): Promise<(GroupRow & { alert_ids: string[] }) | undefined> {
  const { rows } = await db.query<GroupRow & { alert_ids: string[] }>(
    `select g.id, g.service, g.group_key, g.leader_id, g.alerts, g.opened_at, g.last_at, g.closed_at, g.close_reason,
            coalesce(array_agg(a.id order by a.triggered_at) filter (where a.id is not null), '{}') as alert_ids
       from alert_groups g left join alerts a on a.group_id = g.id
      where g.id = $1 group by g.id`,
    [id],
  );
  return rows[0];
}

// Alerts of `a` that nobody is paged for: the recordAlert activity marks them on their timeline (the
// rule is domain/pages-nobody.ts); only alerts without a policy of their own can carry the mark.
const PAGES_NOBODY = `a.policy_id is null and exists (select 1 from alert_audit x where x.alert_id = a.id and x.action = 'pages_nobody')`;

/**
 * Returns, per UTC day in the range: raw events, alerts, groups, pages sent, alerts that page nobody, and
 * noise reduction (1 − pages / raw).
 */
export async function noiseStats(db: Queryable, from: Date, to: Date) {
  const { rows } = await db.query(
    `with days as (select generate_series($1::date, $2::date, interval '1 day')::date as day),
          raw as (select day, sum(raw_events)::bigint as raw_events from ingest_stats where day between $1::date and $2::date group by day),
          al as (select (triggered_at at time zone 'UTC')::date as day, count(*)::bigint as alerts from alerts
                  where triggered_at >= $1 and triggered_at < $2::date + 1 group by 1),
          gr as (select (opened_at at time zone 'UTC')::date as day, count(*)::bigint as groups from alert_groups
                  where opened_at >= $1 and opened_at < $2::date + 1 group by 1),
          pg as (select (scheduled_at at time zone 'UTC')::date as day, count(*)::bigint as pages from notifications
                  where kind = 'page' and status = 'sent' and scheduled_at >= $1 and scheduled_at < $2::date + 1 group by 1),
          pn as (select (triggered_at at time zone 'UTC')::date as day, count(*)::bigint as pages_nobody from alerts a
                  where triggered_at >= $1 and triggered_at < $2::date + 1 and ${PAGES_NOBODY} group by 1)
     select d.day, coalesce(raw.raw_events, 0) as raw_events, coalesce(al.alerts, 0) as alerts,
            coalesce(gr.groups, 0) as groups, coalesce(pg.pages, 0) as pages, coalesce(pn.pages_nobody, 0) as pages_nobody
       from days d left join raw using (day) left join al using (day) left join gr using (day) left join pg using (day)
            left join pn using (day)
      order by d.day`,
    [from, to],
  );
  const total = rows.reduce(
    (t, r) => ({ raw_events: t.raw_events + r.raw_events, alerts: t.alerts + r.alerts, groups: t.groups + r.groups, pages: t.pages + r.pages, pages_nobody: t.pages_nobody + r.pages_nobody }),
    { raw_events: 0, alerts: 0, groups: 0, pages: 0, pages_nobody: 0 },
  );
  const reduction = (x: { raw_events: number; pages: number }) => (x.raw_events > 0 ? 1 - x.pages / x.raw_events : null);
  const { rows: integrations } = await db.query(
    `select integration_id, name, service, sum(raw_events)::bigint as raw_events, sum(alerts)::bigint as alerts,
            sum(groups)::bigint as groups, sum(pages)::bigint as pages,
            (select count(*) from alerts a where a.integration_id = n.integration_id and triggered_at >= $1
                and triggered_at < $2::date + 1 and ${PAGES_NOBODY})::bigint as pages_nobody
       from noise_daily n where day between $1::date and $2::date
      group by integration_id, name, service order by raw_events desc, name`,
    [from, to],
  );
  return {
    days: rows.map((r) => ({ ...r, noise_reduction: reduction(r) })),
    total: { ...total, noise_reduction: reduction(total) },
    integrations: integrations.map((r) => ({ ...r, noise_reduction: reduction(r) })),
  };
}
