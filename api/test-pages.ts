/**
 * "Send a test page": POST /me/contact-methods/:methodId/test for my own (a console session), and
 * POST /users/:id/contact-methods/:methodId/test (admin) for anyone's. Starts the test-page workflow
 * (workflows/test-page.ts) and waits for its answer within the action deadline; a worker that does not
 * answer in time leaves it queued (202), never lost. POST …/verify sends a verification code the same
 * way (email, SMS and voice only); typing it back is api/contact-verification.ts.
 */
import { WorkflowFailedError, type WorkflowClient } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import type { TestPageInput, TestPageResult } from '../activities';
import { VERIFIABLE } from '../domain/contact-verification';
import { TEST_PAGE_WORKFLOW_TYPE, testPageWorkflowId } from '../workflows/messages';
import { actorOf } from './auth';
import { ACTION_DEADLINE_MS, engineDidNotAnswer, withinDeadline } from './engine-deadline';
import { HttpError, notFound, parseInput } from './errors';
import { mount } from './route';
import { userRoutes as routes } from './schemas/users';
import { myUserId } from './users';

export interface TestPageDeps {
  pool: pg.Pool;
  workflows: WorkflowClient;
  taskQueue: string;
  actionDeadlineMs?: number;
}

/** The text of a failure a workflow ended with: its activity's last error, not the wrapper's. */
function failureText(err: WorkflowFailedError): string {
  let e: unknown = err.cause;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : 'the test page failed';
}

/** Returns the router for test pages. */
export function testPagesRouter({
  pool,
  workflows,
  taskQueue,
  actionDeadlineMs = ACTION_DEADLINE_MS,
}: TestPageDeps): Router {
  const router = Router();

  /** Sends the test page to the user's method and answers how it went (or that it is queued). */
  const sendTest = async (req: Request, res: Response, id: string, methodId: string, verify = false) => {
    const who = req.principal!;
    const found = await pool.query<{ type: string }>(
      'select type from contact_methods where id = $1 and user_id = $2',
      [methodId, id],
    );
    if (found.rowCount === 0) throw notFound(`contact method ${methodId} of user ${id}`);
    if (verify && !(VERIFIABLE as readonly string[]).includes(found.rows[0]!.type)) {
      const message = `a ${found.rows[0]!.type} contact method cannot be verified by code`;
      throw new HttpError(400, 'invalid_request', `params.methodId: ${message}`, {
        errors: [{ field: 'params.methodId', message }],
      });
    }
    // A repeated request (same Idempotency-Key) joins the run the first one started.
    const key = req.get('idempotency-key');
    const requestId = `${verify ? 'verify:' : ''}${key ? `${who.kind}:${who.id}:${key}` : randomUUID()}`;
    const input: TestPageInput = {
      userId: id,
      methodId,
      requestedBy: actorOf(who),
      requestId,
      ...(verify ? { verify } : {}),
    };
    const workflowId = testPageWorkflowId(requestId);
    let result: TestPageResult;
    try {
      result = await withinDeadline(workflows, actionDeadlineMs, async () => {
        const handle = await workflows
          .start(TEST_PAGE_WORKFLOW_TYPE, {
            workflowId,
            taskQueue,
            args: [input],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          })
          .catch((err: unknown) => {
            if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError')
              return workflows.getHandle(workflowId);
            throw err;
          });
        return (await handle.result()) as TestPageResult;
      });
    } catch (err) {
      if (err instanceof WorkflowFailedError) {
        res.json({ status: 'failed', provider_id: null, error: failureText(err) });
        return;
      }
      if (!engineDidNotAnswer(err)) throw err;
      res
        .status(202)
        .json({
          queued: true,
          workflow_id: workflowId,
          message: `no worker answered within ${Math.round(actionDeadlineMs / 1000)} s; the test page goes out when one runs it`,
        });
      return;
    }
    if (result.status === 'gone') throw notFound(`contact method ${methodId} of user ${id}`);
    if (result.status === 'sent')
      res.json({ status: 'sent', provider_id: result.providerId ?? null, error: null });
    else res.json({ status: 'failed', provider_id: null, error: result.error });
  };

  mount(router, routes.testContactMethod, async (req, res) => {
    const { id, methodId } = parseInput(routes.testContactMethod.request.params, req.params, 'params');
    await sendTest(req, res, id, methodId);
  });

  mount(router, routes.testMyContactMethod, async (req, res) => {
    const { methodId } = parseInput(routes.testMyContactMethod.request.params, req.params, 'params');
    await sendTest(req, res, myUserId(req), methodId);
  });

  mount(router, routes.verifyContactMethod, async (req, res) => {
    const { id, methodId } = parseInput(routes.verifyContactMethod.request.params, req.params, 'params');
    await sendTest(req, res, id, methodId, true);
  });

  mount(router, routes.verifyMyContactMethod, async (req, res) => {
    const { methodId } = parseInput(routes.verifyMyContactMethod.request.params, req.params, 'params');
    await sendTest(req, res, myUserId(req), methodId, true);
  });

  return router;
}
