/**
 * Whole-year walks of layerShiftAt in five zones through 2028 (a leap year with both DST changes), checked
 * against shift lists built by the reference's shift-by-shift luxon walk.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { layerShiftAt } from './rotation';
import { MIN, referenceShiftStarts } from './reference.test-helpers';
import type { Layer, Rotation } from './types';

const FROM = Date.UTC(2028, 0, 1);
const TO = Date.UTC(2029, 0, 1);
const STEP = 30 * MIN;

/** Per zone: a handoff time inside its spring-forward gap and one inside its fall-back overlap in 2028. */
const ZONES: { zone: string; gap: string; overlap: string; dst: boolean }[] = [
  { zone: 'America/New_York', gap: '02:30', overlap: '01:30', dst: true },
  { zone: 'Europe/London', gap: '01:30', overlap: '01:30', dst: true },
  { zone: 'Australia/Lord_Howe', gap: '02:15', overlap: '01:45', dst: true },
  { zone: 'Asia/Kolkata', gap: '09:00', overlap: '00:00', dst: false },
  { zone: 'Pacific/Chatham', gap: '03:00', overlap: '03:00', dst: true },
];

/** Rotations to walk; the start, 2027-12-19, is a Sunday like every 2028 DST change in these zones. */
function rotations(gap: string, overlap: string): { label: string; rotation: Rotation; time: string }[] {
  return [
    { label: 'daily × 1 at the gap time', rotation: { type: 'daily', length: 1 }, time: gap },
    { label: 'daily × 1 at the overlap time', rotation: { type: 'daily', length: 1 }, time: overlap },
    { label: 'daily × 2', rotation: { type: 'daily', length: 2 }, time: gap },
    { label: 'weekly × 1', rotation: { type: 'weekly', length: 1 }, time: overlap },
    { label: 'custom 7 h', rotation: { type: 'custom', length: 7 }, time: gap },
    { label: 'hourly × 3', rotation: { type: 'hourly', length: 3 }, time: overlap },
  ];
}

/** How the start's wall clock relates to the handoff time that day: exact, moved by a gap, or an overlap's first. */
function classify(start: number, zone: string, time: string): 'exact' | 'gap' | 'overlap' {
  const dt = DateTime.fromMillis(start, { zone });
  const [h, m] = time.split(':').map(Number) as [number, number];
  const wanted = DateTime.fromObject(
    { year: dt.year, month: dt.month, day: dt.day, hour: h, minute: m },
    { zone },
  );
  if (dt.hour === h && dt.minute === m) {
    const occurrences = wanted.getPossibleOffsets().map((x) => x.toMillis());
    assert.equal(start, Math.min(...occurrences), `${zone}: ${dt.toISO()} is not the first occurrence`);
    return occurrences.length > 1 ? 'overlap' : 'exact';
  }
  // Not on the wall time: only allowed when that time does not exist, and then later by the gap length.
  const before = DateTime.fromMillis(start - 86_400_000, { zone }).offset;
  const after = dt.offset;
  const wall = Date.UTC(dt.year, dt.month - 1, dt.day, h, m);
  assert.ok(after > before, `${zone}: handoff at ${dt.toISO()} instead of ${time} with no gap`);
  assert.equal(start, wall - before * MIN, `${zone}: ${dt.toISO()} is not ${time} moved by the gap`);
  assert.notEqual(
    wanted.hour * 60 + wanted.minute,
    h * 60 + m,
    `${zone}: ${time} exists on ${dt.toISODate()}`,
  );
  return 'gap';
}

describe('layerShiftAt over 2028, every 30 minutes and at every handoff', () => {
  for (const { zone, gap, overlap, dst } of ZONES) {
    for (const { label, rotation, time } of rotations(gap, overlap)) {
      it(`${zone}: ${label}`, () => {
        const layer: Layer = {
          id: 'l',
          name: 'l',
          rotation,
          start: `2027-12-19T${time}`,
          participants: ['a', 'b', 'c'],
          restrictions: [],
        };
        const starts = referenceShiftStarts(layer, zone, TO);
        let k = 0;
        while (starts[k + 1]! <= FROM) k++;
        const firstInYear = k;
        // Every grid instant: the one shift whose [start, end) holds it, found by walking the list.
        let mismatches = 0;
        let example = '';
        for (let t = FROM; t < TO; t += STEP) {
          while (starts[k + 1]! <= t) k++;
          const s = layerShiftAt(layer, zone, t);
          if (
            !s ||
            s.index !== k ||
            s.start !== starts[k] ||
            s.end !== starts[k + 1] ||
            s.userId !== 'abc'[k % 3]
          ) {
            mismatches++;
            example ||= `${new Date(t).toISOString()}: got ${JSON.stringify(s)}, want index ${k}`;
          }
        }
        assert.equal(mismatches, 0, example);
        // Every handoff exactly: the new shift starts on the millisecond and the old one ends just before.
        const kinds = { exact: 0, gap: 0, overlap: 0 };
        for (let j = firstInYear + 1; starts[j]! < TO; j++) {
          const s = starts[j]!;
          assert.equal(layerShiftAt(layer, zone, s)?.index, j);
          assert.equal(layerShiftAt(layer, zone, s - 1)?.index, j - 1);
          if (rotation.type === 'daily' || rotation.type === 'weekly') kinds[classify(s, zone, time)]++;
        }
        if (rotation.type === 'hourly' || rotation.type === 'custom') {
          assert.equal(starts[firstInYear + 1]! - starts[firstInYear]!, rotation.length * 60 * MIN);
        } else if (dst && rotation.length === 1) {
          // Daily and Sunday-weekly rotations meet each DST change once; which kinds they meet depends on the time.
          assert.equal(kinds.gap, time === gap ? 1 : 0, JSON.stringify(kinds));
          assert.equal(kinds.overlap, time === overlap ? 1 : 0, JSON.stringify(kinds));
        } else if (!dst) assert.deepEqual([kinds.gap, kinds.overlap], [0, 0]);
        assert.ok(kinds.exact > 0 || rotation.type === 'hourly' || rotation.type === 'custom');
      });
    }
  }
});
