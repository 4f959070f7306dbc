-- Which integration an alert came from (null for alerts made through POST /alerts), so pages and noise
-- can be reported per integration as well as per day.
alter table alerts add column integration_id uuid references integrations (id) on delete set null;
create index alerts_integration_day on alerts (integration_id, triggered_at);

-- Open groups with their leader's summary: what an on-call dashboard shows during a storm.
create view active_groups as
  select g.id, g.service, g.group_key, g.leader_id, l.summary as leader_summary, g.alerts,
         g.opened_at, g.last_at
    from alert_groups g left join alerts l on l.id = g.leader_id
   where g.closed_at is null;

-- Per UTC day and service: how many groups, how big, and how they closed.
create view group_stats_daily as
  select (opened_at at time zone 'UTC')::date as day, service,
         count(*)::bigint as groups,
         sum(alerts)::bigint as alerts,
         round(avg(alerts), 2) as avg_alerts_per_group,
         max(alerts) as largest_group,
         count(*) filter (where close_reason = 'resolved')::bigint as closed_resolved,
         count(*) filter (where close_reason = 'quiet')::bigint as closed_quiet,
         count(*) filter (where closed_at is null)::bigint as open
    from alert_groups
   group by 1, 2;

-- Per integration and UTC day: raw events in, alerts and groups made, pages sent.
create view noise_daily as
  with raw as (
         select integration_id, day, sum(raw_events)::bigint as raw_events from ingest_stats group by 1, 2),
       al as (
         select integration_id, (triggered_at at time zone 'UTC')::date as day, count(*)::bigint as alerts,
                count(distinct group_id)::bigint as groups
           from alerts where integration_id is not null group by 1, 2),
       pg as (
         select a.integration_id, (n.scheduled_at at time zone 'UTC')::date as day, count(*)::bigint as pages
           from notifications n join alerts a on a.id = n.alert_id
          where n.kind = 'page' and n.status = 'sent' and a.integration_id is not null group by 1, 2),
       days as (select integration_id, day from raw union select integration_id, day from al union select integration_id, day from pg)
  select i.id as integration_id, i.name, i.service, d.day,
         coalesce(raw.raw_events, 0) as raw_events, coalesce(al.alerts, 0) as alerts,
         coalesce(al.groups, 0) as groups, coalesce(pg.pages, 0) as pages
    from days d join integrations i on i.id = d.integration_id
    left join raw using (integration_id, day) left join al using (integration_id, day) left join pg using (integration_id, day);
