/**
 * The Now page's rules: who is on call at an instant and when that changes next (from a schedule's final
 * shifts), and a person's own coming shifts with back-to-back pieces joined.
 */

/** A final shift as GET /schedules/{id}/shifts answers it (overrides applied). */
export interface ShiftSpan {
  user_id: string;
  start: string;
  end: string;
}

/** Returns the people on call at `at`: each user covering it once, in shift order. */
export function onCallAt(shifts: readonly ShiftSpan[], at: number): string[] {
  const users: string[] = [];
  for (const s of shifts) {
    if (Date.parse(s.start) <= at && at < Date.parse(s.end) && !users.includes(s.user_id))
      users.push(s.user_id);
  }
  return users;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((u) => b.includes(u));

/**
 * Returns the next handoff after `now`: the first shift boundary before `until` (where the shifts asked
 * for end, so not a real handoff) at which the people on call differ from those at `now`, and who is on
 * call from then (empty: nobody). Null when nothing changes before `until`.
 */
export function nextHandoff(
  shifts: readonly ShiftSpan[],
  now: number,
  until: number,
): { at: number; userIds: string[] } | null {
  const current = onCallAt(shifts, now);
  const boundaries = [...new Set(shifts.flatMap((s) => [Date.parse(s.start), Date.parse(s.end)]))]
    .filter((t) => t > now && t < until)
    .sort((a, b) => a - b);
  for (const at of boundaries) {
    const then = onCallAt(shifts, at);
    if (!sameSet(then, current)) return { at, userIds: then };
  }
  return null;
}

/** One of the user's shifts as GET /users/{id}/on-call answers it. */
export interface MyShift {
  schedule_id: string;
  schedule: string;
  start: string;
  end: string;
}

/** A stretch on call on one schedule: back-to-back or overlapping shifts of that schedule joined. */
export interface MyStretch {
  scheduleId: string;
  schedule: string;
  start: number;
  end: number;
  /** True when it has begun at `now`. */
  current: boolean;
}

/**
 * Returns the user's stretches on call that have not ended by `now`, soonest first (the running ones
 * first of all), at most `limit` of them; shifts of one schedule that touch or overlap are one stretch.
 * The server cuts a running shift at its own clock's now, which may be a little ahead of the browser's:
 * a stretch starting within `slackMs` of `now` counts as running.
 */
export function myStretches(shifts: readonly MyShift[], now: number, limit = 5, slackMs = 0): MyStretch[] {
  const sorted = shifts
    .map((s) => ({
      scheduleId: s.schedule_id,
      schedule: s.schedule,
      start: Date.parse(s.start),
      end: Date.parse(s.end),
    }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const joined: Omit<MyStretch, 'current'>[] = [];
  for (const s of sorted) {
    const open = joined.find((j) => j.scheduleId === s.scheduleId && s.start <= j.end);
    if (open) open.end = Math.max(open.end, s.end);
    else joined.push({ ...s });
  }
  return joined
    .filter((s) => s.end > now)
    .slice(0, limit)
    .map((s) => ({ ...s, current: s.start <= now + slackMs }));
}
