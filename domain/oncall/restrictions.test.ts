import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { inRestriction } from './restrictions';
import { MIN, referenceInRestriction } from './reference.test-helpers';
import { onCallAt } from './schedule';
import type { Layer, Restriction, Schedule } from './types';

const NY = 'America/New_York';

function layer(restrictions: Restriction[], id = 'l', participants = ['a']): Layer {
  return {
    id,
    name: id,
    rotation: { type: 'weekly', length: 1 },
    start: '2026-01-05T00:00',
    participants,
    restrictions,
  };
}

/** Checks inRestriction at local wall times (week of 2026-06-15, Monday) against the expected answers. */
function expectAt(l: Layer, cases: [string, boolean][]): void {
  for (const [wall, want] of cases) {
    const t = DateTime.fromISO(wall, { zone: NY }).toMillis();
    assert.equal(
      inRestriction(l, NY, t),
      want,
      `${wall} ${DateTime.fromMillis(t, { zone: NY }).toFormat('ccc')}`,
    );
  }
}

const businessHours = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));

describe('inRestriction', () => {
  it('is always true without restrictions', () => {
    expectAt(layer([]), [
      ['2026-06-20T03:00', true],
      ['2026-06-15T12:00', true],
    ]);
  });

  it('covers business hours Monday to Friday, start inclusive and end exclusive', () => {
    expectAt(layer(businessHours), [
      ['2026-06-15T08:59:59.999', false],
      ['2026-06-15T09:00', true],
      ['2026-06-15T16:59:59.999', true],
      ['2026-06-15T17:00', false],
      ['2026-06-19T12:00', true],
      ['2026-06-20T12:00', false],
      ['2026-06-21T12:00', false],
    ]);
  });

  it('runs an overnight window past midnight into the next day', () => {
    expectAt(layer([{ weekday: 5, start: '22:00', end: '06:00' }]), [
      ['2026-06-19T21:59', false],
      ['2026-06-19T22:00', true],
      ['2026-06-20T00:00', true],
      ['2026-06-20T05:59', true],
      ['2026-06-20T06:00', false],
      ['2026-06-20T22:00', false],
      ['2026-06-19T03:00', false], // Friday morning belongs to Thursday's night, which has no window
    ]);
  });

  it("wraps Sunday's overnight window into Monday", () => {
    expectAt(layer([{ weekday: 7, start: '22:00', end: '02:00' }]), [
      ['2026-06-21T23:00', true],
      ['2026-06-22T01:59', true],
      ['2026-06-22T02:00', false],
      ['2026-06-15T01:00', true],
    ]);
  });

  it("treats '24:00' as the end of the day and start = end as a full 24 hours", () => {
    expectAt(layer([{ weekday: 3, start: '18:00', end: '24:00' }]), [
      ['2026-06-17T17:59', false],
      ['2026-06-17T23:59:59.999', true],
      ['2026-06-18T00:00', false],
    ]);
    expectAt(layer([{ weekday: 2, start: '12:00', end: '12:00' }]), [
      ['2026-06-16T11:59', false],
      ['2026-06-16T12:00', true],
      ['2026-06-17T11:59', true],
      ['2026-06-17T12:00', false],
    ]);
  });

  it('reads window edges by the handoff rule across DST: forward by the gap, the first of a repeated time', () => {
    /** The minutes the window is open on a day, as [first open minute, last open minute + 1] stretches. */
    const openStretches = (l: Layer, from: string, to: string) => {
      const out: [string, string][] = [];
      for (let t = Date.parse(from); t < Date.parse(to); t += MIN) {
        if (!inRestriction(l, NY, t)) continue;
        const last = out.at(-1);
        if (last && Date.parse(last[1]) === t) last[1] = new Date(t + MIN).toISOString();
        else out.push([new Date(t).toISOString(), new Date(t + MIN).toISOString()]);
      }
      return out;
    };
    const spring = ['2026-03-08T04:00:00Z', '2026-03-08T10:00:00Z'] as const;
    // Wholly inside the gap (02:00–03:00 EST does not exist): both edges move an hour, it opens late.
    assert.deepEqual(openStretches(layer([{ weekday: 7, start: '02:10', end: '02:50' }]), ...spring), [
      ['2026-03-08T07:10:00.000Z', '2026-03-08T07:50:00.000Z'],
    ]);
    // Exactly the gap: 02:00 is 03:00 EDT, and so is 03:00: it covers no time that day.
    assert.deepEqual(openStretches(layer([{ weekday: 7, start: '02:00', end: '03:00' }]), ...spring), []);
    const fall = ['2026-11-01T03:00:00Z', '2026-11-01T09:00:00Z'] as const;
    // Inside the repeated hour: its first pass (EDT) only.
    assert.deepEqual(openStretches(layer([{ weekday: 7, start: '01:15', end: '01:45' }]), ...fall), [
      ['2026-11-01T05:15:00.000Z', '2026-11-01T05:45:00.000Z'],
    ]);
    // Ending after it: from the first 01:00 to 02:00 EST, both passes, two real hours.
    assert.deepEqual(openStretches(layer([{ weekday: 7, start: '01:00', end: '02:00' }]), ...fall), [
      ['2026-11-01T05:00:00.000Z', '2026-11-01T07:00:00.000Z'],
    ]);
  });

  it('agrees with the reference every minute for three weeks around spring-forward', () => {
    const l = layer([
      ...businessHours,
      { weekday: 6, start: '23:00', end: '02:30' },
      { weekday: 7, start: '01:30', end: '24:00' },
      { weekday: 3, start: '00:00', end: '00:00' },
    ]);
    let inside = 0;
    for (let t = Date.parse('2026-02-25T00:00:00Z'); t < Date.parse('2026-03-18T00:00:00Z'); t += MIN) {
      const want = referenceInRestriction(l.restrictions, NY, t);
      if (inRestriction(l, NY, t) !== want) assert.fail(`${new Date(t).toISOString()}: want ${want}`);
      if (want) inside++;
    }
    assert.ok(inside > 10_000 && inside < 25_000, `inside ${inside} minutes`);
  });

  it('refuses bad weekdays and times', () => {
    for (const r of [
      { weekday: 0, start: '09:00', end: '17:00' },
      { weekday: 8, start: '09:00', end: '17:00' },
      { weekday: 1, start: '24:00', end: '17:00' },
      { weekday: 1, start: '9:00', end: '17:00' },
      { weekday: 1, start: '09:00', end: '24:01' },
    ]) {
      assert.throws(() => inRestriction(layer([r]), NY, 0), RangeError, JSON.stringify(r));
    }
  });
});

describe('restricted layers in onCallAt', () => {
  it('lets a lower layer answer outside the higher layer’s windows', () => {
    const schedule: Schedule = {
      id: 's',
      timeZone: NY,
      layers: [layer([], 'base', ['night']), layer(businessHours, 'day', ['day'])],
      overrides: [],
    };
    const who = (wall: string) => onCallAt(schedule, DateTime.fromISO(wall, { zone: NY }).toMillis());
    assert.deepEqual(who('2026-06-15T10:00'), [{ userId: 'day', layerId: 'day' }]);
    assert.deepEqual(who('2026-06-15T18:00'), [{ userId: 'night', layerId: 'base' }]);
    assert.deepEqual(who('2026-06-20T10:00'), [{ userId: 'night', layerId: 'base' }]);
  });
});
