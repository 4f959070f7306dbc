/**
 * The whole stack for API tests: real Postgres (a fresh database), the real time-skipping Temporal
 * server, a real worker and the Express app on a free port, with an admin key.
 */
import { AssertionError } from 'node:assert';
import type { Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type pg from 'pg';
import { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import type { OidcSettings } from '../../api/oidc-client';
import { startAppCaches, type AppCaches } from '../../api/app-caches';
import { listen } from '../../api/listen';
import type { OutboundAllowlist } from '../../domain/outbound-address';
import { createNotifiers, type Channel, type Notifier } from '../../notifiers';
import { oidcRedirectUriOf } from '../../runtime/config';
import { createLogger, type Logger } from '../../runtime/logger';
import { dataConverterOf, type PayloadKey } from '../../runtime/payload-codec';
import { createApiKey } from '../../store/api-keys';
import { createKlaxonWorker, type KlaxonWorker, type KlaxonWorkerOptions } from '../../worker/worker';
import { responseChecker } from './conformance';
import { createTestDatabase, type TestDatabase } from './database';
import { LOOPBACK_ALLOWLIST } from './pages';
import { startTestTemporal, workflowBundle } from './temporal';

export interface Harness {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  baseUrl: string;
  adminKey: string;
  taskQueue: string;
  /** The app's plan cache, recent alerts and buffered raw-event counts. */
  caches: AppCaches;
  /** Stops the in-process worker (to simulate it dying); startWorker() brings a new one. */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  /**
   * Sends a request to the app. Unless the harness was started with `checkResponses: false`, the response
   * must conform to the OpenAPI document (see helpers/conformance.ts), or this throws an AssertionError.
   */
  request(
    method: string,
    path: string,
    body?: unknown,
    opts?: { key?: string | null; raw?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  /** Every response request() received and the documented operation it matched (null: undocumented). */
  exchanges: { method: string; path: string; status: number; operation: string | null }[];
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
  actionDeadlineMs?: number;
  inProcessWorker?: boolean;
  /** The worker's workflow cache; 0 turns sticky queues off (the test server never moves a task off a stopped worker's). */
  maxCachedWorkflows?: number;
  notifiers?: Record<Channel, Notifier>;
  afterRecorded?: (key: string) => void;
  /** How long pages to a channel that is down are retried (default 24 h). */
  pageRetryCapMs?: number;
  /** See KlaxonWorkerOptions. */
  activityOverrides?: KlaxonWorkerOptions['activityOverrides'];
  groupTaskQueue?: (taskQueue: string) => string;
  ingestRatePerMinute?: number;
  /** Checks X-Twilio-Signature on inbound SMS replies. */
  twilioAuthToken?: string;
  apiRatePerMinute?: number;
  /** Failed authentications per client address a minute (default 100,000: tests fail on purpose, all from 127.0.0.1). */
  authFailuresPerMinute?: number;
  /** Express's `trust proxy` (default false). */
  trustProxy?: boolean | number | string;
  /** The app's logger; silent unless given. */
  log?: Logger;
  /** Check every response request() receives against the OpenAPI document (default true). */
  checkResponses?: boolean;
  /** How often the app writes its buffered raw-event counts (default 1 s). */
  countsEveryMs?: number;
  /** A Temporal server, database and task queue the test started itself (close() still tears them down). */
  temporal?: TestWorkflowEnvironment;
  db?: TestDatabase;
  taskQueue?: string;
  /** Encrypts payloads as TEMPORAL_PAYLOAD_KEYS does: the worker and the API's client share the codec. */
  payloadKeys?: PayloadKey[];
  /**
   * OUTBOUND_ALLOWLIST of the app and the default notifiers. Default: loopback (LOOPBACK_ALLOWLIST_TEXT),
   * where test receivers listen; NO_ALLOWLIST runs as a default install does.
   */
  outboundAllowlist?: OutboundAllowlist;
  /** READY_WORKER_POLL_SECONDS in ms (default 90 s). */
  workerPollMaxAgeMs?: number;
  /** Single sign-on; its redirect URI is PUBLIC_URL's /auth/oidc/callback, like a configured install's. */
  oidc?: Omit<OidcSettings, 'redirectUri'>;
  /** The built web console the app serves (default: dist/web, see BUILT_CONSOLE_DIR). */
  consoleDir?: string;
  /**
   * The clock the app dates triggers by (default: the Temporal environment's). One behind the workers'
   * makes an alert count as accepted that much before its workflow starts, as after a worker backlog, so
   * its minute-granular tiers fire sooner under a real-time server.
   */
  now?: () => number;
  /** The pools the app (with its caches) and the worker query through (default: the database's own). */
  pools?: { api?: pg.Pool; worker?: pg.Pool };
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const [env, db] = await Promise.all([opts.temporal ?? startTestTemporal(), opts.db ?? createTestDatabase()]);
  const taskQueue = opts.taskQueue ?? `klaxon-test-${Math.random().toString(36).slice(2)}`;
  const log = opts.log ?? createLogger('silent');
  const outboundAllowlist = opts.outboundAllowlist ?? LOOPBACK_ALLOWLIST;
  const apiPool = opts.pools?.api ?? db.pool;
  const workerPool = opts.pools?.worker ?? db.pool;
  const bundle = await workflowBundle();
  const dataConverter = dataConverterOf(opts.payloadKeys);
  // The environment's own client has no codec; with keys, the app and activities get one that does.
  const client = dataConverter ? new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter }) : env.client;
  let worker: KlaxonWorker | undefined;
  let running: Promise<void> | undefined;
  const startWorker = async () => {
    worker = await createKlaxonWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      pool: workerPool,
      workflowBundle: bundle,
      notifiers: opts.notifiers ?? createNotifiers({ outboundAllowlist }),
      publicUrl: PUBLIC_URL,
      afterRecorded: opts.afterRecorded,
      pageRetryCapMs: opts.pageRetryCapMs,
      activityOverrides: opts.activityOverrides,
      groupTaskQueue: opts.groupTaskQueue?.(taskQueue),
      workflows: client.workflow,
      dataConverter,
      ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    worker?.shutdown();
    await running;
    worker = undefined;
  };
  if (opts.inProcessWorker !== false) await startWorker();
  const caches = startAppCaches({ pool: apiPool, databaseUrl: db.url, log, reopenWindowMs: 30 * 60_000, countsEveryMs: opts.countsEveryMs });
  const app = createApp({
    pool: apiPool,
    temporal: client,
    taskQueue,
    log,
    bodyLimit: '64kb',
    recordWaitMs: opts.recordWaitMs,
    actionDeadlineMs: opts.actionDeadlineMs,
    ingestRatePerMinute: opts.ingestRatePerMinute,
    // Links expire by the time-skipping clock, the one pages are dated by.
    replies: { publicUrl: PUBLIC_URL, twilioAuthToken: opts.twilioAuthToken, now: () => env.currentTimeMs() },
    apiRatePerMinute: opts.apiRatePerMinute ?? 100_000,
    authFailuresPerMinute: opts.authFailuresPerMinute ?? 100_000,
    trustProxy: opts.trustProxy,
    // Events are dated by the clock their workflows run on (a real API's and Temporal's agree; here the
    // test server's clock has skipped ahead of the machine's).
    now: opts.now ?? (() => env.currentTimeMs()),
    caches,
    outboundAllowlist,
    workerPollMaxAgeMs: opts.workerPollMaxAgeMs,
    oidc: opts.oidc && { ...opts.oidc, redirectUri: oidcRedirectUriOf({ PUBLIC_URL, HOST: '127.0.0.1', PORT: 0 }) },
    consoleDir: opts.consoleDir,
  });
  const server: Server = await listen(app, 0);
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { key: adminKey } = await createApiKey(db.pool, { name: 'test-admin', role: 'admin' });
  const checker = opts.checkResponses === false ? undefined : responseChecker();
  const exchanges: Harness['exchanges'] = [];

  return {
    env,
    db,
    baseUrl,
    adminKey,
    taskQueue,
    caches,
    startWorker,
    stopWorker,
    exchanges,
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
      if (checker) {
        const { operation, problems } = checker.check({ method, path, status: res.status, contentType: res.headers.get('content-type'), text });
        exchanges.push({ method, path, status: res.status, operation });
        if (problems.length > 0) {
          throw new AssertionError({
            message: `${method} ${path} → ${res.status} does not conform to the OpenAPI document${operation ? ` (${operation})` : ''}:\n  ${problems.join('\n  ')}\nbody: ${text.slice(0, 2000)}`,
          });
        }
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await caches.close();
      await stopWorker();
      await env.teardown();
      await db.drop();
    },
  };
}
