-- Why a group closed: every alert in it was resolved, or the grouping window passed with no new alert.
alter table alert_groups add column close_reason text check (close_reason in ('resolved', 'quiet'));
