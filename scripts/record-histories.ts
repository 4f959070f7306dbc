/**
 * `npm run record-histories [-- --prefix P] [scenario ...]`: runs the scenarios of
 * scripts/history-scenarios.ts (all, or the ones named) on the real time-skipping test server with a
 * real worker and Postgres, and writes each workflow run's history to
 * test/fixtures/histories/<P><scenario>-<workflow>.json, which test/replay.test.ts replays against the
 * workflow code as it is now. A file already there is never overwritten: it stands for executions that
 * may still be running; record a new workflow type's histories beside the old under a new prefix.
 *
 * Record from the code as it is before a workflow change, and commit the files before the change: they
 * stand for the executions already running when it deploys. Never re-record to make a failing replay
 * pass; put the change behind patched() instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { History } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { loadConfig, projectPath } from '../runtime/config';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { resolveTestServer } from '../runtime/temporal-tools';
import {
  HISTORIES_DIR,
  formatRecordedHistory,
  historyToJson,
  type RecordedHistory,
} from '../test/helpers/histories';
import { startWorld, type World } from '../test/helpers/world';
import { SCENARIOS, type Capture } from './history-scenarios';

const log = (line: string) => console.log(`[record] ${line}`);
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: projectPath('.'), encoding: 'utf8' }).trim();

const E = temporal.api.enums.v1.EventType;
const CLOSED = new Set([
  E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);
const WORKFLOW_TASK = new Set([
  E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  E.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
]);

/**
 * Returns true when a history ends at a resting point: closed, or its last workflow task completed with
 * no activity or outgoing signal in flight. A running workflow is fetched only there, so its partial
 * history is the one a deploy would find for a workflow waiting on a timer or a message.
 */
function atRest(history: History): boolean {
  const events = history.events ?? [];
  const last = events.at(-1)?.eventType;
  if (last != null && CLOSED.has(last)) return true;
  const lastTask = events.filter((e) => e.eventType != null && WORKFLOW_TASK.has(e.eventType)).at(-1);
  if (lastTask?.eventType !== E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) return false;
  const started = new Set<number>();
  const done = new Set<number>();
  for (const e of events) {
    if (
      e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED ||
      e.eventType === E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED
    ) {
      started.add(Number(e.eventId));
    }
    const closedBy =
      e.activityTaskCompletedEventAttributes?.scheduledEventId ??
      e.activityTaskFailedEventAttributes?.scheduledEventId ??
      e.activityTaskTimedOutEventAttributes?.scheduledEventId ??
      e.activityTaskCanceledEventAttributes?.scheduledEventId ??
      e.externalWorkflowExecutionSignaledEventAttributes?.initiatedEventId ??
      e.signalExternalWorkflowExecutionFailedEventAttributes?.initiatedEventId;
    if (closedBy != null) done.add(Number(closedBy));
  }
  return [...started].every((id) => done.has(id));
}

function capturer(w: World, scenario: string, commit: string, out: RecordedHistory[]): Capture {
  return async (workflow, workflowId, runId) => {
    const description = await w.env.client.workflow.getHandle(workflowId, runId).describe();
    const handle = w.env.client.workflow.getHandle(workflowId, description.runId);
    const deadline = Date.now() + 30_000;
    let history = await handle.fetchHistory();
    while (!atRest(history)) {
      if (Date.now() > deadline)
        throw new Error(`${scenario}-${workflow}: ${workflowId} did not come to rest within 30 s`);
      await new Promise((r) => setTimeout(r, 50));
      history = await handle.fetchHistory();
    }
    const { status } = await handle.describe();
    out.push({
      scenario,
      workflow,
      workflowType: description.type,
      workflowId,
      runId: description.runId,
      status: status.name,
      commit,
      eventCount: history.events?.length ?? 0,
      history: historyToJson(history),
    });
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const args = process.argv.slice(2);
  const at = args.indexOf('--prefix');
  const prefix = at >= 0 ? (args.splice(at, 2)[1] ?? '') : '';
  const wanted = args;
  const unknown = wanted.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length)
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  const scenarios = wanted.length ? SCENARIOS.filter((s) => wanted.includes(s.name)) : SCENARIOS;

  // The files name the commit they came from, so the workflow code must be exactly that commit.
  const dirty = git('status', '--porcelain', '--', 'workflows', 'domain');
  if (dirty)
    throw new Error(`workflows/ or domain/ has uncommitted changes; record from a commit:\n${dirty}`);
  const commit = git('rev-parse', 'HEAD');
  log(`recording from ${commit}`);

  const server = await resolveTestServer({
    toolsDir: projectPath(config.KLAXON_TOOLS_DIR),
    explicitPath: config.TEMPORAL_TEST_SERVER_PATH,
    log,
  });
  process.env.KLAXON_TEST_SERVER = JSON.stringify(server);
  let stopPostgres = async () => {};
  if (config.DATABASE_URL) {
    process.env.KLAXON_TEST_ADMIN_DATABASE_URL = config.DATABASE_URL;
  } else {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-record-pg-'));
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), log });
    process.env.KLAXON_TEST_ADMIN_DATABASE_URL = pg.urlFor('postgres');
    stopPostgres = async () => {
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }

  const recorded: RecordedHistory[] = [];
  try {
    for (const scenario of scenarios) {
      const started = Date.now();
      const w = await startWorld();
      try {
        await scenario.run(w, capturer(w, scenario.name, commit, recorded));
      } finally {
        await w.close();
      }
      log(`${scenario.name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await stopPostgres();
  }

  // Written only once every scenario has passed: a failed run leaves the committed files as they were.
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const files = recorded.map((r) => path.join(HISTORIES_DIR, `${prefix}${r.scenario}-${r.workflow}.json`));
  const taken = files.filter((f) => existsSync(f));
  if (taken.length) throw new Error(`already recorded (choose another --prefix): ${taken.map((f) => path.basename(f)).join(', ')}`);
  for (const [i, r] of recorded.entries()) {
    const file = files[i]!;
    const text = formatRecordedHistory(r);
    writeFileSync(file, text);
    log(
      `${path.relative(projectPath('.'), file)}: ${r.workflowType} ${r.status}, ${r.eventCount} events, ${(text.length / 1024).toFixed(1)} KB`,
    );
  }
}

main().then(
  // The Temporal runtime keeps the process alive after the last world is closed.
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
