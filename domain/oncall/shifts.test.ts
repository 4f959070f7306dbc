import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY, HOUR, MIN, bigSchedule } from './reference.test-helpers';
import { nextHandoff, onCallAt, shifts } from './schedule';
import type { Layer, Schedule, Shift } from './types';

const NY = 'America/New_York';
const FROM = Date.UTC(2026, 2, 1, 5) + 17 * MIN; // not on any boundary, so clipping shows
const TO = FROM + 14 * DAY;

function layer(id: string, participants: string[], extra: Partial<Layer> = {}): Layer {
  return {
    id,
    name: id,
    rotation: { type: 'daily', length: 1 },
    start: '2026-01-01T09:00',
    participants,
    restrictions: [],
    ...extra,
  };
}

const ids = (entries: { userId: string }[]) => entries.map((e) => e.userId).join(',');

describe('shifts', () => {
  const schedule = bigSchedule(NY, FROM);
  const list = shifts(schedule, FROM, TO);

  it('is sorted by start then user, inside the range, and never empty', () => {
    assert.ok(list.length >= 20, `${list.length} shifts`);
    for (const [i, s] of list.entries()) {
      assert.ok(s.start >= FROM && s.end <= TO && s.start < s.end, JSON.stringify(s));
      const prev = list[i - 1];
      if (prev) assert.ok(prev.start < s.start || (prev.start === s.start && prev.userId < s.userId));
    }
    assert.equal(list[0]!.start, FROM);
    assert.equal(Math.max(...list.map((s) => s.end)), TO);
  });

  it('matches onCallAt at every minute, including the source at each shift start', () => {
    for (let t = FROM; t < TO; t += MIN) {
      const covering = list.filter((s) => s.start <= t && t < s.end);
      const want = onCallAt(schedule, t);
      if (ids(covering.sort((a, b) => (a.userId < b.userId ? -1 : 1))) !== ids(want)) {
        assert.fail(`${new Date(t).toISOString()}: shifts ${ids(covering)} vs onCallAt ${ids(want)}`);
      }
    }
    for (const s of list) {
      const e = onCallAt(schedule, s.start).find((x) => x.userId === s.userId)!;
      assert.deepEqual([s.layerId, s.overrideId], [e.layerId, e.overrideId]);
    }
  });

  it('merges: one user never has overlapping or touching shifts', () => {
    const byUser = new Map<string, Shift[]>();
    for (const s of list) byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), s]);
    for (const own of byUser.values()) {
      for (let i = 1; i < own.length; i++)
        assert.ok(own[i - 1]!.end < own[i]!.start, JSON.stringify(own.slice(i - 1, i + 1)));
    }
  });

  it('keeps one shift when the same user continues from a layer into an override or another layer', () => {
    const t0 = Date.UTC(2026, 5, 15, 13); // 09:00 EDT
    const s: Schedule = {
      id: 's',
      timeZone: NY,
      layers: [
        layer('all-day', ['a']),
        layer('mornings', ['a', 'b'], {
          restrictions: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '06:00', end: '12:00' })),
        }),
      ],
      overrides: [
        { id: 'ov', kind: 'replace', userId: 'a', start: t0 + 4 * HOUR, end: t0 + 6 * HOUR, createdAt: 0 },
      ],
    };
    // Mornings hand a (06-14, index 164) to b (06-15, index 165) at 09:00; a's first shift runs mornings →
    // all-day → mornings, the second all-day → override → all-day, and each keeps its first source.
    const h = (n: number) => t0 + n * HOUR;
    assert.deepEqual(shifts(s, t0 - DAY, h(8)), [
      {
        userId: 'a',
        start: t0 - DAY,
        end: t0,
        layerId: 'mornings',
        sources: [
          { layerId: 'mornings', start: h(-24), end: h(-21) },
          { layerId: 'all-day', start: h(-21), end: h(-3) },
          { layerId: 'mornings', start: h(-3), end: t0 },
        ],
      },
      { userId: 'b', start: t0, end: h(3), layerId: 'mornings', sources: [{ layerId: 'mornings', start: t0, end: h(3) }] },
      {
        userId: 'a',
        start: h(3),
        end: h(8),
        layerId: 'all-day',
        sources: [
          { layerId: 'all-day', start: h(3), end: h(4) },
          { overrideId: 'ov', start: h(4), end: h(6) },
          { layerId: 'all-day', start: h(6), end: h(8) },
        ],
      },
    ]);
  });

  it('lists every source of a merged shift: two overrides back to back and the layer after them', () => {
    const t0 = Date.UTC(2026, 5, 15, 13); // 09:00 in New York, a's daily shift starts
    const s: Schedule = {
      id: 's',
      timeZone: NY,
      layers: [layer('daily', ['a', 'b'], { start: '2026-06-15T09:00' })],
      overrides: [
        { id: 'cover-1', kind: 'replace', userId: 'c', start: t0 - 4 * HOUR, end: t0 - 2 * HOUR, createdAt: 0 },
        { id: 'cover-2', kind: 'add', userId: 'c', start: t0 - 2 * HOUR, end: t0, createdAt: 1 },
      ],
    };
    const c = shifts(s, t0 - 6 * HOUR, t0 + 6 * HOUR).find((x) => x.userId === 'c')!;
    assert.deepEqual(c.sources, [
      { overrideId: 'cover-1', start: t0 - 4 * HOUR, end: t0 - 2 * HOUR },
      { overrideId: 'cover-2', start: t0 - 2 * HOUR, end: t0 },
    ]);
    // c then carries on from the layer: a later handoff to c makes one shift of all three.
    const later: Schedule = { ...s, layers: [layer('daily', ['c', 'a'], { start: '2026-06-15T09:00' })] };
    const merged = shifts(later, t0 - 6 * HOUR, t0 + 6 * HOUR).find((x) => x.userId === 'c')!;
    assert.deepEqual(
      [merged.start, merged.end, merged.overrideId],
      [t0 - 4 * HOUR, t0 + 6 * HOUR, 'cover-1'],
    );
    assert.deepEqual(merged.sources, [
      { overrideId: 'cover-1', start: t0 - 4 * HOUR, end: t0 - 2 * HOUR },
      { overrideId: 'cover-2', start: t0 - 2 * HOUR, end: t0 },
      { layerId: 'daily', start: t0, end: t0 + 6 * HOUR },
    ]);
  });

  it('finds window edges the clock jumps over or repeats on DST days', () => {
    // Sunday windows whose edges fall in the DST changes, read by the rule handoffs follow: one opening
    // inside the spring-forward gap (02:30 moves forward by the gap: it opens at 03:30 EDT) and one
    // closing inside the fall-back overlap (at the first 01:30, EDT; the repeated hour does not reopen it).
    const s: Schedule = {
      id: 's',
      timeZone: NY,
      layers: [
        layer('base', ['base']),
        layer('edges', ['edge'], {
          restrictions: [
            { weekday: 7, start: '02:30', end: '04:00' },
            { weekday: 7, start: '00:30', end: '01:30' },
          ],
        }),
      ],
      overrides: [],
    };
    for (const day of [Date.UTC(2026, 2, 8, 4), Date.UTC(2026, 10, 1, 3)]) {
      const list = shifts(s, day, day + 6 * HOUR);
      for (let t = day; t < day + 6 * HOUR; t += MIN) {
        assert.equal(
          ids(list.filter((x) => x.start <= t && t < x.end)),
          ids(onCallAt(s, t)),
          new Date(t).toISOString(),
        );
      }
      for (let t = day; t < day + 6 * HOUR; t += 13 * MIN)
        assert.equal(nextHandoff(s, t, DAY), walkToChange(s, t, t + DAY));
    }
    const fallBack = shifts(s, Date.UTC(2026, 10, 1, 3), Date.UTC(2026, 10, 1, 9)).filter(
      (x) => x.userId === 'edge',
    );
    assert.deepEqual(
      fallBack.map((x) => [new Date(x.start).toISOString(), new Date(x.end).toISOString()]),
      [
        ['2026-11-01T04:30:00.000Z', '2026-11-01T05:30:00.000Z'], // 00:30–01:30 EDT, once
        ['2026-11-01T07:30:00.000Z', '2026-11-01T09:00:00.000Z'], // 02:30–04:00 EST
      ],
    );
    const springForward = shifts(s, Date.UTC(2026, 2, 8, 4), Date.UTC(2026, 2, 8, 10)).filter(
      (x) => x.userId === 'edge',
    );
    assert.deepEqual(
      springForward.map((x) => [new Date(x.start).toISOString(), new Date(x.end).toISOString()]),
      [
        ['2026-03-08T05:30:00.000Z', '2026-03-08T06:30:00.000Z'], // 00:30–01:30 EST
        ['2026-03-08T07:30:00.000Z', '2026-03-08T08:00:00.000Z'], // 02:30 is 03:30 EDT; to 04:00 EDT
      ],
    );
  });

  it('is empty for an empty schedule or an empty range', () => {
    assert.deepEqual(shifts({ id: 's', timeZone: NY, layers: [], overrides: [] }, FROM, TO), []);
    assert.deepEqual(shifts(schedule, TO, FROM), []);
  });

  it('lists 90 days of the 3-layer schedule without gaps or overlaps', () => {
    const long = shifts(schedule, FROM, FROM + 90 * DAY);
    // The weekly bottom layer always has someone, so coverage is broken only by removes.
    const covered = long.reduce((sum, s) => sum + (s.end - s.start), 0);
    assert.ok(covered > 85 * DAY, `${covered / DAY} days covered`);
    for (let t = FROM; t < FROM + 90 * DAY; t += 97 * MIN) {
      assert.equal(
        ids(long.filter((s) => s.start <= t && t < s.end).sort((a, b) => (a.userId < b.userId ? -1 : 1))),
        ids(onCallAt(schedule, t)),
      );
    }
  });
});

/** The first minute after t whose on-call set differs from the set at t, by walking minute by minute. */
function walkToChange(schedule: Schedule, t: number, limit: number): number | null {
  const now = ids(onCallAt(schedule, t));
  for (let m = Math.floor(t / MIN) * MIN + MIN; m <= limit; m += MIN)
    if (ids(onCallAt(schedule, m)) !== now) return m;
  return null;
}

describe('nextHandoff', () => {
  const schedule = bigSchedule(NY, FROM);

  it('equals the first minute where the set changes, from instants all over two weeks', () => {
    let found = 0;
    for (let t = FROM; t < TO; t += 5 * HOUR + 7 * MIN + 30_000) {
      const want = walkToChange(schedule, t, t + 10 * DAY);
      assert.equal(nextHandoff(schedule, t), want, new Date(t).toISOString());
      if (want !== null) found++;
    }
    assert.ok(found > 50);
  });

  it('returns the following handoff when asked exactly at one', () => {
    const first = nextHandoff(schedule, FROM)!;
    const second = nextHandoff(schedule, first)!;
    assert.ok(second > first);
    assert.equal(second, walkToChange(schedule, first, first + 10 * DAY));
  });

  it('is null for an empty schedule and for a set that never changes', () => {
    assert.equal(nextHandoff({ id: 's', timeZone: NY, layers: [], overrides: [] }, FROM), null);
    const solo: Schedule = { id: 's', timeZone: NY, layers: [layer('solo', ['a'])], overrides: [] };
    assert.equal(nextHandoff(solo, FROM), null);
  });

  it('honours the horizon, inclusive of its end', () => {
    const start = FROM + 3 * DAY;
    const s: Schedule = {
      id: 's',
      timeZone: NY,
      layers: [],
      overrides: [{ id: 'o', kind: 'add', userId: 'x', start, end: start + HOUR, createdAt: 0 }],
    };
    assert.equal(nextHandoff(s, FROM), start);
    assert.equal(nextHandoff(s, FROM, 3 * DAY), start);
    assert.equal(nextHandoff(s, FROM, 3 * DAY - 1), null);
    assert.equal(nextHandoff(s, start), start + HOUR);
    // A handoff a year away is still found with the default horizon.
    const far: Schedule = {
      ...s,
      overrides: [{ ...s.overrides[0]!, start: FROM + 300 * DAY, end: FROM + 301 * DAY }],
    };
    assert.equal(nextHandoff(far, FROM), FROM + 300 * DAY);
  });
});
