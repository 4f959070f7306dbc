-- POST /alerts answers 201 once the alert is recorded. It learned that from an Update to the alert's
-- workflow, which cost every new alert a second workflow task and two history events; each API process
-- now hears it from Postgres instead: every new alert row notifies klaxon_alert_recorded with its id,
-- delivered at commit (nothing on rollback), on the listener connection the API already holds for
-- configuration changes (000011).
create function klaxon_notify_alert_recorded() returns trigger
  language plpgsql as $$
begin
  perform pg_notify('klaxon_alert_recorded', new.id::text);
  return null;
end
$$;

create trigger alerts_recorded after insert on alerts
  for each row execute function klaxon_notify_alert_recorded();
