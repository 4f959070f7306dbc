-- Page emails carry a third one-click link, "Snooze 30 min", whose use is recorded like the others.
alter table reply_link_uses drop constraint reply_link_uses_action_check;
alter table reply_link_uses add constraint reply_link_uses_action_check check (action in ('acknowledge', 'resolve', 'snooze'));
