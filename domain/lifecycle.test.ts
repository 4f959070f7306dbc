import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALERT_STATES, TRANSITION_ACTIONS, decideTransition, isValidTransition, type AlertState } from './lifecycle';

const expectedValid: [AlertState, AlertState][] = [
  ['new', 'acknowledged'],
  ['new', 'investigating'],
  ['new', 'resolved'],
  ['acknowledged', 'investigating'],
  ['acknowledged', 'resolved'],
  ['investigating', 'resolved'],
  ['acknowledged', 'new'],
  ['resolved', 'new'],
];

describe('lifecycle transition table', () => {
  it('accepts exactly the eight transitions of the spec among all 16 pairs', () => {
    for (const from of ALERT_STATES) {
      for (const to of ALERT_STATES) {
        const expected = expectedValid.some(([f, t]) => f === from && t === to);
        assert.equal(isValidTransition(from, to), expected, `${from} -> ${to}`);
      }
    }
  });

  it('decides every action from every state consistently with the pair table', () => {
    let accepted = 0;
    for (const from of ALERT_STATES) {
      for (const action of TRANSITION_ACTIONS) {
        const d = decideTransition(from, action);
        if (d.ok) accepted++;
        else assert.match(d.message, new RegExp(`${from}.*${d.to}`));
      }
    }
    // 8 pairs, each reachable by exactly one action.
    assert.equal(accepted, 8);
  });

  it('keeps the two ways back to new apart', () => {
    assert.equal(decideTransition('resolved', 'unacknowledge').ok, false);
    assert.equal(decideTransition('acknowledged', 'reopen').ok, false);
    assert.equal(decideTransition('resolved', 'reopen').ok, true);
    assert.equal(decideTransition('acknowledged', 'unacknowledge').ok, true);
  });

  it('refuses staying in the same state', () => {
    assert.equal(decideTransition('acknowledged', 'acknowledge').ok, false);
    assert.equal(decideTransition('resolved', 'resolve').ok, false);
  });
});
