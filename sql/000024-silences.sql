-- Silences (maintenance windows): alerts matching every matcher are recorded as ever but page nobody
-- from starts_at to ends_at. The row is also the audit trail: who created it and why, and, once deleted
-- (kept, never removed), who deleted it and when. Alerts hold the silence in their workflow state.
create table silences (
  id          uuid primary key default gen_random_uuid(),
  matchers    jsonb not null,
  starts_at   timestamptz not null,
  ends_at     timestamptz not null check (ends_at > starts_at),
  -- Recurring: {weekdays, start, durationMinutes, timeZone}; starts_at..ends_at bound its occurrences.
  recurrence  jsonb,
  reason      text not null,
  created_by  text not null,
  created_at  timestamptz not null default now(),
  deleted_by  text,
  deleted_at  timestamptz
);
-- What a trigger reads: the silences not yet over and not deleted.
create index silences_live on silences (ends_at) where deleted_at is null;
-- The API's plan cache (api/plan-cache.ts) holds the live silences a trigger reads; every change
-- reaches every API process, as for the other tables it caches (sql/000011).
create trigger silences_changed after insert or update or delete or truncate on silences
  for each statement execute function klaxon_notify_config_change();
