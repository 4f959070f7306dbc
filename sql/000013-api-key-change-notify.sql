-- The API process keeps the API keys it last read (api/plan-cache.ts) so that POST /alerts still admits
-- them while Postgres is down; a revocation, a role change or a deleted key must reach every process's
-- copy, as configuration changes do (000011). last_used_at, written as keys are used, changes nobody's
-- admission and is left out, so using a key notifies no one.
create trigger api_keys_changed after update of revoked_at, role, key_hash or delete or truncate on api_keys
  for each statement execute function klaxon_notify_config_change();
