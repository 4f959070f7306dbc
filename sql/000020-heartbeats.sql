-- Heartbeat monitors: a job pings its key every interval; a ping overdue by the grace period opens an
-- alert, and the next ping resolves it. The timer lives in the monitor's workflow: Postgres holds the
-- configuration, a last-seen time written at most once a minute however often the job pings, and when
-- the monitor went overdue (written by the workflow's activities on each change).
create table heartbeat_monitors (
  id               uuid primary key default gen_random_uuid(),
  name             text not null unique,
  service          text not null,
  severity         text not null,
  interval_seconds integer not null check (interval_seconds > 0),
  grace_seconds    integer not null check (grace_seconds >= 0),
  key_prefix       text not null,
  key_hash         text not null unique,
  created_at       timestamptz not null default now(),
  last_ping_at     timestamptz,
  overdue_since    timestamptz
);
