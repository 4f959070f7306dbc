// The schedules calendar's per-day time text: midnight is said as "midnight" on the day it belongs to,
// never as 00:00, including on a 23-hour DST day.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayShiftTime, shiftsByDay, type Shift } from '../web/shift-days';
import { daysFrom, timeLabel } from '../web/zoned-time';

const shift = (start: string, end: string): Shift => ({
  user_id: 'u',
  start,
  end,
  layer_id: 'l',
  override_id: null,
});

/** Returns each day's texts for the shifts, shown in `zone` with 24-hour times. */
function texts(from: string, count: number, zone: string, shifts: Shift[]): string[][] {
  const time = (ms: number) => timeLabel(ms, zone);
  return shiftsByDay(daysFrom(Date.parse(from), count, zone), shifts).map(({ day, shifts: parts }) =>
    parts.map((p) => dayShiftTime(p, day, time)),
  );
}

describe('the calendar’s shift times', () => {
  const at = (h: number) => timeLabel(Date.parse(`2026-03-02T${String(h).padStart(2, '0')}:00:00Z`), 'UTC');

  it('says an evening shift ending at midnight ends at midnight, and shows nothing the next day', () => {
    assert.deepEqual(
      texts('2026-03-02T12:00:00Z', 2, 'UTC', [shift('2026-03-02T18:00:00Z', '2026-03-03T00:00:00Z')]),
      [[`${at(18)} until midnight`], []],
    );
  });

  it('says a shift starting at midnight starts at midnight', () => {
    assert.deepEqual(
      texts('2026-03-03T12:00:00Z', 1, 'UTC', [shift('2026-03-03T00:00:00Z', '2026-03-03T06:00:00Z')]),
      [[`from midnight to ${at(6)}`]],
    );
    assert.deepEqual(
      texts('2026-03-03T12:00:00Z', 1, 'UTC', [shift('2026-03-03T00:00:00Z', '2026-03-05T00:00:00Z')]),
      [['from midnight onwards']],
    );
  });

  it('says a day covered from one midnight to the next is all day, whichever way the shift runs on', () => {
    const week = [shift('2026-03-02T09:00:00Z', '2026-03-05T00:00:00Z')];
    assert.deepEqual(texts('2026-03-02T12:00:00Z', 4, 'UTC', week), [
      [`${at(9)} onwards`],
      ['all day'],
      ['until midnight'],
      [],
    ]);
    assert.deepEqual(
      texts('2026-03-02T12:00:00Z', 1, 'UTC', [shift('2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z')]),
      [['all day']],
    );
  });

  it('keeps plain times for a shift inside the day and for the days a shift continues into', () => {
    assert.deepEqual(
      texts('2026-03-02T12:00:00Z', 2, 'UTC', [
        shift('2026-03-02T09:00:00Z', '2026-03-02T17:00:00Z'),
        shift('2026-03-02T20:00:00Z', '2026-03-03T08:00:00Z'),
      ]),
      [[`${at(9)}–${at(17)}`, `${at(20)} onwards`], [`until ${at(8)}`]],
    );
  });

  it('finds midnight by the zone’s own clock on the 23-hour spring-forward day', () => {
    // 8 March 2026 in New York starts at 05:00Z (EST) and ends at 04:00Z on the 9th (EDT).
    const ny = 'America/New_York';
    assert.deepEqual(
      texts('2026-03-08T12:00:00Z', 1, ny, [shift('2026-03-08T22:00:00Z', '2026-03-09T04:00:00Z')]),
      [[`${timeLabel(Date.parse('2026-03-08T22:00:00Z'), ny)} until midnight`]],
    );
    assert.deepEqual(
      texts('2026-03-08T12:00:00Z', 1, ny, [shift('2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z')]),
      [['all day']],
    );
  });
});
