/** Activities behind "you are now on call" notices: when the next handoff is, and telling the incoming people. */
import { nextHandoff, onCallAt } from '../domain/oncall';
import { getSchedule, loadSchedule } from '../store/schedules';
import { contactMethodsOf, listUsers } from '../store/users';
import { deliverOnce, type PageDeps } from './pages';

export type HandoffPlan = { status: 'gone' | 'disabled' | 'none' } | { status: 'next'; at: string };

/** Returns the handoff activities. */
export function createHandoffActivities(deps: PageDeps) {
  const { pool, publicUrl } = deps;
  return {
    /** Returns the schedule's next handoff after `after`, or why there is none to wait for. */
    async planHandoff(input: { scheduleId: string; after: string }): Promise<HandoffPlan> {
      const stored = await getSchedule(pool, input.scheduleId);
      if (!stored) return { status: 'gone' };
      if (!stored.handoffNotifications) return { status: 'disabled' };
      const schedule = (await loadSchedule(pool, input.scheduleId))!;
      const at = nextHandoff(schedule, Date.parse(input.after));
      return at === null ? { status: 'none' } : { status: 'next', at: new Date(at).toISOString() };
    },

    /**
     * Tells each user who comes on call at `at` (and was not on call just before) until when, on every
     * contact method, once per user and address. Recomputed from the schedule as it is now, so a late
     * edit is honoured.
     */
    async notifyHandoff(input: { scheduleId: string; at: string }): Promise<{ notified: string[] }> {
      const stored = await getSchedule(pool, input.scheduleId);
      const schedule = await loadSchedule(pool, input.scheduleId);
      if (!stored || !schedule || !stored.handoffNotifications) return { notified: [] };
      const at = Date.parse(input.at);
      const before = new Set(onCallAt(schedule, at - 1).map((e) => e.userId));
      const incoming = onCallAt(schedule, at)
        .map((e) => e.userId)
        .filter((u) => !before.has(u));
      if (incoming.length === 0) return { notified: [] };
      const until = nextHandoff(schedule, at);
      const [methods, users] = await Promise.all([contactMethodsOf(pool, incoming), listUsers(pool)]);
      const names = new Map(users.map((u) => [u.id, u.name]));
      for (const m of methods) {
        await deliverOnce(deps, {
          claim: {
            idempotencyKey: `handoff:${input.scheduleId}:${input.at}:${m.user_id}:${m.type}:${m.address}`,
            alertId: null,
            kind: 'handoff',
            cycle: null,
            loop: null,
            tier: null,
            target: { type: 'schedule', id: input.scheduleId },
            userId: m.user_id,
            channel: m.type,
            address: m.address,
            scheduleId: input.scheduleId,
            scheduledAt: new Date(at),
          },
          message: {
            kind: 'handoff',
            scheduleId: input.scheduleId,
            scheduleName: stored.name,
            userName: names.get(m.user_id) ?? m.user_id,
            start: input.at,
            until: until === null ? null : new Date(until).toISOString(),
            scheduleUrl: `${publicUrl.replace(/\/$/, '')}/schedules/${input.scheduleId}/shifts`,
          },
          secretId: m.secret_id ?? undefined,
        });
      }
      return { notified: incoming };
    },
  };
}
