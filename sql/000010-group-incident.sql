-- A group is one incident. Which group an alert joins and whether it leads are decided here, in the
-- transaction that records the alert, so the answer never waits on a workflow that a backlog delays;
-- and the group's escalation is carried by whichever open, unacknowledged alert leads it.

-- Groups left open twice for one key (a group workflow stopped before it could close its record) are
-- closed first, so that "the open group of a key" below has one answer.
update alert_groups g set closed_at = now(), close_reason = 'quiet'
 where closed_at is null
   and exists (select 1 from alert_groups n
                where n.service = g.service and n.group_key = g.group_key and n.closed_at is null
                  and (n.last_at, n.id) > (g.last_at, g.id));
create unique index alert_groups_one_open on alert_groups (service, group_key) where closed_at is null;

alter table alert_groups
  -- How long after its last alert the group stops taking new ones (set by the alert that opened it).
  add column window_ms bigint,
  -- Bumped whenever the leader changes, so an alert told its role twice keeps the newer answer.
  add column leader_epoch integer not null default 0,
  -- Where the group's escalation stood (policy, next tier, last tier fired) when its last leader stopped
  -- escalating; the alert that takes over goes on from there. Null: the leader escalates afresh.
  add column escalation jsonb,
  -- A group acknowledged as a whole stays acknowledged: alerts joining it later page nobody.
  add column acknowledged_at timestamptz,
  add column acknowledged_by text,
  -- The transition that made the current leader by handing over, so a retried activity tells it again.
  add column leader_by text,
  -- When the last alert was put in the group (the alert's workflow clock, not its trigger time): while a
  -- backlog is still recording alerts accepted inside the window, the group stays open for them.
  add column last_join_at timestamptz;

create index alerts_group_state on alerts (group_id, state, triggered_at) where group_id is not null;
