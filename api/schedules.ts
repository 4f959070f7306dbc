/** /schedules: on-call rotations, overrides, who is on call, shifts, and an iCalendar feed. */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import ical from 'ical-generator';
import { oneLine } from '../domain/single-line';
import type pg from 'pg';
import { type z } from 'zod';
import { onCallAt, shifts } from '../domain/oncall';
import type { Layer } from '../domain/oncall/types';
import {
  deleteOverride,
  deleteSchedule,
  getSchedule,
  insertOverride,
  insertSchedule,
  listOverrides,
  listSchedules,
  loadSchedule,
  schedulesWithUser,
  toOverride,
  updateSchedule,
  type ScheduleFields,
  type StoredSchedule,
} from '../store/schedules';
import { existingUserIds, listUsers } from '../store/users';
import { HttpError, notFound, parseInput } from './errors';
import { mount } from './route';
import { MAX_SHIFT_RANGE_DAYS, scheduleRoutes as routes, type scheduleBody } from './schemas/schedules';

export { MAX_SHIFT_RANGE_DAYS };

const DAY = 86_400_000;
/** The calendar feed: shifts from a week back to 93 days ahead (the README's and the route's window). */
const FEED_BACK_MS = 7 * DAY;
const FEED_AHEAD_MS = MAX_SHIFT_RANGE_DAYS * DAY;
/** How far beyond the window a shift that crosses its edge is still listed whole. */
const FEED_WHOLE_MS = 31 * DAY;
/** SEQUENCE counts seconds from here: small enough for clients that keep it in 32 bits until 2093. */
const SEQUENCE_EPOCH = Date.UTC(2025, 0, 1);
const fail = (errors: { field: string; message: string }[]) =>
  new HttpError(400, 'invalid_request', `${errors[0]!.field}: ${errors[0]!.message}`, { errors });

/** Returns the range, or throws a 400 when it is reversed or wider than the cap. */
export function parseRange(q: { from: string; to: string }): { from: number; to: number } {
  const from = Date.parse(q.from);
  const to = Date.parse(q.to);
  if (to <= from) throw fail([{ field: 'query.to', message: 'must be after from' }]);
  if (to - from > MAX_SHIFT_RANGE_DAYS * DAY) throw fail([{ field: 'query.to', message: `the range is limited to ${MAX_SHIFT_RANGE_DAYS} days` }]);
  return { from, to };
}

async function validateSchedule(pool: pg.Pool, body: z.infer<typeof scheduleBody>): Promise<ScheduleFields> {
  const layers: Layer[] = body.layers.map((l) => ({ ...l, id: l.id ?? randomUUID() }));
  const known = await existingUserIds(pool, [...new Set(layers.flatMap((l) => l.participants))]);
  const errors = layers.flatMap((l, i) =>
    l.participants.flatMap((p, j) => (known.has(p) ? [] : [{ field: `body.layers.${i}.participants.${j}`, message: `no user ${p}` }])),
  );
  if (errors.length) throw fail(errors);
  return { name: body.name, timeZone: body.time_zone, layers, handoffNotifications: body.handoff_notifications };
}

const scheduleJson = (s: StoredSchedule) => ({
  id: s.id,
  name: s.name,
  time_zone: s.timeZone,
  layers: s.layers,
  handoff_notifications: s.handoffNotifications,
  created_at: s.createdAt,
  updated_at: s.updatedAt,
});

const iso = (ms: number) => new Date(ms).toISOString();

export interface SchedulesDeps {
  pool: pg.Pool;
  /** Called after any change that can move a handoff (the handoff-notification workflow recomputes). */
  onScheduleChanged?: (scheduleId: string) => Promise<void>;
}

/** Returns the router for /schedules and /users/:id/on-call. */
export function schedulesRouter({ pool, onScheduleChanged = async () => {} }: SchedulesDeps): Router {
  const router = Router();
  const load = async (id: string) => {
    const s = await loadSchedule(pool, id);
    if (!s) throw notFound(`schedule ${id}`);
    return s;
  };
  const unique = (err: unknown, name: string) => {
    if ((err as { code?: string }).code === '23505') throw new HttpError(409, 'duplicate', `body.name: a schedule named "${name}" exists`);
    throw err;
  };

  mount(router, routes.create, async (req, res) => {
    const fields = await validateSchedule(pool, parseInput(routes.create.request.body, req.body, 'body'));
    const s = await insertSchedule(pool, fields).catch((err) => unique(err, fields.name));
    await onScheduleChanged(s.id);
    res.status(201).location(`/schedules/${s.id}`).json(scheduleJson(s));
  });

  mount(router, routes.list, async (_req, res) => {
    res.json({ schedules: (await listSchedules(pool)).map(scheduleJson) });
  });

  // Before /schedules/:id so that "<id>.ics" is not taken for an id.
  mount(router, routes.ics, async (req, res) => {
    const { id } = parseInput(routes.ics.request.params, req.params, 'params');
    const stored = await getSchedule(pool, id);
    if (!stored) throw notFound(`schedule ${id}`);
    const schedule = await load(id);
    const now = Date.now();
    const [from, to] = [now - FEED_BACK_MS, now + FEED_AHEAD_MS];
    const names = new Map((await listUsers(pool)).map((u) => [u.id, u.name]));
    // Every event of the feed changes with the schedule: a client told nothing else updates all of them.
    const lastModified = stored.changedAt;
    const sequence = Math.max(0, Math.floor((lastModified.getTime() - SEQUENCE_EPOCH) / 1000));
    // ical-generator escapes event text but writes the calendar's NAME and X-WR-CALNAME as given; a name
    // stored before names had to be one line must not end its content line and start a foreign event.
    const cal = ical({ name: oneLine(`On call: ${stored.name}`), prodId: { company: 'Klaxon', product: 'on-call' } });
    // The shifts that overlap the window, each whole (up to FEED_WHOLE_MS beyond it): one in progress at
    // the window's start keeps its true start, so its UID (built from that start and its source) is the
    // same on every fetch, and calendar clients neither drop nor re-add it on each refresh.
    for (const s of shifts(schedule, from - FEED_WHOLE_MS, to + FEED_WHOLE_MS)) {
      if (s.end <= from || s.start >= to) continue;
      cal.createEvent({
        id: `${id}-${s.userId}-${s.start}-${s.overrideId ?? s.layerId ?? 'none'}@klaxon`,
        sequence,
        lastModified,
        start: new Date(s.start),
        end: new Date(s.end),
        summary: oneLine(`On call: ${names.get(s.userId) ?? s.userId}`),
        description: oneLine(`${stored.name}${s.overrideId ? ' (override)' : ''}`),
      });
    }
    res.type('text/calendar; charset=utf-8').send(cal.toString());
  });

  mount(router, routes.get, async (req, res) => {
    const { id } = parseInput(routes.get.request.params, req.params, 'params');
    const s = await getSchedule(pool, id);
    if (!s) throw notFound(`schedule ${id}`);
    res.json(scheduleJson(s));
  });

  mount(router, routes.update, async (req, res) => {
    const { id } = parseInput(routes.update.request.params, req.params, 'params');
    const fields = await validateSchedule(pool, parseInput(routes.update.request.body, req.body, 'body'));
    const s = await updateSchedule(pool, id, fields).catch((err) => unique(err, fields.name));
    if (!s) throw notFound(`schedule ${id}`);
    await onScheduleChanged(id);
    res.json(scheduleJson(s));
  });

  mount(router, routes.delete, async (req, res) => {
    const { id } = parseInput(routes.delete.request.params, req.params, 'params');
    if (!(await deleteSchedule(pool, id))) throw notFound(`schedule ${id}`);
    await onScheduleChanged(id);
    res.status(204).end();
  });

  mount(router, routes.addOverride, async (req, res) => {
    const { id } = parseInput(routes.addOverride.request.params, req.params, 'params');
    const body = parseInput(routes.addOverride.request.body, req.body, 'body');
    if (!(await getSchedule(pool, id))) throw notFound(`schedule ${id}`);
    const people = [body.user_id, body.replaces].filter((x): x is string => !!x);
    const known = await existingUserIds(pool, people);
    const errors = [
      ...(body.user_id && !known.has(body.user_id) ? [{ field: 'body.user_id', message: `no user ${body.user_id}` }] : []),
      ...(body.replaces && !known.has(body.replaces) ? [{ field: 'body.replaces', message: `no user ${body.replaces}` }] : []),
    ];
    if (errors.length) throw fail(errors);
    const row = await insertOverride(pool, {
      scheduleId: id,
      kind: body.kind,
      start: new Date(body.start),
      end: new Date(body.end),
      userId: body.user_id ?? null,
      replaces: body.replaces ?? null,
    });
    await onScheduleChanged(id);
    const o = toOverride(row);
    res.status(201).json({ id: o.id, kind: o.kind, start: iso(o.start), end: iso(o.end), user_id: o.userId ?? null, replaces: o.replaces ?? null });
  });

  mount(router, routes.listOverrides, async (req, res) => {
    const { id } = parseInput(routes.listOverrides.request.params, req.params, 'params');
    if (!(await getSchedule(pool, id))) throw notFound(`schedule ${id}`);
    const rows = (await listOverrides(pool, id)).map(toOverride);
    res.json({ overrides: rows.map((o) => ({ id: o.id, kind: o.kind, start: iso(o.start), end: iso(o.end), user_id: o.userId ?? null, replaces: o.replaces ?? null })) });
  });

  mount(router, routes.deleteOverride, async (req, res) => {
    const { id, overrideId } = parseInput(routes.deleteOverride.request.params, req.params, 'params');
    if (!(await deleteOverride(pool, id, overrideId))) throw notFound(`override ${overrideId} of schedule ${id}`);
    await onScheduleChanged(id);
    res.status(204).end();
  });

  mount(router, routes.onCall, async (req, res) => {
    const { id } = parseInput(routes.onCall.request.params, req.params, 'params');
    const { at } = parseInput(routes.onCall.request.query, req.query, 'query');
    const instant = at ? Date.parse(at) : Date.now();
    const entries = onCallAt(await load(id), instant);
    res.json({ at: iso(instant), on_call: entries.map((e) => ({ user_id: e.userId, layer_id: e.layerId ?? null, override_id: e.overrideId ?? null })) });
  });

  mount(router, routes.shifts, async (req, res) => {
    const { id } = parseInput(routes.shifts.request.params, req.params, 'params');
    const { from, to } = parseRange(parseInput(routes.shifts.request.query, req.query, 'query'));
    const list = shifts(await load(id), from, to);
    res.json({
      shifts: list.map((s) => ({
        user_id: s.userId,
        start: iso(s.start),
        end: iso(s.end),
        layer_id: s.layerId ?? null,
        override_id: s.overrideId ?? null,
        sources: s.sources.map((p) => ({ layer_id: p.layerId ?? null, override_id: p.overrideId ?? null, start: iso(p.start), end: iso(p.end) })),
      })),
    });
  });

  mount(router, routes.userOnCall, async (req, res) => {
    const { id } = parseInput(routes.userOnCall.request.params, req.params, 'params');
    const { days } = parseInput(routes.userOnCall.request.query, req.query, 'query');
    if ((await existingUserIds(pool, [id])).size === 0) throw notFound(`user ${id}`);
    const now = Date.now();
    const out: { schedule_id: string; schedule: string; start: string; end: string }[] = [];
    for (const scheduleId of await schedulesWithUser(pool, id)) {
      const [stored, schedule] = await Promise.all([getSchedule(pool, scheduleId), load(scheduleId)]);
      for (const shift of shifts(schedule, now, now + days * DAY)) {
        if (shift.userId === id) out.push({ schedule_id: scheduleId, schedule: stored!.name, start: iso(shift.start), end: iso(shift.end) });
      }
    }
    out.sort((a, b) => a.start.localeCompare(b.start));
    res.json({ user_id: id, shifts: out });
  });

  return router;
}
