// Waiting for a record through the listener's notifications: a wait ends when its id is heard, also when
// it was heard just before the wait began, and ends false at its deadline; waits of other ids stay.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RecordWaits } from '../api/record-waits';

it('wakes the waiter of the id recorded, and only it', async () => {
  const waits = new RecordWaits();
  const a = waits.wait('a', 5_000);
  const b = waits.wait('b', 50);
  waits.recorded('a');
  assert.equal(await a, true);
  assert.equal(await b, false, 'b was never recorded');
  assert.equal(waits.waiters, 0, 'nothing left waiting');
});

it('finds a record committed before its request began to wait', async () => {
  const waits = new RecordWaits();
  waits.recorded('early');
  assert.equal(await waits.wait('early', 10), true);
});

it('wakes every request waiting for one id', async () => {
  const waits = new RecordWaits();
  const both = Promise.all([waits.wait('x', 5_000), waits.wait('x', 5_000)]);
  waits.recorded('x');
  assert.deepEqual(await both, [true, true]);
});
