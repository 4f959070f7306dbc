import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOUR } from './reference.test-helpers';
import { onCallAt } from './schedule';
import type { Override, Schedule } from './types';

const T0 = Date.UTC(2026, 5, 15, 12); // inside layer shift 0 (user a), which runs to 2026-06-16 00:00 UTC

function schedule(overrides: Override[], participants = ['a', 'b', 'c']): Schedule {
  return {
    id: 's',
    timeZone: 'UTC',
    layers: [
      {
        id: 'L',
        name: 'L',
        rotation: { type: 'daily', length: 1 },
        start: '2026-06-15T00:00',
        participants,
        restrictions: [],
      },
    ],
    overrides,
  };
}

let nextId = 0;
function o(kind: Override['kind'], fields: Partial<Override> = {}): Override {
  return { id: `o${++nextId}`, kind, start: T0 - HOUR, end: T0 + HOUR, createdAt: 0, ...fields };
}

const ids = (s: Schedule, t = T0) => onCallAt(s, t).map((e) => e.userId);

describe('override kinds', () => {
  it('starts from the layer alone', () => {
    assert.deepEqual(onCallAt(schedule([]), T0), [{ userId: 'a', layerId: 'L' }]);
  });

  it('replace with replaces swaps that user, carrying the override id and no layer id', () => {
    const r = o('replace', { userId: 'x', replaces: 'a' });
    assert.deepEqual(onCallAt(schedule([r]), T0), [{ userId: 'x', overrideId: r.id }]);
  });

  it('replace with replaces does nothing when that user is not on call', () => {
    assert.deepEqual(ids(schedule([o('replace', { userId: 'x', replaces: 'b' })])), ['a']);
  });

  it('replace without replaces makes the user the only one on call', () => {
    const s = schedule([o('add', { userId: 'y', start: T0 - 2 * HOUR }), o('replace', { userId: 'x' })]);
    assert.deepEqual(ids(s, T0 - 90 * 60_000), ['a', 'y']);
    assert.deepEqual(ids(s), ['x']);
  });

  it('add adds without duplicating someone already on call', () => {
    const add = o('add', { userId: 'y' });
    assert.deepEqual(onCallAt(schedule([add]), T0), [
      { userId: 'a', layerId: 'L' },
      { userId: 'y', overrideId: add.id },
    ]);
    // a stays once, and keeps the layer as the reason.
    assert.deepEqual(onCallAt(schedule([o('add', { userId: 'a' })]), T0), [{ userId: 'a', layerId: 'L' }]);
  });

  it('add fills an empty schedule', () => {
    assert.deepEqual(ids(schedule([o('add', { userId: 'y' })], [])), ['y']);
  });

  it('remove takes the user off, and does nothing for someone not on call', () => {
    assert.deepEqual(ids(schedule([o('remove', { replaces: 'a' })])), []);
    assert.deepEqual(ids(schedule([o('remove', { replaces: 'b' })])), ['a']);
  });

  it('applies from start (inclusive) to end (exclusive) only', () => {
    const s = schedule([o('replace', { userId: 'x', replaces: 'a' })]);
    assert.deepEqual(ids(s, T0 - HOUR - 1), ['a']);
    assert.deepEqual(ids(s, T0 - HOUR), ['x']);
    assert.deepEqual(ids(s, T0 + HOUR - 1), ['x']);
    assert.deepEqual(ids(s, T0 + HOUR), ['a']);
  });

  it('ignores overrides missing the user they need', () => {
    const s = schedule([o('add'), o('replace', { replaces: 'a' }), o('remove')]);
    assert.deepEqual(ids(s), ['a']);
  });

  it('sorts the result by user id', () => {
    const s = schedule(['m', 'b', 'z'].map((userId) => o('add', { userId })));
    assert.deepEqual(ids(s), ['a', 'b', 'm', 'z']);
  });
});

describe('overlapping overrides apply in order of start, then createdAt, then id', () => {
  it('applies a later-starting override after an earlier one, whatever the list order', () => {
    const first = o('replace', { userId: 'x', replaces: 'a', start: T0 - 2 * HOUR, createdAt: 5 });
    const second = o('replace', { userId: 'y', replaces: 'x', start: T0 - HOUR, createdAt: 1 });
    // first then second: a → x → y. The other way round, second would find no x and do nothing.
    assert.deepEqual(ids(schedule([first, second])), ['y']);
    assert.deepEqual(ids(schedule([second, first])), ['y']);
    assert.deepEqual(ids(schedule([second, first]), T0 - 90 * 60_000), ['x']);
  });

  it('lets the later-created of two overrides starting together act last', () => {
    const older = o('replace', { userId: 'x', createdAt: 1 });
    const newer = o('replace', { userId: 'y', createdAt: 2 });
    assert.deepEqual(ids(schedule([newer, older])), ['y']);
    assert.deepEqual(ids(schedule([older, newer])), ['y']);
  });

  it('breaks a full tie by id', () => {
    const b = o('replace', { id: 'b', userId: 'from-b' });
    const a = o('replace', { id: 'a', userId: 'from-a' });
    assert.deepEqual(ids(schedule([b, a])), ['from-b']);
    assert.deepEqual(ids(schedule([a, b])), ['from-b']);
  });

  it('lets a remove after an add undo it, and an add after a remove restore', () => {
    const add = o('add', { userId: 'y', start: T0 - 2 * HOUR });
    const remove = o('remove', { replaces: 'y', start: T0 - HOUR });
    assert.deepEqual(ids(schedule([remove, add])), ['a']);
    const removeA = o('remove', { replaces: 'a', start: T0 - 2 * HOUR });
    const addA = o('add', { userId: 'a', start: T0 - HOUR });
    assert.deepEqual(onCallAt(schedule([addA, removeA]), T0), [{ userId: 'a', overrideId: addA.id }]);
  });
});
