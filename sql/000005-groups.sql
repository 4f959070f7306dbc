-- Alert groups: alerts sharing a group key within the grouping window join one group, and only the
-- group's first alert pages. The group itself is a workflow; this is its durable record for reports.
create table alert_groups (
  id          uuid primary key,
  workflow_id text not null,
  service     text not null,
  group_key   text not null,
  leader_id   uuid,
  alerts      integer not null default 0,
  opened_at   timestamptz not null,
  last_at     timestamptz not null,
  closed_at   timestamptz
);
create index alert_groups_open on alert_groups (closed_at, last_at desc);

alter table alerts add column group_id uuid;

-- Grouping settings per integration: which labels make the group key, and the window.
alter table integrations
  add column group_by text[] not null default '{}',
  add column group_window_minutes integer not null default 5 check (group_window_minutes between 1 and 1440);
