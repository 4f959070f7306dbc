import assert from 'node:assert/strict';
import { it } from 'node:test';
import { collapseRepeats, deliveryLanes } from './delivery-order';

it('gives every distinct key its own lane, in order of first appearance', () => {
  assert.deepEqual(deliveryLanes(['a', 'b', 'c']), [[0], [1], [2]]);
});

it('keeps the events of one key in one lane, in the order they came', () => {
  // A trigger and its resolve of fingerprint "a", with "b" firing between them.
  assert.deepEqual(deliveryLanes(['a', 'b', 'a']), [[0, 2], [1]]);
  assert.deepEqual(deliveryLanes(['a', 'a', 'a', 'a']), [[0, 1, 2, 3]]);
});

it('orders lanes by their first event even when a later key repeats more often', () => {
  assert.deepEqual(deliveryLanes(['x', 'y', 'y', 'x', 'z', 'y']), [[0, 3], [1, 2, 5], [4]]);
});

it('never joins events without a key: each is its own alert or reaches none', () => {
  assert.deepEqual(deliveryLanes([undefined, 'a', undefined, 'a']), [[0], [1, 3], [2]]);
});

it('treats keys as exact strings', () => {
  assert.deepEqual(deliveryLanes(['A', 'a', 'a ', '']), [[0], [1], [2], [3]]);
  assert.deepEqual(deliveryLanes(['', '']), [[0, 1]]);
});

it('returns no lanes for no events, and every index exactly once', () => {
  assert.deepEqual(deliveryLanes([]), []);
  const keys = Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? undefined : `k${i % 13}`));
  const lanes = deliveryLanes(keys);
  assert.deepEqual(
    lanes.flat().sort((a, b) => a - b),
    keys.map((_, i) => i),
  );
  for (const lane of lanes) {
    assert.deepEqual(
      [...lane].sort((a, b) => a - b),
      lane,
      'a lane keeps arrival order',
    );
    assert.equal(new Set(lane.map((i) => keys[i])).size, 1, 'a lane holds one key');
  }
});

it('collapses consecutive triggers of a lane into one delivery, keeping an acknowledge or resolve between them apart', () => {
  const actions = ['trigger', 'trigger', 'trigger', 'resolve', 'trigger', 'acknowledge', 'acknowledge'];
  assert.deepEqual(
    collapseRepeats([0, 1, 2, 3, 4, 5, 6], (i) => actions[i] === 'trigger'),
    [[0, 1, 2], [3], [4], [5], [6]],
  );
  assert.deepEqual(collapseRepeats([], () => true), []);
});
