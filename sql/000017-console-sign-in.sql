-- People sign in to the web console: with a password, through an OpenID Connect provider, or once with
-- the first-admin set-up link. A signed-in person acts with their user's role, the same three roles API
-- keys have, checked by the same access table (api/access.ts).

-- The name a person signs in with (usually their email address), unique whatever its case; and their
-- role in the console. Existing users have no login until an admin gives them one.
alter table users
  add column login text,
  add column role text not null default 'responder' check (role in ('viewer', 'responder', 'admin'));
create unique index users_login_key on users (lower(login));

-- An argon2id hash (PHC string: algorithm, parameters and salt with it); a user without a row here
-- cannot sign in with a password.
create table user_passwords (
  user_id    uuid primary key references users (id) on delete cascade,
  hash       text not null,
  updated_at timestamptz not null default now()
);

-- Who a user is at an OpenID Connect provider: the issuer and the subject (`sub`) it gives them.
create table user_identities (
  issuer     text not null,
  subject    text not null,
  user_id    uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (issuer, subject)
);
create index user_identities_user on user_identities (user_id);

-- A signed-in browser. The cookie holds a random token; only its SHA-256 digest is stored, so a copy of
-- this table signs no one in. csrf_token is the synchronizer token every state-changing request made
-- with the cookie must echo in X-CSRF-Token. A session ends at expires_at (absolute), after its idle
-- limit without a request (last_seen_at), at sign-out, or when its user is deleted.
create table sessions (
  token_hash   text primary key,
  user_id      uuid not null references users (id) on delete cascade,
  csrf_token   text not null,
  method       text not null check (method in ('password', 'oidc', 'setup')),
  created_at   timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at   timestamptz not null
);
create index sessions_user on sessions (user_id);
create index sessions_expires on sessions (expires_at);

-- The one-time link that sets up the first admin on an empty install; stored as a digest like sessions.
create table setup_tokens (
  token_hash text primary key,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at    timestamptz
);
