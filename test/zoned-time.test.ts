// The console's zone arithmetic (Intl only) and its per-day calendar rule, across DST changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shiftsByDay } from '../web/shift-days';
import { daysFrom, instantOf, localInputValue, parseLocalInput } from '../web/zoned-time';

const NY = 'America/New_York';

describe('zoned time for the console', () => {
  it('reads a wall-clock time in a zone, moving a skipped one forward and taking a repeated one first', () => {
    assert.equal(new Date(instantOf(2026, 3, 2, 9, 0, NY)).toISOString(), '2026-03-02T14:00:00.000Z');
    // 8 March 2026 02:30 does not exist in New York: clocks jump from 02:00 EST to 03:00 EDT.
    assert.equal(new Date(instantOf(2026, 3, 8, 2, 30, NY)).toISOString(), '2026-03-08T07:30:00.000Z');
    // Just after the jump the offset at the first guess is still EST's: the second round corrects it.
    assert.equal(new Date(instantOf(2026, 3, 8, 3, 30, NY)).toISOString(), '2026-03-08T07:30:00.000Z');
    // 1 November 2026 01:30 happens twice; the first is EDT.
    assert.equal(new Date(instantOf(2026, 11, 1, 1, 30, NY)).toISOString(), '2026-11-01T05:30:00.000Z');
    assert.equal(parseLocalInput('2026-07-01T12:15', 'Asia/Kolkata'), Date.parse('2026-07-01T06:45:00Z'));
    assert.equal(parseLocalInput('', NY), null);
    assert.equal(localInputValue(Date.parse('2026-07-01T06:45:30Z'), 'Asia/Kolkata'), '2026-07-01T12:15');
  });

  it('walks calendar days of a zone, one of them 23 hours long at the spring change', () => {
    const days = daysFrom(Date.parse('2026-03-07T12:00:00Z'), 3, NY);
    assert.deepEqual(
      days.map((d) => [d.key, (d.end - d.start) / 3_600_000]),
      [
        ['2026-03-07', 24],
        ['2026-03-08', 23],
        ['2026-03-09', 24],
      ],
    );
  });

  it('lists each day the parts of the shifts it holds, clipped to the day', () => {
    const days = daysFrom(Date.parse('2026-03-02T12:00:00Z'), 2, 'UTC');
    const shift = {
      user_id: 'u',
      start: '2026-03-02T18:00:00Z',
      end: '2026-03-03T06:00:00Z',
      layer_id: 'l',
      override_id: null,
    };
    const [first, second] = shiftsByDay(days, [shift]);
    assert.deepEqual(
      first!.shifts.map((s) => [s.start, s.end, s.continuesBefore, s.continuesAfter]),
      [[Date.parse(shift.start), Date.parse('2026-03-03T00:00:00Z'), false, true]],
    );
    assert.deepEqual(
      second!.shifts.map((s) => [s.start, s.end, s.continuesBefore, s.continuesAfter]),
      [[Date.parse('2026-03-03T00:00:00Z'), Date.parse(shift.end), true, false]],
    );
  });
});
