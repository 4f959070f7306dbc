// Every recorded history in test/fixtures/histories replays against the workflow code as it is now. The
// histories stand for executions already running when a change deploys: a change that is not behind
// patched() and alters the commands a workflow issues fails here, naming the file and the error. Replay
// runs no activities, so this needs neither Postgres nor a Temporal server.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { Worker, type ReplayResult } from '@temporalio/worker';
import {
  ALERT_WORKFLOW_TYPE,
  GROUP_WORKFLOW_TYPE,
  LEGACY_ALERT_WORKFLOW_TYPE,
  SCHEDULE_HANDOFF_WORKFLOW_TYPE,
} from '../workflows/messages';
import { historyFiles, readRecordedHistory, toReplayInput, type RecordedHistory } from './helpers/histories';
import { workflowBundle } from './helpers/temporal';

const files = historyFiles();
const recorded: RecordedHistory[] = files.map((file) => readRecordedHistory(file));
const results: ReplayResult[] = [];

before(async () => {
  const inputs = recorded.map((r, i) => {
    try {
      return toReplayInput(r);
    } catch (err) {
      throw new Error(`${files[i]}: not a readable history`, { cause: err });
    }
  });
  // One replay worker for all of them; results come back one per history, in order.
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, inputs))
    results.push(result);
});

it('has histories of every workflow type, finished and still running', () => {
  const types = new Set(recorded.map((r) => r.workflowType));
  for (const type of [ALERT_WORKFLOW_TYPE, LEGACY_ALERT_WORKFLOW_TYPE, GROUP_WORKFLOW_TYPE, SCHEDULE_HANDOFF_WORKFLOW_TYPE]) {
    assert.ok(types.has(type), `no recorded history of ${type}: run npm run record-histories`);
  }
  assert.ok(
    recorded.some((r) => r.status === 'RUNNING'),
    'no history of a workflow still running',
  );
  assert.ok(
    recorded.some((r) => r.status === 'COMPLETED'),
    'no history of a finished workflow',
  );
  assert.equal(results.length, files.length, 'every history was replayed');
});

for (const [i, file] of files.entries()) {
  it(`replays ${file}`, () => {
    const r = recorded[i]!;
    const error = results[i]?.error;
    if (error) {
      assert.fail(
        `${file} (${r.workflowType} ${r.workflowId}, ${r.status}, recorded at ${r.commit.slice(0, 7)}) no longer replays on the current ` +
          `workflow code; put the change behind patched() rather than re-recording.\n${error.name}: ${error.message}`,
      );
    }
    assert.ok(results[i], `${file} was not replayed`);
  });
}
