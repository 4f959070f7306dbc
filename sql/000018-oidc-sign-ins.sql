-- A sign-in through an OpenID Connect provider in flight: between the redirect to the provider and its
-- answer at /auth/oidc/callback. The browser holds a random value in a short-lived cookie; only its
-- SHA-256 digest is the key here, so the state, nonce and PKCE verifier never leave the server and a copy
-- of this table completes no one's sign-in. A row is deleted as it is used (state is one-time) and is
-- worthless after expires_at.
create table oidc_sign_ins (
  key_hash      text primary key,
  state         text not null,
  nonce         text not null,
  code_verifier text not null,
  return_to     text not null,
  created_at    timestamptz not null default now(),
  expires_at    timestamptz not null
);
create index oidc_sign_ins_expires on oidc_sign_ins (expires_at);
