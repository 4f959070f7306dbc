-- Answering a page from where it reached you: the reply code each SMS page carries, the inbound SMS
-- already answered (Twilio may deliver one twice), the one-click email links already used, and secrets
-- an install generates for itself when none is configured.

-- One code per alert, user and phone number, so every page of an alert to a phone carries the same code
-- and a retried send reuses it. Codes are unique among the open alerts paged to one number (allocated
-- under an advisory lock on the number); a reply is matched to the newest row for (address, code).
create table sms_reply_codes (
  id         bigserial primary key,
  alert_id   uuid not null references alerts (id),
  -- No foreign key: like notifications.user_id, the history outlives a deleted user.
  user_id    uuid not null,
  -- E.164, as the page was sent to and as Twilio reports the reply's From.
  address    text not null,
  code       text not null check (code ~ '^[0-9]{4}$'),
  created_at timestamptz not null default now(),
  unique (alert_id, user_id, address)
);
create index sms_reply_codes_lookup on sms_reply_codes (address, code, created_at desc);

-- Every inbound SMS answered, keyed by Twilio's MessageSid: a repeat gets the same answer and changes nothing.
create table sms_replies (
  message_sid text primary key,
  from_number text not null,
  body        text not null,
  alert_id    uuid,
  user_id     uuid,
  action      text,
  outcome     text not null,
  reply       text not null,
  received_at timestamptz not null default now()
);

-- Email links that acted, by the nonce signed into them: a link works once.
create table reply_link_uses (
  nonce    text primary key,
  alert_id uuid not null references alerts (id),
  user_id  uuid not null,
  action   text not null check (action in ('acknowledge', 'resolve')),
  used_at  timestamptz not null default now()
);

-- Random secrets generated on first use when the operator configured none (e.g. the email link key),
-- shared by every API and worker process of the install through the database.
create table install_secrets (
  name       text primary key,
  value      text not null,
  created_at timestamptz not null default now()
);
