/**
 * The whole stack for API tests: real Postgres (a fresh database), the real time-skipping Temporal
 * server, a real worker and the Express app on a free port, with an admin key.
 */
import type { Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createApp } from '../../api/app';
import { listen } from '../../api/listen';
import { createNotifiers, type Channel, type Notifier } from '../../notifiers';
import { createLogger, type Logger } from '../../runtime/logger';
import { createApiKey } from '../../store/api-keys';
import { createKlaxonWorker } from '../../worker/worker';
import { createTestDatabase, type TestDatabase } from './database';
import { startTestTemporal, workflowBundle } from './temporal';

export interface Harness {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  baseUrl: string;
  adminKey: string;
  taskQueue: string;
  /** Stops the in-process worker (to simulate it dying); startWorker() brings a new one. */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  request(
    method: string,
    path: string,
    body?: unknown,
    opts?: { key?: string | null; raw?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON
}

/** The PUBLIC_URL the worker puts in pages and Twilio signs inbound SMS webhooks over. */
export const PUBLIC_URL = 'http://klaxon.test';

/** Returns a started harness; close() tears everything down. */
export interface HarnessOptions {
  recordWaitMs?: number;
  inProcessWorker?: boolean;
  notifiers?: Record<Channel, Notifier>;
  afterRecorded?: (key: string) => void;
  ingestRatePerMinute?: number;
  /** Checks X-Twilio-Signature on inbound SMS replies. */
  twilioAuthToken?: string;
  apiRatePerMinute?: number;
  /** The app's logger; silent unless given. */
  log?: Logger;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const [env, db] = await Promise.all([startTestTemporal(), createTestDatabase()]);
  const taskQueue = `klaxon-test-${Math.random().toString(36).slice(2)}`;
  const log = opts.log ?? createLogger('silent');
  const bundle = await workflowBundle();
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const startWorker = async () => {
    worker = await createKlaxonWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      pool: db.pool,
      workflowBundle: bundle,
      notifiers: opts.notifiers ?? createNotifiers({}),
      publicUrl: PUBLIC_URL,
      afterRecorded: opts.afterRecorded,
      workflows: env.client.workflow,
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    worker?.shutdown();
    await running;
    worker = undefined;
  };
  if (opts.inProcessWorker !== false) await startWorker();
  const app = createApp({
    pool: db.pool,
    temporal: env.client,
    taskQueue,
    log,
    bodyLimit: '64kb',
    recordWaitMs: opts.recordWaitMs,
    ingestRatePerMinute: opts.ingestRatePerMinute,
    // Links expire by the time-skipping clock, the one pages are dated by.
    replies: { publicUrl: PUBLIC_URL, twilioAuthToken: opts.twilioAuthToken, now: () => env.currentTimeMs() },
    apiRatePerMinute: opts.apiRatePerMinute ?? 100_000,
  });
  const server: Server = await listen(app, 0);
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { key: adminKey } = await createApiKey(db.pool, { name: 'test-admin', role: 'admin' });

  return {
    env,
    db,
    baseUrl,
    adminKey,
    taskQueue,
    startWorker,
    stopWorker,
    async request(method, path, body, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      const key = o.key === undefined ? adminKey : o.key;
      if (key !== null) headers.authorization = `Bearer ${key}`;
      let payload: string | undefined = o.raw;
      if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
      if (payload !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON; assertions will say so
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stopWorker();
      await env.teardown();
      await db.drop();
    },
  };
}
