/**
 * A brute-force reference for the on-call tests, deliberately built differently from the modules: shift
 * starts are listed by walking every shift from the layer's start with luxon's calendar arithmetic
 * (overlaps resolved by luxon's getPossibleOffsets, gaps by luxon's own forward shift), restriction
 * windows are each day's occurrence resolved the same way, and overrides are applied naively by scanning the whole list.
 */
import { DateTime } from 'luxon';
import type { Layer, OnCallEntry, Override, Restriction, Schedule } from './types';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** The instant of a local wall time: the earlier one in an overlap, luxon's forward shift in a gap. */
export function localInstant(zone: string, y: number, mo: number, d: number, h: number, mi: number): number {
  const dt = DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi }, { zone });
  if (!dt.isValid) throw new Error(`invalid local time ${y}-${mo}-${d} ${h}:${mi} in ${zone}`);
  return Math.min(...dt.getPossibleOffsets().map((x) => x.toMillis()), dt.toMillis());
}

/** Every shift start of the layer from shift 0 until the first start after `until`. */
export function referenceShiftStarts(layer: Layer, zone: string, until: number): number[] {
  const [date, time] = layer.start.split('T') as [string, string];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const first = localInstant(zone, y, mo, d, h, mi);
  const { type, length } = layer.rotation;
  const starts: number[] = [];
  for (let k = 0; ; k++) {
    let s: number;
    if (type === 'hourly' || type === 'custom') s = first + k * length * HOUR;
    else {
      const day = DateTime.utc(y, mo, d).plus({ days: k * length * (type === 'weekly' ? 7 : 1) });
      s = localInstant(zone, day.year, day.month, day.day, h, mi);
    }
    starts.push(s);
    if (s > until) return starts;
  }
}

function hm(text: string): number {
  const [h, m] = text.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/**
 * Whether t is inside one of the restriction windows (or there are none). Each window occurrence runs
 * from its start's instant to its end's instant, both wall-clock times read like handoffs (localInstant:
 * luxon's forward shift in a gap, the earlier instant in an overlap), one calendar day at a time.
 */
export function referenceInRestriction(
  restrictions: readonly Restriction[],
  zone: string,
  t: number,
): boolean {
  if (restrictions.length === 0) return true;
  const today = DateTime.fromMillis(t, { zone }).startOf('day');
  return restrictions.some((r) => {
    const s = hm(r.start);
    const e = r.end === '24:00' ? 24 * 60 : hm(r.end);
    // The occurrences that began on the two days before t's local date or on it.
    for (const back of [2, 1, 0]) {
      const day = today.minus({ days: back });
      if (day.weekday !== r.weekday) continue;
      const endDay = e <= s || e === 24 * 60 ? day.plus({ days: 1 }) : day;
      const endMinutes = e === 24 * 60 ? 0 : e;
      const start = localInstant(zone, day.year, day.month, day.day, Math.floor(s / 60), s % 60);
      const end = localInstant(zone, endDay.year, endDay.month, endDay.day, Math.floor(endMinutes / 60), endMinutes % 60);
      if (t >= start && t < end) return true;
    }
    return false;
  });
}

function applyNaively(set: OnCallEntry[], overrides: readonly Override[], t: number): OnCallEntry[] {
  const active = overrides.filter((o) => o.start <= t && t < o.end);
  active.sort((a, b) =>
    a.start !== b.start
      ? a.start - b.start
      : a.createdAt !== b.createdAt
        ? a.createdAt - b.createdAt
        : a.id < b.id
          ? -1
          : 1,
  );
  let out = [...set];
  const has = (u: string) => out.some((e) => e.userId === u);
  for (const o of active) {
    if (o.kind === 'remove') out = out.filter((e) => e.userId !== o.replaces);
    else if (o.kind === 'add' && o.userId && !has(o.userId)) out.push({ userId: o.userId, overrideId: o.id });
    else if (o.kind === 'replace' && o.userId && o.replaces === undefined)
      out = [{ userId: o.userId, overrideId: o.id }];
    else if (o.kind === 'replace' && o.userId && o.replaces !== undefined && has(o.replaces)) {
      out = out.filter((e) => e.userId !== o.replaces);
      if (!has(o.userId)) out.push({ userId: o.userId, overrideId: o.id });
    }
  }
  return out.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

/**
 * onCallAt by brute force for instants visited in increasing order: each layer keeps a cursor into its
 * full list of shift starts and walks it forward.
 */
export class ReferenceOnCall {
  private readonly starts: number[][];
  private readonly cursors: number[];
  private last = -Infinity;

  constructor(
    private readonly schedule: Schedule,
    until: number,
  ) {
    this.starts = schedule.layers.map((l) => referenceShiftStarts(l, schedule.timeZone, until));
    this.cursors = schedule.layers.map(() => -1);
  }

  /** The shift index of layer i at t (-1 before its start). */
  shiftIndex(i: number, t: number): number {
    const starts = this.starts[i]!;
    let c = this.cursors[i]!;
    while (c + 1 < starts.length && starts[c + 1]! <= t) c++;
    if (c + 1 >= starts.length) throw new Error('reference built with too short a horizon');
    this.cursors[i] = c;
    return c;
  }

  at(t: number): OnCallEntry[] {
    if (t < this.last) throw new Error('the reference walks forward only');
    this.last = t;
    let base: OnCallEntry[] = [];
    for (let i = this.schedule.layers.length - 1; i >= 0; i--) {
      const layer = this.schedule.layers[i]!;
      const k = this.shiftIndex(i, t);
      if (k < 0 || layer.participants.length === 0) continue;
      if (!referenceInRestriction(layer.restrictions, this.schedule.timeZone, t)) continue;
      base = [{ userId: layer.participants[k % layer.participants.length]!, layerId: layer.id }];
      break;
    }
    return applyNaively(base, this.schedule.overrides, t);
  }
}

/** A small seeded PRNG (mulberry32), so generated schedules are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 3-layer, 10-participant schedule with business-hours restrictions on the middle layer and 20 overrides. */
export function bigSchedule(timeZone: string, from: number, seed = 7): Schedule {
  const rnd = prng(seed);
  const users = Array.from({ length: 10 }, (_, i) => `u${i}`);
  const pick = () => users[Math.floor(rnd() * users.length)]!;
  const overrides: Override[] = Array.from({ length: 20 }, (_, i) => {
    const start = from + Math.floor(rnd() * 13 * 24) * HOUR + Math.floor(rnd() * 4) * 15 * MIN;
    const kinds = ['replace', 'replace', 'add', 'remove'] as const;
    const kind = kinds[i % 4]!;
    const o: Override = {
      id: `o${String(i).padStart(2, '0')}`,
      kind,
      start,
      end: start + (1 + Math.floor(rnd() * 40)) * HOUR,
      createdAt: Math.floor(rnd() * 3),
    };
    if (kind !== 'remove') o.userId = pick();
    if (kind === 'remove' || (kind === 'replace' && i % 8 !== 0)) o.replaces = pick();
    return o;
  });
  // Some overrides start together, so the createdAt and id tie-breaks are exercised.
  overrides[5]!.start = overrides[4]!.start;
  overrides[9]!.start = overrides[8]!.start;
  overrides[9]!.createdAt = overrides[8]!.createdAt;
  return {
    id: 'big',
    timeZone,
    layers: [
      {
        id: 'weekly',
        name: 'primary',
        rotation: { type: 'weekly', length: 1 },
        start: '2026-01-05T09:00',
        participants: users.slice(0, 4),
        restrictions: [],
      },
      {
        id: 'business',
        name: 'business hours',
        rotation: { type: 'daily', length: 1 },
        start: '2026-01-01T02:30',
        participants: users.slice(3, 8),
        restrictions: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })),
      },
      {
        id: 'custom',
        name: 'nights',
        rotation: { type: 'custom', length: 7 },
        start: '2026-02-01T19:00',
        participants: users.slice(6),
        restrictions: [{ weekday: 6, start: '20:00', end: '04:00' }],
      },
    ],
    overrides,
  };
}
