-- Each API process caches what planning an alert and admitting an ingest request read (escalation rules
-- and policies, per-service SLA targets, integrations by routing-key digest: api/plan-cache.ts) instead
-- of querying it for every event. Whoever changes one of these tables, through the API or by hand in
-- SQL, notifies the channel klaxon_config_changed with the table's name; every API process listens and
-- drops what it holds of that table. pg_notify is delivered at commit (nothing on rollback) and
-- Postgres folds repeats within a transaction, so one statement-level trigger per table suffices,
-- however many rows the statement touched; truncate is included.
create function klaxon_notify_config_change() returns trigger
  language plpgsql as $$
begin
  perform pg_notify('klaxon_config_changed', tg_table_name);
  return null;
end
$$;

create trigger escalation_policies_changed after insert or update or delete or truncate on escalation_policies
  for each statement execute function klaxon_notify_config_change();
create trigger escalation_rules_changed after insert or update or delete or truncate on escalation_rules
  for each statement execute function klaxon_notify_config_change();
create trigger sla_targets_changed after insert or update or delete or truncate on sla_targets
  for each statement execute function klaxon_notify_config_change();
create trigger integrations_changed after insert or update or delete or truncate on integrations
  for each statement execute function klaxon_notify_config_change();
