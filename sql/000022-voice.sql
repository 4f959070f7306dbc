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
