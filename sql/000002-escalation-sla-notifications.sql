-- The alert workflow's world: people and how to reach them, escalation policies and the rules that pick
-- one, per-service SLA targets, the notification log that makes every page idempotent, the SLA marks,
-- and the compliance views the team lead reports from.

create table users (
  id         uuid primary key default gen_random_uuid(),
  name       text not null,
  time_zone  text not null default 'UTC',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table contact_methods (
  id         uuid primary key default gen_random_uuid(),
  user_id    uuid not null references users (id) on delete cascade,
  type       text not null check (type in ('email', 'sms', 'webhook')),
  address    text not null,
  -- Webhook HMAC key for this endpoint; the global WEBHOOK_SIGNING_SECRET otherwise.
  secret     text,
  created_at timestamptz not null default now(),
  unique (user_id, type, address)
);

-- Tiers are one JSON document (validated by the API): a policy is read and snapshotted whole into each
-- alert's workflow, never joined piecemeal.
create table escalation_policies (
  id                   uuid primary key default gen_random_uuid(),
  name                 text not null unique,
  tiers                jsonb not null,
  repeat               integer not null default 0 check (repeat between 0 and 100),
  repeat_delay_minutes integer not null default 5 check (repeat_delay_minutes >= 0),
  ack_timeout_minutes  integer check (ack_timeout_minutes > 0),
  auto_resolve_minutes integer check (auto_resolve_minutes > 0),
  is_default           boolean not null default false,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now()
);
create unique index escalation_policies_one_default on escalation_policies (is_default) where is_default;

-- Ordered rules, first match wins; null means "any".
create table escalation_rules (
  id         uuid primary key default gen_random_uuid(),
  position   integer not null unique,
  policy_id  uuid not null references escalation_policies (id) on delete cascade,
  severities text[],
  services   text[],
  labels     jsonb not null default '{}'::jsonb
);

create table sla_targets (
  service     text not null,
  severity    text not null check (severity in ('critical', 'high', 'medium', 'low', 'info')),
  tta_seconds integer not null check (tta_seconds > 0),
  ttr_seconds integer not null check (ttr_seconds > 0),
  primary key (service, severity)
);

alter table alerts
  add column policy_id uuid,
  add column policy_name text,
  -- The targets in force when the alert was triggered, so reports never change with later edits.
  add column tta_target_ms bigint,
  add column ttr_target_ms bigint,
  add column tta_ms bigint,
  add column ttr_ms bigint;

create table notifications (
  id              bigserial primary key,
  -- From business ids (alert, cycle, loop, tier, target, channel, address): a retried send finds its row.
  idempotency_key text not null unique,
  alert_id        uuid not null references alerts (id),
  kind            text not null,
  cycle           integer,
  loop            integer,
  tier            integer,
  target          jsonb not null,
  user_id         uuid,
  channel         text not null check (channel in ('email', 'sms', 'webhook')),
  address         text not null,
  status          text not null check (status in ('sending', 'sent', 'failed')),
  provider_id     text,
  error           text,
  attempts        integer not null default 1,
  -- The instant the policy scheduled this page (the tier's fire time, an SLA deadline); created_at is when it was sent.
  scheduled_at    timestamptz not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index notifications_alert on notifications (alert_id, created_at, id);

create table sla_events (
  id       bigserial primary key,
  alert_id uuid not null references alerts (id),
  mark     text not null check (mark in ('tta_at_risk', 'tta_breached', 'ttr_at_risk', 'ttr_breached')),
  deadline timestamptz not null,
  fired_at timestamptz not null,
  unique (alert_id, mark)
);

-- Per alert: did it meet its targets? Breaches come from the marks the workflow recorded at the exact
-- deadline (Temporal's clock), so an alert still open past its target counts as breached already.
create view alert_sla as
select a.id, a.service, a.severity, a.triggered_at,
       (a.triggered_at at time zone 'UTC')::date as day,
       a.tta_ms, a.ttr_ms, a.tta_target_ms, a.ttr_target_ms,
       (a.tta_ms > a.tta_target_ms
         or exists (select 1 from sla_events e where e.alert_id = a.id and e.mark = 'tta_breached')) as tta_breached,
       (a.ttr_ms > a.ttr_target_ms
         or exists (select 1 from sla_events e where e.alert_id = a.id and e.mark = 'ttr_breached')) as ttr_breached,
       a.tta_ms is not null and a.tta_ms <= a.tta_target_ms as tta_met,
       a.ttr_ms is not null and a.ttr_ms <= a.ttr_target_ms as ttr_met
  from alerts a
 where a.tta_target_ms is not null;

-- Compliance per UTC day, service and severity.
create view sla_compliance_daily as
select day, service, severity,
       count(*)::int as alerts,
       count(*) filter (where tta_met)::int as tta_met,
       count(*) filter (where tta_breached)::int as tta_breached,
       count(*) filter (where ttr_met)::int as ttr_met,
       count(*) filter (where ttr_breached)::int as ttr_breached,
       percentile_cont(0.5) within group (order by tta_ms) as tta_p50_ms,
       percentile_cont(0.95) within group (order by tta_ms) as tta_p95_ms,
       percentile_cont(0.5) within group (order by ttr_ms) as ttr_p50_ms,
       percentile_cont(0.95) within group (order by ttr_ms) as ttr_p95_ms
  from alert_sla
 group by day, service, severity;
