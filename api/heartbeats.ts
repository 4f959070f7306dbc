/**
 * /heartbeats (monitors, admin) and /heartbeat/:key (the ping, authenticated by the key). The timer is
 * the monitor's workflow (workflows/heartbeat.ts); a ping is a signal-with-start to it, so a monitor
 * whose workflow is gone (a new Temporal namespace, a terminated run) is watched again at its next ping.
 */
import type { WorkflowClient } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import express, { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import type { Logger } from '../runtime/logger';
import { defaultGraceSeconds, dueAt, heartbeatState } from '../domain/heartbeat';
import {
  createHeartbeat,
  deleteHeartbeat,
  findHeartbeatByKey,
  getHeartbeat,
  listHeartbeats,
  touchHeartbeat,
  updateHeartbeat,
  type HeartbeatRow,
} from '../store/heartbeats';
import {
  HEARTBEAT_WORKFLOW_TYPE,
  heartbeatConfigSignal,
  heartbeatPingSignal,
  heartbeatWorkflowId,
  type HeartbeatConfig,
  type HeartbeatInput,
} from '../workflows/messages';
import { authThrottled, type AuthThrottle } from './auth-throttle';
import { ACTION_DEADLINE_MS, withinDeadline } from './engine-deadline';
import { HttpError, notFound, parseInput } from './errors';
import { PD_BODY_LIMIT } from './ingest';
import { KnownSecrets } from './known-secrets';
import { mount } from './route';
import { heartbeatRoutes as routes } from './schemas/heartbeats';

export interface HeartbeatRouterDeps {
  pool: pg.Pool;
  workflows: WorkflowClient;
  taskQueue: string;
  throttle: AuthThrottle;
  log: Logger;
  /** The clock pings are dated by (tests pass the time-skipping server's). */
  now?: () => number | Promise<number>;
}

/** How often a monitor's last-seen time is written at most, however often its job pings. */
export const LAST_SEEN_EVERY_MS = 60_000;

const json = (m: HeartbeatRow) => ({
  id: m.id,
  name: m.name,
  service: m.service,
  severity: m.severity,
  interval_seconds: m.interval_seconds,
  grace_seconds: m.grace_seconds,
  key_prefix: m.key_prefix,
  state: heartbeatState({ lastPingAt: m.last_ping_at, overdueSince: m.overdue_since }),
  last_ping_at: m.last_ping_at,
  overdue_since: m.overdue_since,
  created_at: m.created_at,
});

const configOf = (m: HeartbeatRow): HeartbeatConfig => ({
  name: m.name,
  service: m.service,
  severity: m.severity,
  intervalSeconds: m.interval_seconds,
  graceSeconds: m.grace_seconds,
});

const duplicate = (name: string) =>
  new HttpError(409, 'duplicate', `body.name: a heartbeat monitor named "${name}" exists`);
const isDuplicate = (err: unknown) => (err as { code?: string }).code === '23505';

/** Returns the routes that take pings; mounted before API-key authentication (the key authenticates). */
export function heartbeatPingRouter(deps: HeartbeatRouterDeps): Router {
  const router = Router();
  const known = new KnownSecrets();
  // When this process last wrote each monitor's last-seen time.
  const written = new Map<string, number>();
  const ping = async (req: Request, res: Response) => {
    const { key } = parseInput(routes.ping.request.params, req.params, 'params');
    const verdict = await deps.throttle.verify(req, known.has(key), () => findHeartbeatByKey(deps.pool, key));
    if (verdict.retryAfter !== undefined) throw authThrottled(verdict.retryAfter);
    const monitor = verdict.found;
    known.note(key, monitor !== undefined);
    if (!monitor) throw new HttpError(404, 'not_found', 'no heartbeat monitor with this key');
    const now = await (deps.now ?? Date.now)();
    await withinDeadline(deps.workflows, ACTION_DEADLINE_MS, () =>
      deps.workflows.signalWithStart(HEARTBEAT_WORKFLOW_TYPE, {
        workflowId: heartbeatWorkflowId(monitor.id),
        taskQueue: deps.taskQueue,
        args: [watchInput(monitor, now)],
        signal: heartbeatPingSignal,
      }),
    );
    // The workflow has the exact time; Postgres's copy, for lists and the console, is kept to within a
    // minute, so a job pinging every few seconds costs no write per ping.
    if (now - (written.get(monitor.id) ?? -Infinity) >= LAST_SEEN_EVERY_MS) {
      await touchHeartbeat(deps.pool, monitor.id, new Date(now));
      written.set(monitor.id, now);
    }
    res.json({
      status: 'ok',
      monitor: monitor.name,
      next_due_at: new Date(dueAt(now, monitor.interval_seconds, monitor.grace_seconds)).toISOString(),
    });
  };
  // A ping's body is not read for anything (a job may post its output), but it is bounded like every
  // routing-key route's: 413 past 512 KB, before the key is looked up.
  const bounded = express.raw({ limit: PD_BODY_LIMIT, type: () => true });
  mount(router, routes.pingGet, bounded, ping);
  mount(router, routes.ping, bounded, ping);
  return router;
}

/** The input of a monitor's workflow started now (watching begins; no ping heard yet by this run). */
function watchInput(m: HeartbeatRow, now: number): HeartbeatInput {
  return { monitorId: m.id, config: configOf(m), since: now, lastPingAt: null, overdue: null };
}

/** Returns the router for /heartbeats. */
export function heartbeatsRouter(deps: HeartbeatRouterDeps): Router {
  const router = Router();
  const tell = (m: HeartbeatRow, now: number) =>
    withinDeadline(deps.workflows, ACTION_DEADLINE_MS, () =>
      deps.workflows.signalWithStart(HEARTBEAT_WORKFLOW_TYPE, {
        workflowId: heartbeatWorkflowId(m.id),
        taskQueue: deps.taskQueue,
        args: [watchInput(m, now)],
        signal: heartbeatConfigSignal,
        signalArgs: [configOf(m)],
      }),
    );

  mount(router, routes.create, async (req, res) => {
    const b = parseInput(routes.create.request.body, req.body, 'body');
    let created: { key: string; row: HeartbeatRow };
    try {
      created = await createHeartbeat(deps.pool, {
        name: b.name,
        service: b.service,
        severity: b.severity,
        intervalSeconds: b.interval_seconds,
        graceSeconds: b.grace_seconds ?? defaultGraceSeconds(b.interval_seconds),
      });
    } catch (err) {
      if (isDuplicate(err)) throw duplicate(b.name);
      throw err;
    }
    const { key, row } = created;
    try {
      await tell(row, await (deps.now ?? Date.now)());
    } catch (err) {
      // A monitor nobody watches would never page: without its workflow it is not created at all.
      await deleteHeartbeat(deps.pool, row.id);
      throw err;
    }
    res
      .status(201)
      .location(`/heartbeats/${row.id}`)
      .json({ ...json(row), key, ping_url: `/heartbeat/${key}` });
  });

  mount(router, routes.list, async (_req, res) => {
    res.json({ heartbeats: (await listHeartbeats(deps.pool)).map(json) });
  });

  mount(router, routes.get, async (req, res) => {
    const { id } = parseInput(routes.get.request.params, req.params, 'params');
    const m = await getHeartbeat(deps.pool, id);
    if (!m) throw notFound(`heartbeat monitor ${id}`);
    res.json(json(m));
  });

  mount(router, routes.update, async (req, res) => {
    const { id } = parseInput(routes.update.request.params, req.params, 'params');
    const b = parseInput(routes.update.request.body, req.body, 'body');
    let m: HeartbeatRow | undefined;
    try {
      m = await updateHeartbeat(deps.pool, id, {
        name: b.name,
        service: b.service,
        severity: b.severity,
        intervalSeconds: b.interval_seconds,
        graceSeconds: b.grace_seconds,
      });
    } catch (err) {
      if (isDuplicate(err)) throw duplicate(b.name ?? '');
      throw err;
    }
    if (!m) throw notFound(`heartbeat monitor ${id}`);
    await tell(m, await (deps.now ?? Date.now)());
    res.json(json(m));
  });

  mount(router, routes.delete, async (req, res) => {
    const { id } = parseInput(routes.delete.request.params, req.params, 'params');
    if (!(await deleteHeartbeat(deps.pool, id))) throw notFound(`heartbeat monitor ${id}`);
    try {
      await withinDeadline(deps.workflows, ACTION_DEADLINE_MS, () =>
        deps.workflows.getHandle(heartbeatWorkflowId(id)).signal(heartbeatConfigSignal, null),
      );
    } catch (err) {
      // Not running: nothing watches it. Temporal unreachable: the workflow finds the monitor gone the
      // next time it would open an alert (activities/heartbeats.ts) and ends then.
      if (!(err instanceof WorkflowNotFoundError))
        deps.log.warn({ err, monitor: id }, 'heartbeat deleted; its workflow was not told');
    }
    res.status(204).end();
  });

  return router;
}
