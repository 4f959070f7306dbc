import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultGraceSeconds, describeSeconds, dueAt, heartbeatState, overdueSummary } from './heartbeat';

describe('heartbeat rules', () => {
  it('gives a tenth of the interval as grace, at least a minute', () => {
    assert.equal(defaultGraceSeconds(60), 60);
    assert.equal(defaultGraceSeconds(3_600), 360);
    assert.equal(defaultGraceSeconds(7 * 86_400), 60_480);
  });

  it('is due an interval plus the grace after it last heard', () => {
    assert.equal(dueAt(1_000, 300, 60), 1_000 + 360_000);
  });

  it('is waiting until the first ping, overdue while its alert is open, else up', () => {
    assert.equal(heartbeatState({ lastPingAt: null, overdueSince: null }), 'waiting');
    assert.equal(heartbeatState({ lastPingAt: new Date(), overdueSince: null }), 'up');
    assert.equal(heartbeatState({ lastPingAt: null, overdueSince: new Date() }), 'overdue');
  });

  it('says what stopped and how often it was expected', () => {
    assert.equal(
      overdueSummary('nightly backup', 86_400, null),
      'Heartbeat "nightly backup" never pinged (expected every 1 d)',
    );
    assert.equal(
      overdueSummary('queue drain', 300, 5),
      'Heartbeat "queue drain" missed its ping (expected every 5 min)',
    );
    assert.equal(describeSeconds(90), '90 s');
    assert.equal(describeSeconds(7_200), '2 h');
  });
});
