-- When a schedule or any of its overrides last changed: the calendar feed's LAST-MODIFIED and SEQUENCE,
-- so calendar clients update shifts an edit moved (an override's removal leaves no row to date it by).
alter table schedules add column changed_at timestamptz not null default now();
