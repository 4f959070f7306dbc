-- On-call schedules. Layers are one JSON document per schedule (validated by the API and read whole by
-- the pure on-call functions); overrides are rows because they are added and removed one at a time.

create table schedules (
  id                    uuid primary key default gen_random_uuid(),
  name                  text not null unique,
  time_zone             text not null,
  layers                jsonb not null default '[]'::jsonb,
  -- Send "you are now on call until …" to whoever comes on call at each handoff.
  handoff_notifications boolean not null default false,
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now()
);

create table schedule_overrides (
  id               uuid primary key default gen_random_uuid(),
  schedule_id      uuid not null references schedules (id) on delete cascade,
  kind             text not null check (kind in ('replace', 'add', 'remove')),
  start_at         timestamptz not null,
  end_at           timestamptz not null,
  user_id          uuid references users (id) on delete cascade,
  replaces_user_id uuid references users (id) on delete cascade,
  created_at       timestamptz not null default now(),
  check (end_at > start_at),
  check (kind = 'remove' or user_id is not null),
  check (kind <> 'remove' or replaces_user_id is not null)
);
create index schedule_overrides_range on schedule_overrides (schedule_id, end_at, start_at);

-- Who was on call when a schedule target was paged; handoff notices ("you are now on call") belong to a
-- schedule, not to an alert.
alter table notifications add column schedule_id uuid;
alter table notifications alter column alert_id drop not null;
