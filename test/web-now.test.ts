// The Now page's rules: who is on call and the next handoff from a schedule's shifts, a person's own
// stretches on call, and relative times.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { myStretches, nextHandoff, onCallAt, type ShiftSpan } from '../web/on-call-now';

const H = 3_600_000;
const T0 = Date.parse('2026-03-02T09:00:00Z');
const at = (hours: number) => new Date(T0 + hours * H).toISOString();
const shift = (user: string, from: number, to: number): ShiftSpan => ({
  user_id: user,
  start: at(from),
  end: at(to),
});

describe('who is on call now and next', () => {
  const rotation = [shift('ann', -24, 0), shift('ben', 0, 24), shift('ann', 24, 48)];

  it('names who covers an instant, start inclusive and end exclusive, each once', () => {
    assert.deepEqual(onCallAt(rotation, T0 - 1), ['ann']);
    assert.deepEqual(onCallAt(rotation, T0), ['ben']);
    assert.deepEqual(onCallAt([shift('ann', 0, 5), shift('ann', 1, 2), shift('cy', 1, 3)], T0 + H), [
      'ann',
      'cy',
    ]);
    assert.deepEqual(onCallAt([], T0), []);
  });

  it('finds the next boundary where the people change, with who takes over', () => {
    assert.deepEqual(nextHandoff(rotation, T0 + H, T0 + 100 * H), { at: T0 + 24 * H, userIds: ['ann'] });
    // On the boundary itself the next one is the following handoff.
    assert.deepEqual(nextHandoff(rotation, T0, T0 + 100 * H), { at: T0 + 24 * H, userIds: ['ann'] });
  });

  it('skips boundaries where the same people go on (back-to-back shifts of one person, an overlap ending)', () => {
    const shifts = [shift('ann', 0, 8), shift('ann', 8, 16), shift('cy', 4, 6), shift('ben', 16, 24)];
    // At 2 h ann alone; cy joins at 4 h: that is a change.
    assert.deepEqual(nextHandoff(shifts, T0 + 2 * H, T0 + 48 * H), {
      at: T0 + 4 * H,
      userIds: ['ann', 'cy'],
    });
    // From 6 h (ann alone again) the 8 h boundary changes nothing; ben at 16 h does.
    assert.deepEqual(nextHandoff(shifts, T0 + 6 * H, T0 + 48 * H), { at: T0 + 16 * H, userIds: ['ben'] });
  });

  it('reports a gap as nobody, and ignores the end of the range asked for', () => {
    const shifts = [shift('ann', 0, 8), shift('ben', 10, 20)];
    assert.deepEqual(nextHandoff(shifts, T0 + H, T0 + 20 * H), { at: T0 + 8 * H, userIds: [] });
    // Everything ends at `until` because the shifts were asked for up to there: not a handoff.
    assert.equal(nextHandoff([shift('ann', 0, 20)], T0 + H, T0 + 20 * H), null);
    assert.equal(nextHandoff([], T0, T0 + H), null);
    // Nobody on call now, someone later.
    assert.deepEqual(nextHandoff(shifts, T0 + 9 * H, T0 + 20 * H), { at: T0 + 10 * H, userIds: ['ben'] });
  });
});

describe('my next shifts', () => {
  const mine = (schedule: string, from: number, to: number) => ({
    schedule_id: `id-${schedule}`,
    schedule,
    start: at(from),
    end: at(to),
  });

  it('joins touching and overlapping shifts of one schedule, not of different ones, soonest first', () => {
    const stretches = myStretches(
      [mine('db', 30, 40), mine('web', 2, 4), mine('web', 4, 6), mine('web', 5, 7), mine('db', 6, 8)],
      T0,
    );
    assert.deepEqual(
      stretches.map((s) => [s.schedule, (s.start - T0) / H, (s.end - T0) / H, s.current]),
      [
        ['web', 2, 7, false],
        ['db', 6, 8, false],
        ['db', 30, 40, false],
      ],
    );
  });

  it('marks the running stretch current, drops ended ones, and keeps at most the limit', () => {
    const stretches = myStretches(
      [mine('web', -5, -1), mine('web', -1, 3), mine('db', 10, 12), mine('db', 20, 22)],
      T0,
      2,
    );
    assert.deepEqual(
      stretches.map((s) => [s.schedule, (s.start - T0) / H, s.current]),
      [
        ['web', -5, true],
        ['db', 10, false],
      ],
    );
    assert.deepEqual(myStretches([mine('web', -5, 0)], T0), [], 'ended at now');
    // Cut at the server's now, a little ahead of ours: still the running one, within the slack only.
    const cut = [{ ...mine('web', 0, 3), start: new Date(T0 + 2_000).toISOString() }];
    assert.equal(myStretches(cut, T0, 5, 60_000)[0]?.current, true);
    assert.equal(myStretches(cut, T0)[0]?.current, false);
    assert.deepEqual(myStretches([], T0), []);
  });
});
