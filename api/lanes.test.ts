import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runLanes } from './lanes';

/** A run function whose calls stay pending until released, recording the order they started and how many ran at once. */
function controlled() {
  const started: number[] = [];
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let inFlight = 0;
  let maxInFlight = 0;
  const run = (i: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(i);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      const done = () => inFlight--;
      pending.set(i, { resolve: () => (done(), resolve(`r${i}`)), reject: (e) => (done(), reject(e)) });
    });
  const tick = () => new Promise((r) => setImmediate(r));
  return { run, started, pending, tick, max: () => maxInFlight };
}

it('returns results by index, lanes in order within, and at most `limit` at once', async () => {
  const c = controlled();
  const lanes = [[0, 3], [1], [2, 4, 5], [6], [7]];
  const all = runLanes(lanes, 2, c.run);
  await c.tick();
  assert.deepEqual(c.started, [0, 1], 'two lanes start');
  c.pending.get(0)!.resolve();
  await c.tick();
  assert.deepEqual(c.started, [0, 1, 3], 'the lane goes on with its next event, not a new lane');
  for (const i of [1, 3, 2, 4, 5, 6, 7]) {
    await c.tick();
    c.pending.get(i)!.resolve();
  }
  assert.deepEqual(
    await all,
    [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `r${i}`),
  );
  assert.equal(c.max(), 2);
  const order = (i: number) => c.started.indexOf(i);
  assert.ok(order(0) < order(3) && order(2) < order(4) && order(4) < order(5));
});

it('runs many lanes concurrently up to the limit', async () => {
  const c = controlled();
  const lanes = Array.from({ length: 50 }, (_, i) => [i]);
  const all = runLanes(lanes, 16, c.run);
  await c.tick();
  assert.equal(c.started.length, 16);
  while (c.pending.size > 0) {
    for (const [i, p] of [...c.pending]) {
      c.pending.delete(i);
      p.resolve();
    }
    await c.tick();
  }
  assert.equal((await all).length, 50);
  assert.equal(c.max(), 16);
});

it('fails with the first error, starts nothing after it, and waits for what was running', async () => {
  const c = controlled();
  const all = runLanes([[0, 2], [1, 3], [4]], 2, c.run);
  let settled = false;
  all.catch(() => {}).finally(() => (settled = true));
  await c.tick();
  c.pending.get(0)!.reject(new Error('temporal unavailable'));
  await c.tick();
  assert.equal(settled, false, 'index 1 is still running');
  c.pending.get(1)!.resolve();
  await assert.rejects(all, /temporal unavailable/);
  assert.deepEqual(c.started, [0, 1], 'neither the failed lane nor any other went on');
});

it('returns nothing for no lanes and refuses a limit below one', async () => {
  assert.deepEqual(await runLanes([], 4, async () => 1), []);
  await assert.rejects(
    runLanes([[0]], 0, async () => 1),
    RangeError,
  );
});
