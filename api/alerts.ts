/** /alerts: trigger, read and move alerts. Writes go to the alert's workflow; reads come from Postgres. */
import { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import { WorkflowNotFoundError, type WorkflowClient, type WorkflowHandle } from '@temporalio/client';
import { OPEN_ALERT_STATES, type AlertState, type TransitionAction } from '../domain/lifecycle';
import { getAlert, listAlerts, recordedAnswer, type AlertRow } from '../store/alerts';
import { listAudit } from '../store/audit';
import { listNotifications } from '../store/notifications';
import { listSlaEvents } from '../store/sla';
import {
  recordedUpdate,
  transitionUpdates,
  viewQuery,
} from '../workflows/messages';
import { addNote, alertHandle, runAlertAction, type Pending, type Refusal } from './alert-actions';
import { ACTION_DEADLINE_MS, QUERY_DEADLINE_MS, engineDidNotAnswer, withinDeadline } from './engine-deadline';
import { actorOf } from './auth';
import { HttpError, notFound, parseInput } from './errors';
import type { RecordWaits } from './record-waits';
import { triggerAlert, type TriggerDeps } from './trigger';
import { mount } from './route';
import { alertRoutes as routes } from './schemas/alerts';
import { shownTarget, type ShownTarget, type Target } from '../domain/escalation';
import { withoutUrlCredentials as masked } from '../domain/outbound-address';
import { pagesNobody, type PagingFacts } from '../domain/pages-nobody';

export interface AlertsRouterDeps {
  pool: pg.Pool;
  workflows: WorkflowClient;
  taskQueue: string;
  /** How long POST /alerts waits for the record to reach Postgres before answering 202 instead of 201. */
  recordWaitMs?: number;
  /** How long an action waits for the alert's worker before answering 202 (queued) or 503. */
  actionDeadlineMs?: number;
  slaAtRiskFraction: number;
  reopenWindowMs: number;
  now?: TriggerDeps['now'];
  plans?: TriggerDeps['plans'];
  recent?: TriggerDeps['recent'];
  /** Waits for records through the listener (api/record-waits.ts); without it, or while it is down, the workflow is asked. */
  records?: RecordWaits;
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

// What a 503 asks a client to wait before repeating an action no worker took up.
const RETRY_AFTER_S = 5;

/** Returns the router for /alerts. */
export function alertsRouter({ pool, workflows, taskQueue, recordWaitMs = 10_000, actionDeadlineMs = ACTION_DEADLINE_MS, slaAtRiskFraction, reopenWindowMs, now, plans, recent, records }: AlertsRouterDeps): Router {
  const router = Router();

  /** Returns the alert named in the path and a handle on its own chain of workflow runs, or throws 404. */
  const alertOf = async (req: Request) => {
    const { id } = parseInput(routes.get.request.params, req.params, 'params');
    const row = await getAlert(pool, id);
    if (!row) throw notFound(`alert ${id}`);
    return { id, row, handle: alertHandle(workflows, row) };
  };

  type Created = PagingFacts & { state: AlertState; occurrences: number };

  /** Waits for the record's notification, then reads it: the workflow is not asked (an Update costs it a task). */
  async function recordFromStore(waits: RecordWaits, alertId: string): Promise<Created | undefined> {
    if (!(await waits.wait(alertId, recordWaitMs))) return undefined;
    const row = await recordedAnswer(pool, alertId);
    return row && { state: row.state, occurrences: row.occurrences, service: row.service, severity: row.severity, hasPolicy: row.has_policy, groupRole: row.group_role };
  }

  /** Asks the workflow to answer once it has recorded the alert (the listener is down, or there is none). */
  async function recordFromWorkflow(handle: WorkflowHandle): Promise<Created | undefined> {
    const view = await withinDeadline(workflows, recordWaitMs, () => handle.executeUpdate(recordedUpdate)).catch((err: unknown) => {
      if (engineDidNotAnswer(err)) return undefined;
      throw err;
    });
    return view && { state: view.state, occurrences: view.occurrences, service: view.service, severity: view.severity, hasPolicy: view.escalation.policy !== null, groupRole: view.group?.role ?? null };
  }

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
    // Which alert took the event: the memo names the alert its chain of runs started as.
    const alertId = await withinDeadline(workflows, QUERY_DEADLINE_MS, () => handle.describe())
      .then((d) => (d.memo as { alertId?: string } | undefined)?.alertId ?? candidateId)
      .catch((err: unknown) => {
        if (engineDidNotAnswer(err)) return undefined;
        throw err;
      });
    const accepted = (id: string) =>
      res.status(202).location(`/alerts/${id}`).json({ id, workflow_id: workflowId, recorded: false, ...(plannedNobody ? { pages_nobody: plannedNobody } : {}) });
    // Not even describe answered: the event is safe in Temporal (signal-with-start returned), so accepted.
    if (!alertId) return accepted(candidateId);
    if (alertId !== candidateId) {
      // A repeat of an open alert is a signal only, never an Update (Temporal allows 2,000 per run, and a
      // check that re-posts every 30 s would use them up in 17 h): the answer comes from its record.
      const row = await getAlert(pool, alertId);
      if (!row) return accepted(alertId);
      // From the alert as recorded (the open one), not from this request's planning.
      const nobody = pagesNobody({ service: row.service, severity: row.severity, hasPolicy: row.policy_id !== null, groupRole: row.group_id ? 'undecided' : null });
      res
        .status(200)
        .location(`/alerts/${alertId}`)
        .json({ id: alertId, workflow_id: workflowId, created: false, deduplicated: true, state: row.state, occurrences: row.occurrences, ...(nobody ? { pages_nobody: nobody } : {}) });
      return;
    }
    const created = records?.live ? await recordFromStore(records, alertId) : await recordFromWorkflow(handle);
    // No worker recorded it in time: the event is safe in Temporal and will be recorded when one does.
    if (!created) return accepted(alertId);
    const nobody = pagesNobody(created);
    res
      .status(201)
      .location(`/alerts/${alertId}`)
      .json({ id: alertId, workflow_id: workflowId, created: true, deduplicated: false, state: created.state, occurrences: created.occurrences, ...(nobody ? { pages_nobody: nobody } : {}) });
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
      states: q.open === undefined ? undefined : q.open ? OPEN_ALERT_STATES : ['resolved'],
      pagedUser: q.paged_user,
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

  // Webhook URLs stored before credentials in them were refused are shown as https://***@host/….
  const viewTarget = (t: Target | ShownTarget) => {
    const shown = shownTarget(t);
    return shown.type === 'webhook' ? { ...shown, url: masked(shown.url) } : shown;
  };

  mount(router, routes.get, async (req, res) => {
    const { id, row, handle } = await alertOf(req);
    const [audit, notifications, slaEvents, live] = await Promise.all([
      listAudit(pool, id),
      listNotifications(pool, id),
      listSlaEvents(pool, id),
      // The live view needs a worker; without one in time the record alone answers.
      withinDeadline(workflows, QUERY_DEADLINE_MS, () => handle.query(viewQuery))
        .then((v) => (v.alertId === id ? v : null))
        .catch(() => null),
    ]);
    res.json({
      ...alertJson(row),
      // Runs started before the view hid webhook secrets still carry them in their targets.
      live: live && { ...live, notifications: live.notifications.map((n) => ({ ...n, key: masked(n.key), target: viewTarget(n.target), address: masked(n.address) })) },
      timeline: audit.map((a) => ({ action: a.action, from: a.from_state, to: a.to_state, actor: a.actor, reason: a.reason === null ? null : masked(a.reason), at: a.at })),
      notifications: notifications.map((n) => ({
        kind: n.kind,
        cycle: n.cycle,
        loop: n.loop,
        tier: n.tier,
        target: viewTarget(n.target as Target),
        user_id: n.user_id,
        channel: n.channel,
        address: masked(n.address),
        status: n.status,
        error: n.error,
        attempts: n.attempts,
        at: n.scheduled_at,
      })),
      sla_events: slaEvents,
    });
  });

  /** Answers an action no worker took up in time: 202 if it is queued in Temporal, else 503 to retry. */
  const answerPending = (res: Response, id: string, pending: Pending) => {
    if (pending.queued) {
      res.status(202).json({ id, queued: true, update_id: pending.updateId, message: pending.message });
      return;
    }
    throw new HttpError(503, 'engine_busy', pending.message, { update_id: pending.updateId }, { 'Retry-After': String(RETRY_AFTER_S) });
  };

  const transition = (action: TransitionAction) =>
    mount(router, routes.transitions[action], async (req, res) => {
      const body = parseInput(routes.transitions[action].request.body, req.body, 'body');
      const { id, row } = await alertOf(req);
      const outcome = await runAlertAction(workflows, row, action, { actor: actorOf(req.principal, body.actor), reason: body.reason }, { updateId: updateIdOf(req), deadlineMs: actionDeadlineMs });
      if (outcome.pending) return answerPending(res, id, outcome.pending);
      if (!outcome.ok) throw refusalError(outcome.refusal);
      if (outcome.action === 'escalate') throw new Error('unreachable: a transition answered as an escalation');
      res.json({ id, state: outcome.to, from: outcome.from, at: outcome.at });
    });
  for (const action of Object.keys(transitionUpdates) as TransitionAction[]) transition(action);

  mount(router, routes.escalate, async (req, res) => {
    const body = parseInput(routes.escalate.request.body, req.body, 'body');
    const { id, row } = await alertOf(req);
    const outcome = await runAlertAction(workflows, row, 'escalate', { actor: actorOf(req.principal, body.actor), reason: body.reason }, { updateId: updateIdOf(req), deadlineMs: actionDeadlineMs });
    if (outcome.pending) return answerPending(res, id, outcome.pending);
    if (!outcome.ok) throw refusalError(outcome.refusal);
    if (outcome.action !== 'escalate') throw new Error('unreachable: an escalation answered as a transition');
    res.json({ id, escalated_to: { loop: outcome.loop, tier: outcome.tier }, at: outcome.at });
  });

  mount(router, routes.snooze, async (req, res) => {
    const body = parseInput(routes.snooze.request.body, req.body, 'body');
    const { id, row } = await alertOf(req);
    const outcome = await runAlertAction(workflows, row, 'snooze', { actor: actorOf(req.principal, body.actor), reason: body.reason, minutes: body.minutes }, { updateId: updateIdOf(req), deadlineMs: actionDeadlineMs });
    if (outcome.pending) return answerPending(res, id, outcome.pending);
    if (!outcome.ok) throw refusalError(outcome.refusal);
    if (outcome.action !== 'snooze') throw new Error('unreachable: a snooze answered as another action');
    res.json({ id, state: outcome.to, from: outcome.from, snoozed_until: outcome.until, at: outcome.at });
  });

  mount(router, routes.note, async (req, res) => {
    const body = parseInput(routes.note.request.body, req.body, 'body');
    const { id, row } = await alertOf(req);
    try {
      const note = await addNote(workflows, row, { actor: actorOf(req.principal, body.actor), text: body.text }, { updateId: updateIdOf(req), deadlineMs: actionDeadlineMs });
      if (!note.ok) return answerPending(res, id, note.pending);
      res.status(201).json({ id, note: body.text, at: note.at });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'alert_closed', `alert ${id} is closed; notes can be added while it is open or inside its reopen window`);
      throw err;
    }
  });

  return router;
}

/** Returns the 409 a refusal answers with, naming both states. */
function refusalError(refusal: Refusal): HttpError {
  return new HttpError(409, refusal.code, refusal.message, refusal.details);
}

// A client that retries an action with the same Idempotency-Key gets the same Update, which runs once.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** Returns the Update id an action request names through its Idempotency-Key header (scoped to its API key), or undefined. */
function updateIdOf(req: Request): string | undefined {
  const value = req.get('idempotency-key');
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw new HttpError(400, 'invalid_request', 'header Idempotency-Key: 1 to 200 printable ASCII characters without spaces', {
      errors: [{ field: 'header.idempotency-key', message: '1 to 200 printable ASCII characters without spaces' }],
    });
  }
  return `api:${req.principal?.id ?? 'anonymous'}:${value}`;
}
