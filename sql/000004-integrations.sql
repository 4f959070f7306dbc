-- Integrations: how monitoring systems send events. Each has a routing key (PagerDuty's name for it),
-- stored as a SHA-256 digest like API keys, a service its alerts belong to, and per-type settings.
create table integrations (
  id               uuid primary key default gen_random_uuid(),
  name             text not null unique,
  type             text not null check (type in ('pagerduty', 'alertmanager', 'generic', 'anomaly')),
  service          text not null,
  key_prefix       text not null,
  key_hash         text not null unique,
  -- generic: the field mapping; anomaly: the score bands.
  settings         jsonb not null default '{}'::jsonb,
  created_at       timestamptz not null default now(),
  disabled_at      timestamptz
);

-- Raw events per integration and day: the numerator of noise reduction starts here.
create table ingest_stats (
  integration_id uuid not null references integrations (id) on delete cascade,
  day            date not null,
  raw_events     bigint not null default 0,
  triggers       bigint not null default 0,
  primary key (integration_id, day)
);
