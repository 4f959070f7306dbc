import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, summarize } from './stats';

const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe('percentile', () => {
  it('takes the nearest rank: p50 of 1..100 is 50, p99 is 99, p100 is the maximum', () => {
    assert.equal(percentile(oneToHundred, 50), 50);
    assert.equal(percentile(oneToHundred, 99), 99);
    assert.equal(percentile(oneToHundred, 100), 100);
    assert.equal(percentile(oneToHundred, 0), 1);
    assert.equal(percentile(oneToHundred, 0.5), 1);
    assert.equal(percentile(oneToHundred, 99.5), 100);
  });

  it('is always one of the values, never an interpolation', () => {
    assert.equal(percentile([10, 20], 50), 10);
    assert.equal(percentile([10, 20], 51), 20);
    assert.equal(percentile([10, 20, 30, 40], 75), 30);
  });

  it('gives the maximum as p99 when there are fewer than 100 values', () => {
    assert.equal(percentile([5, 1, 9, 3], 99), 9);
    assert.equal(
      percentile(
        Array.from({ length: 50 }, (_, i) => i),
        99,
      ),
      49,
    );
  });

  it('sorts numerically without touching its input', () => {
    const values = [100, 9, 20, 3];
    assert.equal(percentile(values, 50), 9);
    assert.deepEqual(values, [100, 9, 20, 3]);
  });

  it('has no percentile of nothing, and refuses p outside 0..100', () => {
    assert.equal(percentile([], 50), undefined);
    assert.throws(() => percentile([1], 101), RangeError);
    assert.throws(() => percentile([1], -1), RangeError);
    assert.throws(() => percentile([1], Number.NaN), RangeError);
  });
});

describe('summarize', () => {
  it('reports count, min, p50, p99, max and mean', () => {
    assert.deepEqual(summarize(oneToHundred), { count: 100, min: 1, p50: 50, p99: 99, max: 100, mean: 50.5 });
    assert.deepEqual(summarize([7]), { count: 1, min: 7, p50: 7, p99: 7, max: 7, mean: 7 });
  });

  it('is undefined for no values', () => {
    assert.equal(summarize([]), undefined);
  });
});
