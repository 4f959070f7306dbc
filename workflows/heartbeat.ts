/**
 * One per heartbeat monitor: a durable timer that each ping resets. When it fires (interval plus grace
 * since the last ping) the monitor's alert opens; the next ping resolves it. Pings are signals, so a
 * job that pings every minute costs Temporal a signal and a timer, and Postgres nothing here.
 */
import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { dueAt, heartbeatDedupKey } from '../domain/heartbeat';
import {
  heartbeatConfigSignal,
  heartbeatPingSignal,
  heartbeatViewQuery,
  type HeartbeatInput,
} from './messages';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A ping adds a handful of events (signal, timer cancelled and started, a task); start afresh well
// before history grows large.
const PINGS_PER_RUN = 500;

export async function heartbeatMonitorWorkflow(input: HeartbeatInput): Promise<void> {
  let { config, lastPingAt, overdue } = input;
  let pings = 0;
  // The count of pings when the alert opened: one that arrives while the alert is being opened counts.
  let pingsWhenOverdue = 0;
  let changes = 0;
  let deleted = false;
  const due = () => dueAt(lastPingAt ?? input.since, config.intervalSeconds, config.graceSeconds);
  setHandler(heartbeatPingSignal, () => {
    pings += 1;
    lastPingAt = Date.now();
  });
  setHandler(heartbeatConfigSignal, (next) => {
    changes += 1;
    if (next) config = next;
    else deleted = true;
  });
  setHandler(heartbeatViewQuery, () => ({
    lastPingAt,
    dueAt: overdue ? null : due(),
    overdue: overdue !== null,
  }));

  while (pings < PINGS_PER_RUN && !deleted && !workflowInfo().continueAsNewSuggested) {
    if (overdue) {
      // Open until the job is heard from again (or the monitor goes away).
      await condition(() => pings !== pingsWhenOverdue || deleted);
      if (deleted) break;
      await acts.heartbeatRecovered({
        monitorId: input.monitorId,
        ...overdue,
        name: config.name,
        at: lastPingAt!,
      });
      overdue = null;
      continue;
    }
    const seenPings = pings;
    const seenChanges = changes;
    const wait = due() - Date.now();
    // A ping or an edit starts the wait again, from the new last ping or with the new interval.
    if (wait > 0 && (await condition(() => pings !== seenPings || changes !== seenChanges, wait))) continue;
    if (pings !== seenPings || deleted) continue;
    overdue = { service: config.service, dedupKey: heartbeatDedupKey(input.monitorId) };
    pingsWhenOverdue = pings;
    const { gone } = await acts.heartbeatOverdue({
      monitorId: input.monitorId,
      ...config,
      lastPingAt,
      dueAt: due(),
    });
    if (gone) return;
  }
  if (deleted) {
    // A monitor that is gone can never ping again: its open alert would stay open for ever.
    if (overdue)
      await acts.heartbeatRecovered({ monitorId: input.monitorId, ...overdue, name: config.name, at: null });
    return;
  }
  await continueAsNew<typeof heartbeatMonitorWorkflow>({ ...input, config, lastPingAt, overdue });
}
