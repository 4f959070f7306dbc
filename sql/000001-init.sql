-- The first schema: alerts as the durable record of each alert workflow, the audit trail of every
-- transition, and hashed API keys. Temporal history is the engine's; these tables are the product's.

create table alerts (
  id             uuid primary key,
  -- Derived from service + dedup key: Temporal refuses a second open workflow with the same id, which
  -- is what makes deduplication race-free.
  workflow_id    text not null,
  -- With workflow_id, names this alert's chain of runs (continue-as-new keeps it); a later alert with
  -- the same dedup key gets a new chain, so Updates sent here never reach the wrong alert.
  first_run_id   text not null,
  dedup_key      text not null,
  summary        text not null,
  severity       text not null check (severity in ('critical', 'high', 'medium', 'low', 'info')),
  service        text not null,
  source         text not null,
  labels         jsonb not null default '{}'::jsonb,
  details        jsonb not null default '{}'::jsonb,
  links          jsonb not null default '[]'::jsonb,
  state          text not null check (state in ('new', 'acknowledged', 'investigating', 'resolved')),
  -- Bumped by each transition; a write carrying an older version is ignored, so activities that
  -- complete out of order can never move the record back to an earlier state.
  state_version  integer not null default 0,
  occurrences    integer not null default 1,
  triggered_at   timestamptz not null,
  last_seen_at   timestamptz not null,
  acknowledged_at timestamptz,
  resolved_at    timestamptz,
  updated_at     timestamptz not null default now()
);
create index alerts_workflow_id on alerts (workflow_id);
create index alerts_state_triggered on alerts (state, triggered_at desc);
create index alerts_service_triggered on alerts (service, triggered_at desc);
create index alerts_triggered on alerts (triggered_at desc, id);

-- One row per transition or note. idempotency_key is the Temporal Update id (or another business id),
-- so an activity retried after a crash writes its row once.
create table alert_audit (
  id              bigserial primary key,
  alert_id        uuid not null references alerts (id),
  action          text not null,
  from_state      text,
  to_state        text,
  actor           text not null,
  reason          text,
  at              timestamptz not null,
  idempotency_key text not null unique
);
create index alert_audit_alert on alert_audit (alert_id, at, id);

-- API keys are random 256-bit tokens, so a SHA-256 digest is enough to store them (a slow password hash
-- protects low-entropy secrets, which these are not); the prefix lets people tell keys apart.
create table api_keys (
  id           uuid primary key default gen_random_uuid(),
  name         text not null,
  role         text not null check (role in ('viewer', 'responder', 'admin')),
  prefix       text not null,
  key_hash     text not null unique,
  created_at   timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
