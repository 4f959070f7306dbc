/**
 * Per-call cost of the on-call rules on a 3-layer, 10-participant, 20-override schedule in
 * America/New_York (the one the tests check against the brute-force reference), against SPEC §8's
 * on-call lookup target (< 5 ms). shifts() has no SPEC target; 50 ms is the budget of one API page.
 * `npx tsx bench/oncall.ts`.
 */
import { layerShiftAt, nextHandoff, onCallAt, shifts } from '../domain/oncall';
import { bigSchedule } from '../domain/oncall/reference.test-helpers';
import { bench, report } from './run';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const T0 = Date.UTC(2026, 2, 1, 5);
const schedule = bigSchedule('America/New_York', T0);
// Instants spread over two weeks (including the DST change), so no call hits the same shift twice running.
const at = (i: number) => T0 + ((i * 7919 * MIN) % (14 * DAY));

// Touch the range once so the per-zone offset memo is filled as it is in a long-running worker.
shifts(schedule, T0 - DAY, T0 + 100 * DAY);

const results = [
  {
    result: bench('onCallAt (3 layers, 20 overrides)', (i) => onCallAt(schedule, at(i)).length, 20_000),
    targetMs: 5,
  },
  {
    result: bench(
      'layerShiftAt (weekly layer)',
      (i) => layerShiftAt(schedule.layers[0]!, schedule.timeZone, at(i))?.index,
      50_000,
    ),
    targetMs: 5,
  },
  { result: bench('nextHandoff', (i) => nextHandoff(schedule, at(i)), 2_000), targetMs: 5 },
  {
    result: bench(
      'shifts over 90 days',
      (i) => shifts(schedule, T0 + i * MIN, T0 + i * MIN + 90 * DAY).length,
      10,
      15,
    ),
    targetMs: 50,
  },
];

console.log(`node ${process.version}, ${new Date().toISOString()}`);
report(results);
console.log(`shifts over 90 days: ${shifts(schedule, T0, T0 + 90 * DAY).length} shifts`);
