-- Personal notification rules: each user orders their contact methods with delays ("SMS at once, a call
-- after 2 minutes, email after 5"). A user with no rows here is paged on every contact method at once, as
-- before. A tier reads the rules once, when it fires (a snapshot, like the policy).
create table notification_rules (
  user_id           uuid not null references users (id) on delete cascade,
  contact_method_id uuid not null references contact_methods (id) on delete cascade,
  delay_minutes     integer not null check (delay_minutes between 0 and 1440),
  position          integer not null,
  primary key (user_id, contact_method_id),
  unique (user_id, position)
);
