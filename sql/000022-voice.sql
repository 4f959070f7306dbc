-- Voice calls as a contact method and a page channel: the call reads the alert and takes 1 (acknowledge)
-- or 2 (escalate) on the keypad. Each answered call is recorded by its CallSid, so Twilio posting the same
-- keypress twice acts once and is answered the same.
alter table contact_methods drop constraint contact_methods_type_check;
alter table contact_methods add constraint contact_methods_type_check check (type in ('email', 'sms', 'webhook', 'voice'));
alter table notifications drop constraint notifications_channel_check;
alter table notifications add constraint notifications_channel_check check (channel in ('email', 'sms', 'webhook', 'voice'));

create table voice_answers (
  call_sid   text primary key,
  alert_id   uuid,
  user_id    uuid,
  digits     text not null,
  action     text check (action in ('acknowledge', 'escalate')),
  outcome    text not null,
  -- What the call said back, repeated verbatim to a repeat of the same CallSid.
  said       text not null,
  created_at timestamptz not null default now()
);

-- A contact method can be verified: a code sent to it (by SMS, call or email) and typed back in proves
-- the address reaches its owner. Only the code's hash is kept, with an expiry and a count of wrong tries.
alter table contact_methods add column verified_at timestamptz;
create table contact_method_verifications (
  method_id  uuid primary key references contact_methods (id) on delete cascade,
  -- The request that sent the code: a retried send keeps it, a new request replaces it.
  request_id text not null,
  code_hash  text not null,
  expires_at timestamptz not null,
  attempts   integer not null default 0,
  created_at timestamptz not null default now()
);
