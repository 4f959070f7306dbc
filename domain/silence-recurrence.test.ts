import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { occurrences, recurrenceProblem, upcomingOccurrences, type Recurrence } from './silence-recurrence';

const sunday: Recurrence = {
  weekdays: [7],
  start: '02:00',
  durationMinutes: 120,
  timeZone: 'America/New_York',
};
const range = { startsAt: Date.parse('2026-01-01T00:00:00Z'), endsAt: Date.parse('2027-01-01T00:00:00Z') };
const iso = (w: { startsAt: number; endsAt: number }) => [
  new Date(w.startsAt).toISOString(),
  new Date(w.endsAt).toISOString(),
];
const sundayOf = (day: string) =>
  occurrences(sunday, range, Date.parse(`${day}T00:00:00Z`), Date.parse(`${day}T23:59:59Z`)).map(iso);

describe('recurring silences', () => {
  it('a Sunday 02:00–04:00 silence in New York is 02:00–04:00 local on an ordinary Sunday', () => {
    assert.deepEqual(sundayOf('2026-03-01'), [['2026-03-01T07:00:00.000Z', '2026-03-01T09:00:00.000Z']]);
    assert.deepEqual(sundayOf('2026-03-15'), [['2026-03-15T06:00:00.000Z', '2026-03-15T08:00:00.000Z']]);
  });
  it('on the spring-forward Sunday (2026-03-08) 02:00 does not exist: it holds 03:00–04:00 EDT', () => {
    assert.deepEqual(sundayOf('2026-03-08'), [['2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z']]);
  });
  it('on the fall-back Sunday (2026-11-01) it holds 02:00–04:00 EST, two hours after the repeated hour', () => {
    assert.deepEqual(sundayOf('2026-11-01'), [['2026-11-01T07:00:00.000Z', '2026-11-01T09:00:00.000Z']]);
    assert.deepEqual(sundayOf('2026-10-25'), [['2026-10-25T06:00:00.000Z', '2026-10-25T08:00:00.000Z']]);
  });
  it('a start in the repeated hour (01:30 on 2026-11-01) is its first occurrence, daylight time', () => {
    const r = { ...sunday, start: '01:30', durationMinutes: 60 };
    const got = occurrences(
      r,
      range,
      Date.parse('2026-11-01T00:00:00Z'),
      Date.parse('2026-11-02T00:00:00Z'),
    ).map(iso);
    // 01:30 EDT = 05:30Z; the wall end 02:30 is EST = 07:30Z.
    assert.deepEqual(got, [['2026-11-01T05:30:00.000Z', '2026-11-01T07:30:00.000Z']]);
  });
  it('lists the occurrence holding now and the next ones, clipped to the silence range', () => {
    const now = Date.parse('2026-03-08T07:30:00Z');
    const next = upcomingOccurrences(sunday, range, now, 3).map(iso);
    assert.deepEqual(next, [
      ['2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z'],
      ['2026-03-15T06:00:00.000Z', '2026-03-15T08:00:00.000Z'],
      ['2026-03-22T06:00:00.000Z', '2026-03-22T08:00:00.000Z'],
    ]);
    const short = { startsAt: range.startsAt, endsAt: Date.parse('2026-03-15T07:00:00Z') };
    assert.deepEqual(upcomingOccurrences(sunday, short, now).map(iso), [
      ['2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z'],
      ['2026-03-15T06:00:00.000Z', '2026-03-15T07:00:00.000Z'],
    ]);
    assert.deepEqual(upcomingOccurrences(sunday, range, Date.parse('2027-01-02T00:00:00Z')), []);
  });
  it('several weekdays, and an occurrence past midnight into the next day', () => {
    const r: Recurrence = { weekdays: [6, 7], start: '23:00', durationMinutes: 120, timeZone: 'UTC' };
    const got = occurrences(
      r,
      range,
      Date.parse('2026-03-07T00:00:00Z'),
      Date.parse('2026-03-09T00:00:00Z'),
    ).map(iso);
    assert.deepEqual(got, [
      ['2026-03-07T23:00:00.000Z', '2026-03-08T01:00:00.000Z'],
      ['2026-03-08T23:00:00.000Z', '2026-03-09T01:00:00.000Z'],
    ]);
  });
  it('refuses a bad start time or zone, naming the field', () => {
    assert.equal(recurrenceProblem({ ...sunday, start: '24:00' })?.field, 'start');
    assert.equal(recurrenceProblem({ ...sunday, start: '2:00' })?.field, 'start');
    assert.equal(recurrenceProblem({ ...sunday, timeZone: 'Mars/Olympus' })?.field, 'timeZone');
    assert.equal(recurrenceProblem(sunday), null);
  });
});
