import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { TriggerRepeat } from '../workflows/messages';
import { RepeatBatcher } from './repeat-batcher';

const repeat = (n: number): TriggerRepeat => ({ eventId: `e${n}`, summary: `s${n}`, source: 'x', severity: 'high', acceptedAt: n });

/** A send that holds each signal until released, recording what it was given. */
function heldSend(open = true) {
  const sent: { workflowId: string; repeat: TriggerRepeat }[] = [];
  const releases: (() => void)[] = [];
  const send = (workflowId: string, r: TriggerRepeat) =>
    new Promise<boolean>((resolve) => {
      sent.push({ workflowId, repeat: r });
      releases.push(() => resolve(open));
    });
  return { sent, send, release: () => releases.shift()!() };
}

it('sends a lone repeat at once, as it is', async () => {
  const s = heldSend();
  const batcher = new RepeatBatcher(s.send);
  const done = batcher.deliver('alert:a', repeat(1));
  assert.deepEqual(s.sent, [{ workflowId: 'alert:a', repeat: repeat(1) }]);
  s.release();
  assert.equal(await done, true);
});

it('sends the repeats that arrive while a signal is in flight as one, counting them, dated by the first', async () => {
  const s = heldSend();
  const batcher = new RepeatBatcher(s.send);
  const first = batcher.deliver('alert:a', repeat(1));
  const later = [2, 3, 4].map((n) => batcher.deliver('alert:a', repeat(n)));
  assert.equal(s.sent.length, 1, 'nothing more goes out while the first is in flight');
  s.release();
  await first;
  await new Promise((r) => setImmediate(r));
  assert.equal(s.sent.length, 2);
  assert.deepEqual(s.sent[1]!.repeat, { ...repeat(2), summary: 's4', count: 3 });
  let settled = false;
  void Promise.all(later).then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false, 'no caller answers before the signal carrying its repeat returned');
  s.release();
  assert.deepEqual(await Promise.all(later), [true, true, true]);
});

it('keeps alerts apart, and tells every waiter when the alert turned out closed', async () => {
  const s = heldSend(false);
  const batcher = new RepeatBatcher(s.send);
  const a = batcher.deliver('alert:a', repeat(1));
  const b = batcher.deliver('alert:b', repeat(2));
  const a2 = batcher.deliver('alert:a', repeat(3));
  assert.deepEqual(s.sent.map((x) => x.workflowId), ['alert:a', 'alert:b']);
  s.release();
  s.release();
  assert.equal(await a, false);
  assert.equal(await b, false);
  await new Promise((r) => setImmediate(r));
  s.release();
  assert.equal(await a2, false);
});

it('rejects every waiter of a batch whose signal failed', async () => {
  let calls = 0;
  const batcher = new RepeatBatcher(async () => {
    calls += 1;
    if (calls === 1) await new Promise((r) => setTimeout(r, 5));
    else throw new Error('temporal unreachable');
    return true;
  });
  const first = batcher.deliver('alert:a', repeat(1));
  const waiting = [batcher.deliver('alert:a', repeat(2)), batcher.deliver('alert:a', repeat(3))];
  assert.equal(await first, true);
  for (const w of waiting) await assert.rejects(w, /temporal unreachable/);
});
