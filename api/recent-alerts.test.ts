import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RecentAlerts } from './recent-alerts';

const clock = () => {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

it('knows an id from its add until ttlMs later, and not from then on', () => {
  const c = clock();
  const recent = new RecentAlerts({ max: 10, ttlMs: 30_000, now: c.now });
  assert.equal(recent.has('alert:a'), false);
  recent.add('alert:a');
  c.advance(29_999);
  assert.equal(recent.has('alert:a'), true);
  c.advance(1);
  assert.equal(recent.has('alert:a'), false);
  assert.equal(recent.size, 0, 'an expired id found by has is dropped');
});

it('refreshes an id on every add', () => {
  const c = clock();
  const recent = new RecentAlerts({ max: 10, ttlMs: 30_000, now: c.now });
  recent.add('alert:a');
  c.advance(20_000);
  recent.add('alert:a');
  c.advance(20_000);
  assert.equal(recent.has('alert:a'), true);
});

it('keeps at most max ids, pushing out the least recently added', () => {
  const c = clock();
  const recent = new RecentAlerts({ max: 3, ttlMs: 60_000, now: c.now });
  for (const id of ['a', 'b', 'c']) recent.add(id);
  recent.add('a'); // a is now the newest
  recent.add('d');
  assert.equal(recent.size, 3);
  assert.deepEqual(
    ['a', 'b', 'c', 'd'].map((id) => recent.has(id)),
    [true, false, true, true],
  );
  for (let i = 0; i < 1_000; i++) recent.add(`x${i}`);
  assert.equal(recent.size, 3);
});

it('sheds expired ids as new ones come, without waiting for max', () => {
  const c = clock();
  const recent = new RecentAlerts({ max: 50_000, ttlMs: 1_000, now: c.now });
  for (let i = 0; i < 100; i++) recent.add(`old${i}`);
  c.advance(1_000);
  recent.add('new');
  assert.equal(recent.size, 1);
});

it('forgets a deleted id', () => {
  const recent = new RecentAlerts({ max: 10, ttlMs: 60_000 });
  recent.add('alert:a');
  recent.delete('alert:a');
  assert.equal(recent.has('alert:a'), false);
});
