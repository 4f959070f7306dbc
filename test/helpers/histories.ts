/**
 * Recorded workflow histories: the files `npm run record-histories` writes and test/replay.test.ts
 * replays against the current workflow code. One file per workflow run, named <scenario>-<workflow>.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { HistoryAndWorkflowId } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'fixtures', 'histories');

/** One recorded run: who it was, how it stood when fetched, the commit that ran it, and its history. */
export interface RecordedHistory {
  scenario: string;
  workflow: string;
  workflowType: string;
  /** Replay needs it: histories do not carry their workflow id. */
  workflowId: string;
  runId: string;
  /** RUNNING for a history fetched mid-flight: what a deploy replays for workflows still in progress. */
  status: string;
  /** `git rev-parse HEAD` when recorded: the workflow code these events came from. */
  commit: string;
  eventCount: number;
  /** The history in Temporal's proto JSON (see historyToJson). */
  history: { events: unknown[] };
}

// @temporalio/common's historyToJSON and historyFromJSON throw "type must be a Type" here: the lockfile
// gives @temporalio/common and @temporalio/proto each their own copy of protobufjs, and protojson checks
// the type against its own copy's classes. The protojson of the copy @temporalio/proto is built on works.
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History;
}
const protojson = createRequire(require.resolve('@temporalio/proto'))(
  'protobufjs/ext/protojson',
) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

/** Returns the history in Temporal's proto JSON, the format `temporal workflow show -o json` prints. */
export function historyToJson(history: History): RecordedHistory['history'] {
  return protojson.toJson(
    historyType,
    proto.temporal.api.history.v1.History.fromObject(history),
  ) as RecordedHistory['history'];
}

/** Returns the History a proto JSON history stands for (ignoring fields a newer server may add). */
export function historyFromJson(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
}

/** Returns the file text: the fields one per line, then the events one per line (small, and diffs stay legible). */
export function formatRecordedHistory(recorded: RecordedHistory): string {
  const { history, ...fields } = recorded;
  const head = Object.entries(fields).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const events = history.events.map((e) => `    ${JSON.stringify(e)}`).join(',\n');
  return `{\n${head.join('\n')}\n  "history": { "events": [\n${events}\n  ] }\n}\n`;
}

/** Returns the recorded history files, sorted by name. */
export function historyFiles(dir = HISTORIES_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

/** Returns one recorded history file, parsed. */
export function readRecordedHistory(file: string, dir = HISTORIES_DIR): RecordedHistory {
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as RecordedHistory;
}

/** Returns the recorded run as the replayer takes it. */
export function toReplayInput(recorded: RecordedHistory): HistoryAndWorkflowId {
  return { workflowId: recorded.workflowId, history: historyFromJson(recorded.history) };
}
