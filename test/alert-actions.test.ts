// The alert page's buttons: the lifecycle's transitions per state, snooze for new and acknowledged ones,
// escalate-now only while escalation is still to run, nothing for a viewer or a closed alert.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableActions, mayAddNote, type ActionFacts } from '../web/alert-actions';

const open = (state: ActionFacts['state'], more: Partial<ActionFacts> = {}): ActionFacts => ({
  state,
  running: true,
  nextTier: false,
  groupMember: false,
  ...more,
});

describe('alert page actions', () => {
  it('offers exactly the transitions the lifecycle allows from each state', () => {
    assert.deepEqual(availableActions('responder', open('new')), [
      'acknowledge',
      'investigate',
      'resolve',
      'snooze',
    ]);
    assert.deepEqual(availableActions('responder', open('acknowledged')), [
      'investigate',
      'resolve',
      'unacknowledge',
      'snooze',
    ]);
    assert.deepEqual(availableActions('admin', open('investigating')), ['resolve']);
    assert.deepEqual(availableActions('admin', open('resolved')), ['reopen']);
  });

  it('offers escalate-now only for a new alert with a next tier that leads its own escalation', () => {
    assert.deepEqual(availableActions('responder', open('new', { nextTier: true })), [
      'acknowledge',
      'investigate',
      'resolve',
      'snooze',
      'escalate',
    ]);
    assert.ok(
      !availableActions('responder', open('new', { nextTier: true, groupMember: true })).includes('escalate'),
    );
    assert.ok(!availableActions('responder', open('acknowledged', { nextTier: true })).includes('escalate'));
  });

  it('offers a viewer nothing, and nothing on a closed alert', () => {
    assert.deepEqual(availableActions('viewer', open('new', { nextTier: true })), []);
    assert.deepEqual(availableActions('viewer', open('resolved')), []);
    assert.deepEqual(availableActions('admin', open('resolved', { running: false })), []);
    assert.equal(mayAddNote('viewer', true), false);
    assert.equal(mayAddNote('responder', false), false);
    assert.equal(mayAddNote('responder', true), true);
  });
});
