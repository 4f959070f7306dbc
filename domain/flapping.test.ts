import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEFAULT_FLAP_RULE, flapHoldMs, recentReopens } from './flapping';

const MIN = 60_000;
const rule = { reopens: 3, windowMs: 60 * MIN, holdMs: 15 * MIN };

it('holds escalation from the third re-trigger within the window on', () => {
  assert.equal(flapHoldMs([], 0, rule), 0);
  assert.equal(flapHoldMs([10 * MIN], 20 * MIN, rule), 0);
  assert.equal(flapHoldMs([10 * MIN, 20 * MIN], 30 * MIN, rule), 15 * MIN);
});

it('forgets re-triggers older than the window', () => {
  assert.equal(flapHoldMs([0, 5 * MIN], 61 * MIN, rule), 0);
  assert.equal(flapHoldMs([0, 5 * MIN], 59 * MIN, rule), 15 * MIN);
  assert.deepEqual(recentReopens([0, 5 * MIN, 30 * MIN], 61 * MIN, rule), [5 * MIN, 30 * MIN]);
});

it('ships a default that tolerates an occasional repeat', () => {
  assert.equal(flapHoldMs([0], MIN, DEFAULT_FLAP_RULE), 0);
  assert.ok(flapHoldMs([0, MIN], 2 * MIN, DEFAULT_FLAP_RULE) > 0);
});
