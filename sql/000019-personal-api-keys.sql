-- A person's own API keys (their scripts, their phone's shortcuts): owned by a user, never above that
-- user's role, and gone with the user. Keys without an owner are the install's, managed by admins.
alter table api_keys add column user_id uuid references users (id) on delete cascade;
create index api_keys_user on api_keys (user_id) where user_id is not null;
