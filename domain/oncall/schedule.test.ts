import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY, HOUR, MIN, ReferenceOnCall, bigSchedule } from './reference.test-helpers';
import { onCallAt } from './schedule';
import type { Layer, Schedule } from './types';

const NY = 'America/New_York';

function layer(id: string, participants: string[], start = '2026-01-01T09:00'): Layer {
  return { id, name: id, rotation: { type: 'daily', length: 1 }, start, participants, restrictions: [] };
}

describe('onCallAt layers', () => {
  const t = Date.UTC(2026, 5, 1, 18);

  it('is empty for a schedule with no layers and no overrides', () => {
    assert.deepEqual(onCallAt({ id: 's', timeZone: NY, layers: [], overrides: [] }, t), []);
  });

  it('takes the highest layer with someone on call, and nobody from the layers below', () => {
    const s: Schedule = {
      id: 's',
      timeZone: NY,
      layers: [layer('low', ['l1']), layer('high', ['h1'])],
      overrides: [],
    };
    assert.deepEqual(onCallAt(s, t), [{ userId: 'h1', layerId: 'high' }]);
  });

  it('skips a higher layer with no participants or not yet started', () => {
    const s: Schedule = {
      id: 's',
      timeZone: NY,
      layers: [layer('low', ['l1']), layer('future', ['f1'], '2027-01-01T09:00'), layer('empty', [])],
      overrides: [],
    };
    assert.deepEqual(onCallAt(s, t), [{ userId: 'l1', layerId: 'low' }]);
  });
});

/** Compares onCallAt with the brute-force reference at every minute of [from, to), returning what was seen. */
function compareEveryMinute(schedule: Schedule, from: number, to: number) {
  const ref = new ReferenceOnCall(schedule, to + 30 * DAY);
  const sources = new Set<string>();
  const sizes = new Set<number>();
  for (let t = from; t < to; t += MIN) {
    const want = ref.at(t);
    const got = onCallAt(schedule, t);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      assert.deepEqual(got, want, `at ${new Date(t).toISOString()}`);
    }
    for (const e of got) sources.add(e.layerId ?? e.overrideId ?? '?');
    sizes.add(got.length);
  }
  return { sources, sizes };
}

describe('onCallAt against the brute-force reference, every minute for 14 days', () => {
  for (const [label, from] of [
    ['across spring-forward (2026-03-08)', Date.UTC(2026, 2, 1, 5)],
    ['across fall-back (2026-11-01)', Date.UTC(2026, 9, 25, 4)],
  ] as const) {
    it(`3 layers, 10 participants, 20 overrides, America/New_York, ${label}`, () => {
      const schedule = bigSchedule(NY, from);
      const { sources, sizes } = compareEveryMinute(schedule, from, from + 14 * DAY);
      // Guard against a vacuous pass: every layer and most overrides decided someone, and the set
      // was empty, single and multiple at different times.
      for (const id of ['weekly', 'business', 'custom'])
        assert.ok(sources.has(id), `layer ${id} never on call`);
      assert.ok([...sources].filter((s) => s.startsWith('o')).length >= 8, [...sources].join(','));
      assert.ok(sizes.has(0) && sizes.has(1) && [...sizes].some((n) => n > 1), [...sizes].join(','));
    });
  }

  for (const seed of [1, 2, 3]) {
    it(`seeded schedule ${seed} in Pacific/Chatham and Australia/Lord_Howe around their changes`, () => {
      for (const [zone, from] of [
        ['Pacific/Chatham', Date.UTC(2026, 8, 22)],
        ['Australia/Lord_Howe', Date.UTC(2026, 3, 2)],
      ] as const) {
        const schedule = bigSchedule(zone, from, seed);
        compareEveryMinute(schedule, from, from + 6 * DAY + 5 * HOUR);
      }
    });
  }
});
