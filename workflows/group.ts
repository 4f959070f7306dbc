/**
 * One alert group's clock. Membership, roles and hand-overs are decided in Postgres as alerts are
 * recorded (activities/group-membership.ts), and the last alert resolved closes the group there; what
 * needs a durable timer is the quiet close: once the window passes with no new alert, the group takes no
 * more, and the key's next alert opens a new group.
 *
 * Groups started before that (no `membership` in their input) run the old protocol to the end: alerts
 * join by signal and are answered lead or follow, members report resolved, and the group closes itself.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  groupActionSignal,
  groupJoinSignal,
  groupMemberStateSignal,
  groupRoleSignal,
  groupViewQuery,
  integrationActionSignal,
  type GroupInput,
} from './messages';

const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Each join adds a few events; well under Temporal's limits, and the suggestion flag may come first.
const MAX_HISTORY_EVENTS = 5_000;

export async function groupWorkflow(input: GroupInput): Promise<void> {
  if (input.membership === 'store') return closeWhenQuiet(input);
  return legacyGroup(input);
}

async function closeWhenQuiet(input: GroupInput): Promise<void> {
  // Each alert that joins extends the window; the store says when it now ends.
  let closesAt = (input.openedAt ?? Date.now()) + input.windowMs;
  for (;;) {
    const wait = closesAt - Date.now();
    if (wait > 0) await sleep(wait);
    const r = await store.closeGroupIfQuiet({ groupId: input.groupId, windowMs: input.windowMs, now: Date.now() });
    if (r.closed) return;
    closesAt = r.closesAt;
    // A storm that goes on for days extends the window hundreds of times; each round adds a few events.
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS) {
      await continueAsNew<typeof groupWorkflow>({ ...input, openedAt: closesAt - input.windowMs });
    }
  }
}

async function legacyGroup(input: GroupInput): Promise<void> {
  const now = Date.now();
  const s = input.state ?? { leader: null, members: [], lastJoinAt: now, openedAt: now };
  const resolved = (s.resolved ??= {});
  let open = true;
  let closeReason: 'resolved' | 'quiet' = 'quiet';
  const allResolved = () => s.members.length > 0 && s.members.every((m) => resolved[m.alertId]?.resolved === true);
  let dirty = false;
  const record = (closed: boolean) =>
    store.recordGroup({
      groupId: input.groupId,
      workflowId: workflowInfo().workflowId,
      service: input.service,
      groupKey: input.groupKey,
      leaderId: s.leader,
      alerts: s.members.length,
      openedAt: new Date(s.openedAt).toISOString(),
      lastAt: new Date(s.lastJoinAt).toISOString(),
      closed,
      closeReason: closed ? closeReason : null,
    });

  setHandler(groupViewQuery, () => ({ groupId: input.groupId, groupKey: input.groupKey, leader: s.leader, members: s.members.map((m) => m.alertId), open }));

  setHandler(groupJoinSignal, async (alert) => {
    if (s.members.some((m) => m.alertId === alert.alertId)) {
      // A retried join, or a reopened member asking again: it keeps the role it has.
      if (patched('regroup-on-reopen')) {
        const role = s.leader === alert.alertId ? 'leader' : 'member';
        await getExternalWorkflowHandle(alert.workflowId).signal(groupRoleSignal, { groupId: input.groupId, role });
      }
      return;
    }
    const role = s.leader === null ? 'leader' : 'member';
    if (role === 'leader') s.leader = alert.alertId;
    s.members.push(alert);
    s.lastJoinAt = Date.now();
    dirty = true;
    await getExternalWorkflowHandle(alert.workflowId).signal(groupRoleSignal, { groupId: input.groupId, role });
  });

  setHandler(groupMemberStateSignal, (report) => {
    // Reports for another run's group (a closed group's member reopening) are not ours.
    if (report.groupId !== input.groupId || !s.members.some((m) => m.alertId === report.alertId)) return;
    const seen = resolved[report.alertId];
    if (seen && seen.version >= report.version) return;
    resolved[report.alertId] = { resolved: report.resolved, version: report.version };
  });

  setHandler(groupActionSignal, async ({ action, actor }) => {
    for (const m of s.members) {
      // An alert that has already finished cannot be signalled; the others act as if their source sent it.
      await getExternalWorkflowHandle(m.workflowId)
        .signal(integrationActionSignal, { action, actor, eventId: `group:${input.groupId}:${action}:${m.alertId}:${Date.now()}` })
        .catch(() => undefined);
    }
  });

  for (;;) {
    if (dirty) {
      dirty = false;
      await record(false);
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof groupWorkflow>({ ...input, state: s });
    }
    if (allResolved()) {
      closeReason = 'resolved';
      break;
    }
    const last = s.lastJoinAt;
    const wait = last + input.windowMs - Date.now();
    if (wait <= 0) break;
    await condition(() => dirty || s.lastJoinAt !== last || allResolved(), wait);
  }
  open = false;
  await condition(allHandlersFinished);
  await record(true);
}
