// The Admin reports' arithmetic: the period asked for, bar lengths, met shares and durations as text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  barLengths,
  durationText,
  metPercent,
  percentText,
  periodQuery,
  reductionText,
} from '../web/report-figures';

describe('report figures', () => {
  it('asks for today and the days before it, and for as many days back to now', () => {
    const now = Date.parse('2026-03-10T08:30:00Z');
    assert.deepEqual(periodQuery(7, now), {
      noise: { from: '2026-03-04', to: '2026-03-10' },
      compliance: { from: '2026-03-03T08:30:00.000Z', to: '2026-03-10T08:30:00.000Z' },
    });
    // One day: today only; across a month's end.
    assert.deepEqual(periodQuery(1, now).noise, { from: '2026-03-10', to: '2026-03-10' });
    assert.equal(periodQuery(14, now).noise.from, '2026-02-25');
  });

  it('scales bars to the largest value, and none when all are empty', () => {
    assert.deepEqual(barLengths([5, 10, 0]), [50, 100, 0]);
    assert.deepEqual(barLengths([1, 3]), [33.3, 100]);
    assert.deepEqual(barLengths([0, 0]), [0, 0]);
    assert.deepEqual(barLengths([]), []);
  });

  it('gives the share met, and none without measurements', () => {
    assert.equal(metPercent(3, 1), 75);
    assert.equal(metPercent(2, 1), 66.7);
    assert.equal(metPercent(0, 4), 0);
    assert.equal(metPercent(0, 0), null);
    assert.equal(percentText(null), 'no data');
    assert.equal(percentText(66.7), '66.7%');
  });

  it('writes durations shortly', () => {
    assert.equal(durationText(null), '–');
    assert.equal(durationText(400), '0 s');
    assert.equal(durationText(45_000), '45 s');
    assert.equal(durationText(59_600), '1 min');
    assert.equal(durationText(12 * 60_000), '12 min');
    assert.equal(durationText(60 * 60_000), '1 h');
    assert.equal(durationText(185 * 60_000), '3 h 5 min');
    assert.equal(durationText(52 * 3_600_000), '2 d 4 h');
    assert.equal(durationText(48 * 3_600_000), '2 d');
  });

  it('writes the noise reduction as a percentage', () => {
    assert.equal(reductionText(null), 'no events');
    assert.equal(reductionText(0.8), '80%');
    assert.equal(reductionText(2 / 3), '66.7%');
  });
});
