-- Webhook HMAC secrets leave everything that travels through Temporal. An alert's workflow input holds
-- its policy snapshot, and activity inputs and results hold recipients; anyone with access to the
-- Temporal UI or CLI reads those. So secrets live in this table only, and policies, contact methods and
-- everything copied from them carry the row's id; the activity that signs a page reads the secret here.
-- Rows are never updated: a new secret is a new row, so a running alert's snapshot keeps signing with
-- the secret its policy had when it triggered, as it did when the secret was inline.
create table webhook_secrets (
  id         uuid primary key default gen_random_uuid(),
  secret     text not null check (secret <> ''),
  created_at timestamptz not null default now()
);

-- Contact methods: the secret moves to its own row.
alter table contact_methods add column secret_id uuid;
update contact_methods set secret_id = gen_random_uuid() where secret is not null and secret <> '';
insert into webhook_secrets (id, secret) select secret_id, secret from contact_methods where secret_id is not null;
alter table contact_methods add foreign key (secret_id) references webhook_secrets (id), drop column secret;

-- Policy tiers (and the copies groups keep of their policy): each webhook target's inline secret
-- becomes a row, and the target keeps its id as `secretId`.
create function pg_temp.tiers_without_secrets(tiers jsonb) returns jsonb language plpgsql as $$
declare
  tier jsonb;
  target jsonb;
  targets jsonb;
  result jsonb := '[]';
  id uuid;
begin
  for tier in select * from jsonb_array_elements(tiers) loop
    targets := '[]';
    for target in select * from jsonb_array_elements(tier -> 'targets') loop
      if target ->> 'type' = 'webhook' and target ? 'secret' then
        if coalesce(target ->> 'secret', '') <> '' then
          insert into webhook_secrets (secret) values (target ->> 'secret') returning webhook_secrets.id into id;
          target := (target - 'secret') || jsonb_build_object('secretId', id);
        else
          target := target - 'secret';
        end if;
      end if;
      targets := targets || jsonb_build_array(target);
    end loop;
    result := result || jsonb_build_array(jsonb_set(tier, '{targets}', targets));
  end loop;
  return result;
end
$$;

update escalation_policies set tiers = pg_temp.tiers_without_secrets(tiers)
 where jsonb_path_exists(tiers, '$[*].targets[*].secret');
update alert_groups set escalation = jsonb_set(escalation, '{policy,tiers}', pg_temp.tiers_without_secrets(escalation -> 'policy' -> 'tiers'))
 where jsonb_path_exists(escalation, '$.policy.tiers[*].targets[*].secret');
