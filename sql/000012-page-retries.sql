-- Pages keep trying until the alert is answered, so one page can be retried for hours.
--
-- A page whose alert was acknowledged or resolved while it was still being retried is stopped and
-- recorded as `cancelled`: not delivered, and no longer needed.
--
-- Two attempts of one page must never call the provider at the same time (a slow attempt that Temporal
-- gave up on would otherwise send beside its retry). The attempt that claims a `sending` row holds a
-- lease on it, renewed while its send runs; another attempt finding a live lease does not send. A lease
-- left by a crashed worker simply expires. Rows from before have no lease: the next attempt takes them.
alter table notifications drop constraint notifications_status_check;
alter table notifications add constraint notifications_status_check
  check (status in ('sending', 'sent', 'failed', 'cancelled'));
alter table notifications
  add column lease_owner text,
  add column lease_until timestamptz;
