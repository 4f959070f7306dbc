// A rolling upgrade of the workers, as docs/operations.md tells it: an "old" worker process runs alerts on
// a task queue; a "new" one starts on the same queue and both poll; the old one is stopped with SIGTERM and
// exits 0; the new one carries every alert on. Against the Temporal CLI's dev server (real sticky queues,
// which a graceful shutdown hands back; the time-skipping server never moves a task off a stopped worker's
// sticky queue) and one Postgres database, every alert ends in the state its actions asked for, each page
// reaches the receiver once, no workflow task fails and no workflow fails.
//
// "Old" is workflows/ bundled with patched() false (workflowBundleBeforePatches): the code before its
// patches. The patch that tells them apart here is 'notification-rules': old code ignores a user's held-back
// pages, new code pages them later and records a marker. So the test sees the difference in histories and
// pages, and that the new code replays what old code wrote by the old path; and that the old code cannot
// replay what the new code wrote, which is why a worker must never be rolled back past a patch.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { klaxonSinks } from '../worker/sinks';
import { pagesTaskQueue } from '../workflows/messages';
import { createTestDatabase } from './helpers/database';
import { PUBLIC_URL } from './helpers/harness';
import { LOOPBACK_ALLOWLIST_TEXT } from './helpers/pages';
import { startTestDevServer, workflowBundle, workflowBundleBeforePatches } from './helpers/temporal';
import { startKlaxonProcess, type KlaxonProcess as WorkerProcess } from './helpers/klaxon-process';
import { startWorld, waitFor, type World } from './helpers/world';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

// The app's clock runs this far behind the workers': an alert counts as accepted 30 s before its workflow
// starts (as after a worker backlog, which must not shift its tiers), so the policy's 1-minute tier and the
// user's page held back by a minute come 30 s after the trigger, not 60.
const SKEW_MS = 30_000;
const DUE_AFTER_MS = 60_000 - SKEW_MS;

const cleanups: (() => Promise<unknown> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
});

const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-rolling-'));
cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a bundle where WORKFLOW_BUNDLE_PATH can name it, as `npm run build` writes the production one. */
function bundleFile(name: string, bundle: WorkflowBundle): string {
  const file = path.join(dir, name);
  writeFileSync(file, bundle.code);
  return file;
}

it(
  'old and new workers share a task queue through a rolling upgrade without a failed workflow task',
  { timeout: 150_000 },
  async () => {
    const [dev, db, oldBundle, newBundle] = await Promise.all([
      startTestDevServer(),
      createTestDatabase(),
      workflowBundleBeforePatches(),
      workflowBundle(),
    ]);
    cleanups.push(dev.removeFiles);
    const taskQueue = `klaxon-rolling-${Math.random().toString(36).slice(2)}`;
    // The world owns the server and the database from here on: its close() tears both down.
    const w: World = await startWorld({
      inProcessWorker: false,
      temporal: dev.env,
      db,
      taskQueue,
      now: () => Date.now() - SKEW_MS,
    });
    cleanups.push(() => w.close());
    const workflows = dev.env.client.workflow;

    // One user paged in the first tier, by the webhook /now at once and /later a minute on (a held-back
    // page: the patch); a second tier a minute in pages /tier1.
    const user = await w.user('rolling', [
      { type: 'webhook', address: `${w.hooks.url}/now` },
      { type: 'webhook', address: `${w.hooks.url}/later` },
    ]);
    const methods = (await w.request('GET', `/users/${user}`)).body.contact_methods as {
      id: string;
      address: string;
    }[];
    const method = (p: string) => methods.find((m) => m.address.endsWith(p))!.id;
    const rules = await w.request('PUT', `/users/${user}/notification-rules`, {
      rules: [
        { contact_method_id: method('/now'), delay_minutes: 0 },
        { contact_method_id: method('/later'), delay_minutes: 1 },
      ],
    });
    assert.equal(rules.status, 200, JSON.stringify(rules.body));
    await w.policy({
      is_default: true,
      tiers: [
        { delay_minutes: 0, targets: [{ type: 'user', id: user }] },
        { delay_minutes: 1, targets: [{ type: 'webhook', url: `${w.hooks.url}/tier1` }] },
      ],
    });

    const workerEnv = (bundlePath: string) => ({
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: dev.env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_METRICS_PORT: '0',
      TEMPORAL_METRICS_ADDRESS: 'off',
      OUTBOUND_ALLOWLIST: LOOPBACK_ALLOWLIST_TEXT,
      PUBLIC_URL,
      WORKFLOW_BUNDLE_PATH: bundlePath,
    });
    /** Whether the worker polls the alerts' queue and their pages' queue, by Temporal's description of each. */
    const polls = async (worker: WorkerProcess) => {
      const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;
      const queues = [
        [taskQueue, TASK_QUEUE_TYPE_WORKFLOW],
        [pagesTaskQueue(taskQueue), TASK_QUEUE_TYPE_ACTIVITY],
      ] as const;
      const described = await Promise.all(
        queues.map(([name, taskQueueType]) =>
          dev.env.client.workflowService.describeTaskQueue({
            namespace: 'default',
            taskQueue: { name },
            taskQueueType,
          }),
        ),
      );
      return described.every((d) =>
        (d.pollers ?? []).some((p) => p.identity?.startsWith(`${worker.child.pid}@`)),
      );
    };
    const startWorker = async (name: string, bundle: WorkflowBundle): Promise<WorkerProcess> => {
      const worker = startKlaxonProcess('worker', workerEnv(bundleFile(`${name}.js`, bundle)));
      cleanups.push(() => worker.kill());
      // It logs "worker started" just before it polls; Temporal's own list of pollers says when it does.
      await Promise.race([
        waitFor(`the ${name} worker polls both queues`, () => polls(worker), 60_000),
        worker.exited.then((code) => assert.fail(`the ${name} worker exited (${code}):\n${worker.output()}`)),
      ]);
      return worker;
    };

    /** The pages one alert's webhook `path` received. */
    const pages = (alertId: string, p: string) =>
      w.hooks.requests.filter((r) => {
        const body = r.json as { event?: string; alert?: { alertId?: string } } | undefined;
        return r.path === p && body?.event === 'page' && body.alert?.alertId === alertId;
      }).length;
    const stateOf = async (id: string) =>
      (await db.pool.query<{ state: string }>('select state from alerts where id = $1', [id])).rows[0]?.state;
    const history = async (workflowId: string): Promise<HistoryEvent[]> =>
      (await workflows.getHandle(workflowId).fetchHistory()).events ?? [];
    const ofType = (events: HistoryEvent[], type: keyof typeof EventType) =>
      events.filter((e) => e.eventType === EventType[type]);
    /** The patch ids of the history's patch markers, in order. */
    const patchMarkers = (events: HistoryEvent[]) =>
      ofType(events, 'EVENT_TYPE_MARKER_RECORDED')
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .map((e) => {
          const data = e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!;
          return (JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id;
        });

    interface Alert {
      name: string;
      id: string;
      workflowId: string;
      dedupKey: string;
    }
    /**
     * waitFor, and if it times out, says why the alert's workflow tasks failed: where old and new code that
     * do not agree show (an alert stuck on a task that fails on every try, Temporal retrying it).
     */
    const waitForAlert = async (
      a: Pick<Alert, 'name' | 'workflowId'>,
      what: string,
      check: () => boolean | Promise<boolean>,
      ms = 30_000,
    ) => {
      try {
        await waitFor(`${a.name}: ${what}`, check, ms);
      } catch (err) {
        const failed = ofType(await history(a.workflowId), 'EVENT_TYPE_WORKFLOW_TASK_FAILED');
        if (failed.length === 0) throw err;
        const why = [...new Set(failed.map((e) => e.workflowTaskFailedEventAttributes?.failure?.message))];
        throw new Error(`${(err as Error).message}; its workflow tasks failed: ${why.join(' | ')}`, {
          cause: err,
        });
      }
    };
    /** Triggers an alert; resolves once its first tier has paged and the workflow took in the result. */
    const trigger = async (name: string): Promise<Alert> => {
      const dedupKey = `rolling-${name}`;
      const { id, workflowId } = await w.trigger({ summary: `Rolling upgrade ${name}`, dedup_key: dedupKey });
      await waitForAlert({ name, workflowId }, 'its first page, taken in by the workflow', async () => {
        const events = await history(workflowId);
        const done = ofType(events, 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED').at(-1)?.eventId;
        return (
          done != null &&
          ofType(events, 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED').some((e) => Number(e.eventId) > Number(done))
        );
      });
      return { name, id, workflowId, dedupKey };
    };
    /** Acknowledges or resolves, as a responder does; waits until Postgres has it. */
    const act = async (a: Alert, action: 'acknowledge' | 'resolve', state: string) => {
      const res = await w.request('POST', `/alerts/${a.id}/${action}`, { actor: 'alice' });
      // 202: no worker answered within the API's deadline and the action was queued (a hand-over can take that).
      assert.ok(
        res.status === 200 || res.status === 202,
        `${a.name} ${action}: ${res.status} ${JSON.stringify(res.body)}`,
      );
      await waitForAlert(a, `${state} in Postgres`, async () => (await stateOf(a.id)) === state);
    };

    // 1. The old worker alone: alerts whose histories old code writes, timers pending.
    const oldWorker = await startWorker('old', oldBundle);
    const a1 = await trigger('a1'); // acknowledged during the overlap, resolved after
    const a2 = await trigger('a2'); // resolved during the overlap, re-triggered after
    const a3 = await trigger('a3'); // left to escalate: its tier fires on the new worker
    const oldOnly = Date.now();

    // 2. The new worker joins: both poll the queue (and its pages queue).
    const newWorker = await startWorker('new', newBundle);
    // Triggered together, so that both workers' pollers are handed some (one at a time, the old worker's
    // pollers, waiting longest, took each): a4 and a7 are acknowledged after the overlap, a5 and a8 escalate.
    const [a4, a5, a7, a8] = await Promise.all([trigger('a4'), trigger('a5'), trigger('a7'), trigger('a8')]);
    await act(a1, 'acknowledge', 'acknowledged');
    await act(a2, 'resolve', 'resolved');

    // 3. The old worker stops as a rolling upgrade stops it, and the new one carries on alone.
    oldWorker.child.kill('SIGTERM');
    assert.equal(await oldWorker.exited, 0, oldWorker.output().slice(-2000));
    const stoppedAfterMs = Date.now() - oldOnly;
    await act(a4, 'acknowledge', 'acknowledged');
    await act(a7, 'acknowledge', 'acknowledged');
    const a6 = await trigger('a6'); // the new code's from the start
    await act(a1, 'resolve', 'resolved');
    // A re-trigger inside the reopen window reopens a2: a second cycle, paged by the new code.
    const again = await w.request('POST', '/alerts', {
      summary: 'Rolling upgrade a2',
      severity: 'critical',
      service: 'checkout',
      source: 'prometheus',
      dedup_key: a2.dedupKey,
    });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.id, a2.id);
    await waitForAlert(a2, 'reopened and paged again', () => pages(a2.id, '/now') === 2);
    await waitForAlert(a2, 'took in its second page', async () =>
      patchMarkers(await history(a2.workflowId)).includes('notification-rules'),
    );
    await act(a2, 'resolve', 'resolved');

    // The escalations the alerts left alone were waiting for: the second tier, and held-back pages.
    // The overlap's alerts that the new code began hold their pages back; those the old code began do not.
    const patchedOnes = new Set<string>();
    for (const a of [a5, a8])
      if (patchMarkers(await history(a.workflowId)).includes('notification-rules')) patchedOnes.add(a.name);
    const later = (a: Alert) => (patchedOnes.has(a.name) ? 1 : 0);
    const dueWithin = DUE_AFTER_MS + 30_000;
    for (const a of [a3, a5, a6, a8])
      await waitForAlert(a, 'escalated to the second tier', () => pages(a.id, '/tier1') === 1, dueWithin);
    for (const a of [a5, a6, a8].filter((x) => x === a6 || later(x)))
      await waitForAlert(
        a,
        'its held-back page, by the new code',
        () => pages(a.id, '/later') === 1,
        dueWithin,
      );
    for (const a of [a3, a5, a6, a8]) await act(a, 'resolve', 'resolved');

    // Every alert is where its actions left it...
    const alerts = [a1, a2, a3, a4, a5, a6, a7, a8];
    const states = Object.fromEntries(
      await Promise.all(alerts.map(async (a) => [a.name, await stateOf(a.id)])),
    );
    assert.deepEqual(states, {
      a1: 'resolved',
      a2: 'resolved',
      a3: 'resolved',
      a4: 'acknowledged',
      a5: 'resolved',
      a6: 'resolved',
      a7: 'acknowledged',
      a8: 'resolved',
    });

    // ...each page came once: as many as the escalation called for, and no idempotency key twice.
    const expected: Record<string, [now: number, later: number, tier1: number]> = {
      a1: [1, 0, 0],
      a2: [2, 0, 0],
      a3: [1, 0, 1],
      a4: [1, 0, 0],
      a5: [1, later(a5), 1],
      a6: [1, 1, 1],
      a7: [1, 0, 0],
      a8: [1, later(a8), 1],
    };
    const got = Object.fromEntries(
      alerts.map((a) => [a.name, [pages(a.id, '/now'), pages(a.id, '/later'), pages(a.id, '/tier1')]]),
    );
    assert.deepEqual(got, expected, 'pages per alert: [/now, /later, /tier1]');
    const keys = w.hooks.requests.map((r) => (r.json as { idempotency_key?: string }).idempotency_key);
    assert.equal(new Set(keys).size, keys.length, `a page delivered twice: ${keys.join(', ')}`);

    // ...and no workflow task failed, nor any workflow. Nor did one time out: a graceful stop hands the old
    // worker's sticky queue back, so no task waits there for the sticky timeout.
    const histories = new Map(
      await Promise.all(alerts.map(async (a) => [a.name, await history(a.workflowId)] as const)),
    );
    for (const a of alerts) {
      const events = histories.get(a.name)!;
      for (const type of [
        'EVENT_TYPE_WORKFLOW_TASK_FAILED',
        'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT',
        'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
        'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED',
      ] as const)
        assert.equal(ofType(events, type).length, 0, `${a.name}: ${type}`);
      const { status } = await workflows.getHandle(a.workflowId).describe();
      // Resolved alerts wait out the reopen window; none has failed.
      assert.ok(status.name === 'RUNNING' || status.name === 'COMPLETED', `${a.name}: ${status.name}`);
    }

    // Both workers completed tasks of the alerts begun on the old one: the hand-over really happened.
    const by = (events: HistoryEvent[]) => {
      const ids = ofType(events, 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED').map(
        (e) => e.workflowTaskCompletedEventAttributes?.identity ?? '',
      );
      return {
        old: ids.some((i) => i.startsWith(`${oldWorker.child.pid}@`)),
        new: ids.some((i) => i.startsWith(`${newWorker.child.pid}@`)),
      };
    };
    for (const a of [a1, a2, a3])
      assert.deepEqual(
        by(histories.get(a.name)!),
        { old: true, new: true },
        `${a.name}: tasks by both workers`,
      );
    assert.deepEqual(by(histories.get('a6')!), { old: false, new: true }, 'a6 ran on the new worker only');

    // The patch is what told the two apart. Old code ignored a3's held-back page and wrote no marker, and the
    // new code, replaying that history, kept to the old path: no /later page although its tier fired.
    assert.deepEqual(patchMarkers(histories.get('a3')!), [], 'a3: no patch marker');
    assert.deepEqual(patchMarkers(histories.get('a1')!), [], 'a1: no patch marker');
    // The new code took the new path from a6's start, and from a2's second cycle on.
    assert.deepEqual(patchMarkers(histories.get('a6')!), ['notification-rules']);
    assert.deepEqual(patchMarkers(histories.get('a2')!), ['notification-rules']);

    // And the way back is shut: the old code cannot replay a history the new code wrote.
    await assert.rejects(
      Worker.runReplayHistory(
        { workflowBundle: oldBundle, sinks: klaxonSinks },
        { events: histories.get('a6')! },
        a6.workflowId,
      ),
      DeterminismViolationError,
      'an old worker replaying a6 meets commands it does not issue',
    );
    // Which worker took up the alerts triggered while both polled is Temporal's choice; said, not asserted.
    const firstBy = (a: Alert) => {
      const first = ofType(histories.get(a.name)!, 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED')[0]
        ?.workflowTaskCompletedEventAttributes?.identity;
      return first?.startsWith(`${oldWorker.child.pid}@`) ? 'old' : 'new';
    };
    console.log(
      `rolling upgrade: old worker stopped ${(stoppedAfterMs / 1000).toFixed(1)} s after the last alert it had alone; ` +
        `the overlap's alerts began on the ${[a4, a5, a7, a8].map((a) => `${firstBy(a)} (${a.name})`).join(', ')} worker`,
    );
  },
);
