/** /alerts: trigger, read and move alerts. Writes go to the alert's workflow; reads come from Postgres. */
import { Router, type Request } from 'express';
import type pg from 'pg';
import { WorkflowNotFoundError, type WorkflowClient } from '@temporalio/client';
import type { TransitionAction } from '../domain/lifecycle';
import { getAlert, listAlerts, type AlertRow } from '../store/alerts';
import { listAudit } from '../store/audit';
import { listNotifications } from '../store/notifications';
import { listSlaEvents } from '../store/sla';
import {
  escalateUpdate,
  noteUpdate,
  recordedUpdate,
  transitionUpdates,
  viewQuery,
  type AlertView,
} from '../workflows/messages';
import { alertHandle, refusalOf, type AlertAction } from './alert-actions';
import { actorOf } from './auth';
import { HttpError, notFound, parseInput } from './errors';
import { triggerAlert, type TriggerDeps } from './trigger';
import { mount } from './route';
import { alertRoutes as routes } from './schemas/alerts';
import { shownTarget, type Target } from '../domain/escalation';
import { pagesNobody } from '../domain/pages-nobody';

export interface AlertsRouterDeps {
  pool: pg.Pool;
  workflows: WorkflowClient;
  taskQueue: string;
  /** How long POST /alerts waits for the record to reach Postgres before answering 202 instead of 201. */
  recordWaitMs?: number;
  slaAtRiskFraction: number;
  reopenWindowMs: number;
  now?: TriggerDeps['now'];
  plans?: TriggerDeps['plans'];
  recent?: TriggerDeps['recent'];
}

/** Returns the JSON shape of an alert record. */
export function alertJson(row: AlertRow) {
  return {
    id: row.id,
    summary: row.summary,
    severity: row.severity,
    service: row.service,
    source: row.source,
    state: row.state,
    dedup_key: row.dedup_key,
    labels: row.labels,
    details: row.details,
    links: row.links,
    occurrences: row.occurrences,
    triggered_at: row.triggered_at,
    last_seen_at: row.last_seen_at,
    acknowledged_at: row.acknowledged_at,
    resolved_at: row.resolved_at,
    tta_ms: row.tta_ms,
    ttr_ms: row.ttr_ms,
    sla_targets: { tta_ms: row.tta_target_ms, ttr_ms: row.ttr_target_ms },
    policy: row.policy_id ? { id: row.policy_id, name: row.policy_name } : null,
    workflow_id: row.workflow_id,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Returns the router for /alerts. */
export function alertsRouter({ pool, workflows, taskQueue, recordWaitMs = 10_000, slaAtRiskFraction, reopenWindowMs, now, plans, recent }: AlertsRouterDeps): Router {
  const router = Router();

  /** Returns the alert named in the path and a handle on its own chain of workflow runs, or throws 404. */
  const alertOf = async (req: Request) => {
    const { id } = parseInput(routes.get.request.params, req.params, 'params');
    const row = await getAlert(pool, id);
    if (!row) throw notFound(`alert ${id}`);
    return { id, row, handle: alertHandle(workflows, row) };
  };

  mount(router, routes.create, async (req, res) => {
    const body = parseInput(routes.create.request.body, req.body, 'body');
    const { handle, candidateId, workflowId, pagesNobody: plannedNobody } = await triggerAlert(
      { pool, workflows, taskQueue, slaAtRiskFraction, reopenWindowMs, now, plans, recent },
      {
        summary: body.summary,
        severity: body.severity,
        service: body.service,
        source: body.source,
        dedupKey: body.dedup_key,
        labels: body.labels,
        details: body.details,
        links: body.links,
      },
    );
    const view = await withTimeout<AlertView>(handle.executeUpdate(recordedUpdate), recordWaitMs).catch(() => undefined);
    if (!view) {
      // No worker answered in time: the event is safe in Temporal and will be recorded when one does.
      const memo = (await handle.describe()).memo as { alertId?: string } | undefined;
      const alertId = memo?.alertId ?? candidateId;
      res.status(202).location(`/alerts/${alertId}`).json({ id: alertId, workflow_id: workflowId, recorded: false, ...(plannedNobody ? { pages_nobody: plannedNobody } : {}) });
      return;
    }
    const created = view.alertId === candidateId;
    // From the alert as recorded (the open one, for a duplicate), not from this request's planning.
    const nobody = pagesNobody({ service: view.service, severity: view.severity, hasPolicy: view.escalation.policy !== null, groupRole: view.group?.role ?? null });
    res
      .status(created ? 201 : 200)
      .location(`/alerts/${view.alertId}`)
      .json({ id: view.alertId, workflow_id: workflowId, created, deduplicated: !created, state: view.state, occurrences: view.occurrences, ...(nobody ? { pages_nobody: nobody } : {}) });
  });

  mount(router, routes.list, async (req, res) => {
    const q = parseInput(routes.list.request.query, req.query, 'query');
    let after: { triggeredAt: Date; id: string } | undefined;
    if (q.cursor) {
      try {
        const [t, id] = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) as [string, string];
        after = { triggeredAt: new Date(t), id };
        if (Number.isNaN(after.triggeredAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
      } catch {
        throw new HttpError(400, 'invalid_request', 'query.cursor: not a cursor from a previous page', { errors: [{ field: 'query.cursor', message: 'not a cursor from a previous page' }] });
      }
    }
    const rows = await listAlerts(pool, {
      state: q.state,
      severity: q.severity,
      service: q.service,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      after,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    const nextCursor = rows.length > q.limit && last ? Buffer.from(JSON.stringify([last.triggered_at.toISOString(), last.id])).toString('base64url') : null;
    res.json({ alerts: page.map(alertJson), next_cursor: nextCursor });
  });

  mount(router, routes.get, async (req, res) => {
    const { id, row, handle } = await alertOf(req);
    const [audit, notifications, slaEvents, live] = await Promise.all([
      listAudit(pool, id),
      listNotifications(pool, id),
      listSlaEvents(pool, id),
      handle
        .query(viewQuery)
        .then((v) => (v.alertId === id ? v : null))
        .catch(() => null),
    ]);
    res.json({
      ...alertJson(row),
      // Runs started before the view hid webhook secrets still carry them in their targets.
      live: live && { ...live, notifications: live.notifications.map((n) => ({ ...n, target: shownTarget(n.target) })) },
      timeline: audit.map((a) => ({ action: a.action, from: a.from_state, to: a.to_state, actor: a.actor, reason: a.reason, at: a.at })),
      notifications: notifications.map((n) => ({
        kind: n.kind,
        cycle: n.cycle,
        loop: n.loop,
        tier: n.tier,
        target: shownTarget(n.target as Target),
        user_id: n.user_id,
        channel: n.channel,
        address: n.address,
        status: n.status,
        error: n.error,
        attempts: n.attempts,
        at: n.scheduled_at,
      })),
      sla_events: slaEvents,
    });
  });

  const transition = (action: TransitionAction) =>
    mount(router, routes.transitions[action], async (req, res) => {
      const body = parseInput(routes.transitions[action].request.body, req.body, 'body');
      const { id, row, handle } = await alertOf(req);
      try {
        const result = await handle.executeUpdate(transitionUpdates[action], {
          args: [{ actor: actorOf(req.apiKey, body.actor), reason: body.reason }],
        });
        res.json({ id, state: result.to, from: result.from, at: result.at });
      } catch (err) {
        throw refusalOrRethrow(err, action, row);
      }
    });
  for (const action of Object.keys(transitionUpdates) as TransitionAction[]) transition(action);

  mount(router, routes.escalate, async (req, res) => {
    const body = parseInput(routes.escalate.request.body, req.body, 'body');
    const { id, row, handle } = await alertOf(req);
    try {
      const fired = await handle.executeUpdate(escalateUpdate, { args: [{ actor: actorOf(req.apiKey, body.actor), reason: body.reason }] });
      res.json({ id, escalated_to: { loop: fired.loop, tier: fired.tier }, at: fired.at });
    } catch (err) {
      throw refusalOrRethrow(err, 'escalate', row);
    }
  });

  mount(router, routes.note, async (req, res) => {
    const body = parseInput(routes.note.request.body, req.body, 'body');
    const { id, handle } = await alertOf(req);
    try {
      const note = await handle.executeUpdate(noteUpdate, { args: [{ actor: actorOf(req.apiKey, body.actor), text: body.text }] });
      res.status(201).json({ id, note: body.text, at: note.at });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'alert_closed', `alert ${id} is closed; notes can be added while it is open or inside its reopen window`);
      throw err;
    }
  });

  return router;
}

/** Maps a refused or closed-workflow Update failure to a 409 naming both states; rethrows anything else. */
function refusalOrRethrow(err: unknown, action: AlertAction, row: AlertRow): unknown {
  const refusal = refusalOf(err, action, row);
  return refusal ? new HttpError(409, refusal.code, refusal.message, refusal.details) : err;
}
