/**
 * Who a tier's targets reach at an instant: users through their contact methods, schedules through
 * whoever is on call then, webhooks as they are. Pure, in two steps because a schedule must be evaluated
 * before its on-call users can be looked up: the resolveTargets activity loads between the steps, the
 * dry-run simulator answers both from data it loaded up front. Kept out of the workflow bundle (it needs
 * the on-call model).
 */
import { targetKey, type Target } from './escalation';
import { onCallAt, type Schedule } from './oncall';
import { methodsByRules, type NotificationRule } from './notification-rules';
import { webhookRecipient, type Channel, type Recipient } from './recipients';

export interface ContactMethod {
  /** Absent in directories that carry no rules (a rule names its method by id). */
  id?: string;
  user_id: string;
  type: Channel;
  address: string;
  secret_id: string | null;
}

export interface Resolution {
  recipients: Recipient[];
  /** One line per target (or on-call user) that yields nobody, for the timeline. */
  gaps: string[];
}

/**
 * Step 1: who is on call for each schedule target at `at` (`undefined`: the schedule does not exist),
 * and a gap line for each schedule that yields nobody.
 */
export function onCallForTargets(
  targets: readonly Target[],
  at: number,
  scheduleOf: (id: string) => Schedule | undefined,
): { onCall: Map<string, string[]>; gaps: string[] } {
  const onCall = new Map<string, string[]>();
  const gaps: string[] = [];
  for (const target of targets) {
    if (target.type !== 'schedule') continue;
    const schedule = scheduleOf(target.id);
    // Schedules resolve to whoever is on call at the instant the tier fires (not when this runs).
    onCall.set(target.id, schedule ? onCallAt(schedule, at).map((e) => e.userId) : []);
    if (!schedule) gaps.push(`schedule ${target.id} no longer exists`);
    else if (onCall.get(target.id)!.length === 0) gaps.push(`schedule ${target.id}: nobody on call at ${new Date(at).toISOString()}`);
  }
  return { onCall, gaps };
}

/** The user ids step 2 needs: direct user targets, then everyone on call for a schedule target. */
export function userIdsToLookUp(targets: readonly Target[], onCall: ReadonlyMap<string, string[]>): string[] {
  return [...targets.flatMap((t) => (t.type === 'user' ? [t.id] : [])), ...[...onCall.values()].flat()];
}

/** Returns the delay field of a recipient: present only when its user's rules delay it. */
const delayed = (minutes: number) => (minutes > 0 ? { delayMinutes: minutes } : {});

/**
 * Step 2: one recipient per contact method of each user reached (in target order; methods oldest first,
 * or in the order and with the delays of the user's notification rules), and a gap line for each unknown
 * user or user without contact methods.
 */
export function recipientsForTargets(
  targets: readonly Target[],
  onCall: ReadonlyMap<string, string[]>,
  known: ReadonlySet<string>,
  methods: readonly ContactMethod[],
  rules: readonly NotificationRule[] = [],
): Resolution {
  const methodsOf = (userId: string) =>
    methodsByRules(
      methods.filter((m) => m.user_id === userId),
      rules.filter((r) => r.user_id === userId),
    );
  const recipients: Recipient[] = [];
  const gaps: string[] = [];
  for (const target of targets) {
    const key = targetKey(target);
    if (target.type === 'webhook') {
      recipients.push(webhookRecipient(target));
    } else if (target.type === 'user') {
      if (!known.has(target.id)) {
        gaps.push(`user ${target.id} no longer exists`);
        continue;
      }
      const mine = methodsOf(target.id);
      if (mine.length === 0) gaps.push(`user ${target.id} has no contact methods`);
      for (const { method: m, delayMinutes } of mine) {
        recipients.push({ target, targetKey: key, userId: target.id, channel: m.type, address: m.address, secretId: m.secret_id ?? undefined, ...delayed(delayMinutes) });
      }
    } else {
      for (const userId of onCall.get(target.id) ?? []) {
        const mine = methodsOf(userId);
        if (mine.length === 0) gaps.push(`user ${userId}, on call for schedule ${target.id}, has no contact methods`);
        for (const { method: m, delayMinutes } of mine) {
          recipients.push({ target, targetKey: `${key}:${userId}`, userId, channel: m.type, address: m.address, secretId: m.secret_id ?? undefined, scheduleId: target.id, ...delayed(delayMinutes) });
        }
      }
    }
  }
  return { recipients, gaps };
}

/** Everything the two steps need, already loaded (schedules with their overrides, users, contact methods). */
export interface Directory {
  schedules: ReadonlyMap<string, Schedule>;
  users: ReadonlySet<string>;
  methods: readonly ContactMethod[];
  /** Each user's notification rules in order (absent: nobody has any). */
  rules?: readonly NotificationRule[];
}

/** Both steps at once against a preloaded directory: what the resolveTargets activity would answer at `at`. */
export function resolveTargetsIn(dir: Directory, targets: readonly Target[], at: number): Resolution {
  const { onCall, gaps } = onCallForTargets(targets, at, (id) => dir.schedules.get(id));
  const resolved = recipientsForTargets(targets, onCall, dir.users, dir.methods, dir.rules);
  return { recipients: resolved.recipients, gaps: [...gaps, ...resolved.gaps] };
}
