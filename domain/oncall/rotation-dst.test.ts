import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { layerShiftAt } from './rotation';
import type { Layer, RotationType } from './types';

const NY = 'America/New_York';
const HOUR = 3_600_000;

function layer(
  start: string,
  type: RotationType = 'daily',
  length = 1,
  participants = ['a', 'b', 'c'],
): Layer {
  return { id: 'l', name: 'l', rotation: { type, length }, start, participants, restrictions: [] };
}

/** Local ISO with offset, minute precision: what a person would read on the wall. */
function local(t: number, zone: string): string {
  return DateTime.fromMillis(t, { zone }).toFormat("yyyy-MM-dd'T'HH:mmZZ");
}

function at(iso: string): number {
  const t = Date.parse(iso);
  assert.ok(Number.isFinite(t), iso);
  return t;
}

function shiftAt(l: Layer, zone: string, iso: string) {
  const s = layerShiftAt(l, zone, at(iso));
  assert.ok(s, `no shift at ${iso}`);
  return { ...s, from: local(s.start, zone), to: local(s.end, zone), hours: (s.end - s.start) / HOUR };
}

describe('daily handoff at 02:30 in America/New_York', () => {
  const l = layer('2026-03-01T02:30');

  it('moves forward by the gap on the spring-forward day, making that shift 23 hours', () => {
    const s = shiftAt(l, NY, '2026-03-08T12:00:00-04:00');
    assert.equal(s.from, '2026-03-08T03:30-04:00');
    assert.equal(s.to, '2026-03-09T02:30-04:00');
    assert.equal(s.hours, 23);
    assert.equal(s.index, 7);
    assert.equal(s.userId, 'b');
    // 03:00 EDT is after the missing 02:30 but before the shifted handoff: still the previous shift.
    const before = shiftAt(l, NY, '2026-03-08T03:29:59.999-04:00');
    assert.deepEqual([before.index, before.from, before.hours], [6, '2026-03-07T02:30-05:00', 24]);
  });

  it('keeps 02:30 on the fall-back day, making the shift across it 25 hours', () => {
    const s = shiftAt(l, NY, '2026-11-01T02:00:00-05:00');
    assert.deepEqual([s.from, s.to, s.hours], ['2026-10-31T02:30-04:00', '2026-11-01T02:30-05:00', 25]);
    const next = shiftAt(l, NY, '2026-11-01T02:30:00-05:00');
    assert.deepEqual([next.from, next.hours, next.index], ['2026-11-01T02:30-05:00', 24, s.index + 1]);
  });
});

describe('a handoff inside the fall-back overlap', () => {
  const l = layer('2026-10-01T01:30');

  it('takes the first (daylight-time) 01:30 and does not hand off again at the second', () => {
    const s = shiftAt(l, NY, '2026-11-01T01:30:00-04:00');
    assert.deepEqual([s.from, s.to, s.hours], ['2026-11-01T01:30-04:00', '2026-11-02T01:30-05:00', 25]);
    assert.equal(shiftAt(l, NY, '2026-11-01T01:29:59.999-04:00').index, s.index - 1);
    assert.equal(shiftAt(l, NY, '2026-11-01T01:30:00-05:00').index, s.index);
    assert.equal(shiftAt(l, NY, '2026-11-01T01:45:00-05:00').index, s.index);
  });
});

describe('a 09:00 handoff', () => {
  for (const [type, length] of [
    ['daily', 1],
    ['weekly', 1],
    ['daily', 3],
  ] as const) {
    it(`stays at 09:00 local on both sides of both changes (${type} × ${length})`, () => {
      const l = layer('2026-01-04T09:00', type, length);
      const hours = new Set<number>();
      for (let t = at('2026-01-04T14:00:00Z'); t < at('2027-01-04T00:00:00Z');) {
        const s = layerShiftAt(l, NY, t)!;
        const start = DateTime.fromMillis(s.start, { zone: NY });
        assert.equal(start.toFormat('HH:mm'), '09:00', local(s.start, NY));
        if (type === 'weekly') assert.equal(start.weekday, 7); // 2026-01-04 is a Sunday
        hours.add((s.end - s.start) / HOUR);
        t = s.end;
      }
      // Exactly the two DST shifts differ from the plain length, by one hour each way.
      const plain = 24 * length * (type === 'weekly' ? 7 : 1);
      assert.deepEqual(
        [...hours].sort((a, b) => a - b),
        [plain - 1, plain, plain + 1],
      );
    });
  }
});

describe('the layer start itself in a gap or an overlap', () => {
  it('starts a gap start after the gap, and later handoffs use the configured time', () => {
    const l = layer('2026-03-08T02:30');
    assert.equal(layerShiftAt(l, NY, at('2026-03-08T03:29:59.999-04:00')), null);
    const s = shiftAt(l, NY, '2026-03-08T03:30:00-04:00');
    assert.deepEqual(
      [s.index, s.from, s.to, s.hours, s.userId],
      [0, '2026-03-08T03:30-04:00', '2026-03-09T02:30-04:00', 23, 'a'],
    );
  });

  it('starts an overlap start at its first occurrence', () => {
    const l = layer('2026-11-01T01:30');
    assert.equal(layerShiftAt(l, NY, at('2026-11-01T01:29:59.999-04:00')), null);
    const s = shiftAt(l, NY, '2026-11-01T01:30:00-04:00');
    assert.deepEqual([s.index, s.from, s.hours], [0, '2026-11-01T01:30-04:00', 25]);
  });
});

describe('Australia/Lord_Howe (30-minute DST)', () => {
  const LH = 'Australia/Lord_Howe';

  it('makes the 09:00 shift 24.5 hours at fall-back and 23.5 at spring-forward', () => {
    const l = layer('2026-03-01T09:00');
    const back = shiftAt(l, LH, '2026-04-05T03:00:00+10:30');
    assert.deepEqual(
      [back.from, back.to, back.hours],
      ['2026-04-04T09:00+11:00', '2026-04-05T09:00+10:30', 24.5],
    );
    const fwd = shiftAt(l, LH, '2026-10-04T03:00:00+11:00');
    assert.deepEqual(
      [fwd.from, fwd.to, fwd.hours],
      ['2026-10-03T09:00+10:30', '2026-10-04T09:00+11:00', 23.5],
    );
  });

  it('moves 02:15 in the 30-minute gap to 02:45 and takes the first 01:45 of the overlap', () => {
    const gap = shiftAt(layer('2026-09-01T02:15'), LH, '2026-10-04T12:00:00+11:00');
    assert.deepEqual([gap.from, gap.hours], ['2026-10-04T02:45+11:00', 23.5]);
    const overlap = shiftAt(layer('2026-03-01T01:45'), LH, '2026-04-05T12:00:00+10:30');
    assert.deepEqual([overlap.from, overlap.hours], ['2026-04-05T01:45+11:00', 24.5]);
  });
});

describe('elapsed-time rotations', () => {
  it('advances hourly shifts in absolute hours across the gap', () => {
    const l = layer('2026-03-08T00:00', 'hourly', 1);
    const s = shiftAt(l, NY, '2026-03-08T03:30:00-04:00');
    assert.deepEqual([s.index, s.from, s.hours], [2, '2026-03-08T03:00-04:00', 1]);
  });

  it('advances custom 7-hour shifts in absolute hours across the overlap', () => {
    const l = layer('2026-11-01T00:00', 'custom', 7);
    const s = shiftAt(l, NY, '2026-11-01T05:00:00-05:00');
    assert.deepEqual(
      [s.index, s.from, s.to, s.hours, s.userId],
      [0, '2026-11-01T00:00-04:00', '2026-11-01T06:00-05:00', 7, 'a'],
    );
  });
});

describe('calendar edges and bad input', () => {
  it('counts the leap day as a day', () => {
    const l = layer('2028-02-28T09:00');
    assert.deepEqual(
      [shiftAt(l, NY, '2028-02-29T10:00:00-05:00').index, shiftAt(l, NY, '2028-03-01T10:00:00-05:00').index],
      [1, 2],
    );
    const w = shiftAt(layer('2028-02-22T09:00', 'weekly'), NY, '2028-03-01T10:00:00-05:00');
    assert.equal(w.from, '2028-02-29T09:00-05:00');
  });

  it('finds a shift far from the start without drifting', () => {
    const s = shiftAt(layer('2000-01-01T09:00', 'daily', 2), 'Europe/London', '2030-06-15T12:00:00+01:00');
    assert.equal(s.from.slice(11), '09:00+01:00');
    assert.equal(s.hours, 48);
  });

  it('returns null with no participants or before the start', () => {
    assert.equal(
      layerShiftAt(layer('2026-01-01T09:00', 'daily', 1, []), NY, at('2026-06-01T00:00:00Z')),
      null,
    );
    assert.equal(layerShiftAt(layer('2026-01-01T09:00'), NY, at('2026-01-01T13:59:59.999Z')), null);
    assert.equal(layerShiftAt(layer('2026-01-01T09:00'), NY, at('2026-01-01T14:00:00Z'))?.index, 0);
  });

  it('refuses an unknown zone, a malformed or impossible start, and a non-positive or fractional length', () => {
    const t = at('2026-06-01T00:00:00Z');
    assert.throws(() => layerShiftAt(layer('2026-01-01T09:00'), 'Mars/Olympus', t), RangeError);
    for (const start of ['2026-02-30T09:00', '2026-01-01 09:00', '2026-01-01T24:00', '2026-01-01T09:00:00']) {
      assert.throws(() => layerShiftAt(layer(start), NY, t), RangeError, start);
    }
    for (const length of [0, -1, 1.5])
      assert.throws(() => layerShiftAt(layer('2026-01-01T09:00', 'custom', length), NY, t), RangeError);
  });
});
