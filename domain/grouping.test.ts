import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decideJoin,
  decideReturn,
  needsLeader,
  quietCloseAt,
  successor,
  takesAlerts,
  takesAnswer,
  type GroupRoleAnswer,
  type OpenGroup,
} from './grouping';

const MIN = 60_000;
const group = (over: Partial<OpenGroup> = {}): OpenGroup => ({
  id: 'g1',
  leaderId: 'a1',
  leaderState: 'new',
  lastAt: 0,
  lastJoinAt: 0,
  windowMs: 5 * MIN,
  acknowledged: false,
  ...over,
});

describe('takesAlerts', () => {
  it('takes alerts until the window after the last one has passed', () => {
    assert.equal(takesAlerts(group(), 5 * MIN - 1), true);
    assert.equal(takesAlerts(group(), 5 * MIN), false);
  });
});

describe('quietCloseAt', () => {
  it('waits a window after the last trigger, and after the last join a backlog recorded late', () => {
    assert.equal(quietCloseAt(group()), 5 * MIN);
    assert.equal(quietCloseAt(group({ lastJoinAt: 12 * MIN })), 17 * MIN);
  });
  it('still decides membership by trigger time', () => {
    assert.equal(takesAlerts(group({ lastJoinAt: 12 * MIN }), 6 * MIN), false);
  });
});

describe('decideJoin', () => {
  it('opens a group when none is open or the open one no longer takes alerts', () => {
    assert.deepEqual(decideJoin(undefined, 0), { kind: 'open' });
    assert.deepEqual(decideJoin(group(), 5 * MIN), { kind: 'open' });
  });
  it('joins as a member while the leader escalates', () => {
    assert.deepEqual(decideJoin(group(), MIN), { kind: 'join', role: 'member' });
  });
  it('leads when the leader stopped escalating (acknowledged alone, resolved) and the group is not acknowledged', () => {
    for (const leaderState of ['acknowledged', 'investigating', 'resolved'] as const) {
      assert.deepEqual(decideJoin(group({ leaderState }), MIN), { kind: 'join', role: 'leader' });
    }
    assert.deepEqual(decideJoin(group({ leaderId: null, leaderState: null }), MIN), {
      kind: 'join',
      role: 'leader',
    });
  });
  it('stays quiet in a group acknowledged as a whole', () => {
    assert.deepEqual(decideJoin(group({ leaderState: 'acknowledged', acknowledged: true }), MIN), {
      kind: 'join',
      role: 'member',
    });
  });
});

describe('decideReturn', () => {
  it('a leader that fires again leads again', () => {
    assert.deepEqual(decideReturn(group({ leaderState: 'new' }), 'a1', MIN), {
      kind: 'stay',
      role: 'leader',
    });
  });
  it('a member stays quiet while another alert escalates, and leads when none does, acknowledged group or not', () => {
    assert.deepEqual(decideReturn(group(), 'a2', MIN), { kind: 'stay', role: 'member' });
    assert.deepEqual(decideReturn(group({ leaderState: 'resolved' }), 'a2', MIN), {
      kind: 'stay',
      role: 'leader',
    });
    assert.deepEqual(decideReturn(group({ leaderState: 'acknowledged', acknowledged: true }), 'a2', MIN), {
      kind: 'stay',
      role: 'leader',
    });
  });
  it('leaves a group that takes no more alerts', () => {
    assert.deepEqual(decideReturn(undefined, 'a2', MIN), { kind: 'rejoin' });
    assert.deepEqual(decideReturn(group(), 'a2', 6 * MIN), { kind: 'rejoin' });
  });
});

describe('needsLeader and successor', () => {
  it('hands over to the candidate unless the group is acknowledged', () => {
    assert.equal(successor({ acknowledged: false }, 'a2'), 'a2');
    assert.equal(successor({ acknowledged: false }, undefined), null);
    assert.equal(successor({ acknowledged: true }, 'a2'), null);
    assert.equal(needsLeader({ acknowledged: false, leaderState: 'new' }), false);
    assert.equal(needsLeader({ acknowledged: true, leaderState: 'resolved' }), false);
  });
});

describe('takesAnswer', () => {
  const answer = (groupId: string, epoch: number): GroupRoleAnswer => ({
    groupId,
    role: 'member',
    epoch,
    escalation: null,
  });
  it('takes the first answer from anywhere', () => {
    assert.equal(takesAnswer(null, answer('g1', 3), 'handover'), true);
  });
  it('keeps the later epoch of one group, whichever arrives first', () => {
    assert.equal(takesAnswer(answer('g1', 2), answer('g1', 1), 'store'), false);
    assert.equal(takesAnswer(answer('g1', 1), answer('g1', 2), 'handover'), true);
    assert.equal(takesAnswer(answer('g1', 2), answer('g1', 2), 'store'), true);
  });
  it('follows the store into another group, never a hand-over from a group the alert left', () => {
    assert.equal(takesAnswer(answer('g1', 5), answer('g2', 0), 'store'), true);
    assert.equal(takesAnswer(answer('g2', 0), answer('g1', 6), 'handover'), false);
  });
});
