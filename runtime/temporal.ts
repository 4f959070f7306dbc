/** Connecting to Temporal, registering Klaxon's search attributes, and launching the dev server. */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/messages';
import { ConfigError } from './config';
import type { Logger } from './logger';
import { probeTls, type TemporalTarget } from './temporal-connection';
import type { ServerExecutable } from './temporal-tools';

export interface ConnectRetryOptions {
  log: Pick<Logger, 'warn' | 'info'>;
  /** Gives up waiting on one try after this long: an address that drops packets never answers at all. */
  tryTimeoutMs?: number;
  /** Wait before the second try; doubled after each failure up to maxDelayMs. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Stops retrying (Ctrl-C during an outage): the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Returns the connection `connect` makes, trying again with exponential backoff for as long as Temporal
 * is unreachable, logging each failed try. A process started during an outage (or before Temporal, as
 * in docker compose) waits for it instead of exiting. A try that succeeds after its deadline passed is
 * closed, so no connection leaks. A ConfigError (TLS settings the server refuses) is not an outage: it
 * is thrown at once, since every further try would be refused the same way.
 */
export async function connectWithRetry<T extends { close(): Promise<void> }>(
  what: string,
  address: string,
  connect: (tryTimeoutMs: number) => Promise<T>,
  { log, tryTimeoutMs = 10_000, firstDelayMs = 500, maxDelayMs = 30_000, signal }: ConnectRetryOptions,
): Promise<T> {
  for (let attempt = 1, delay = firstDelayMs; ; attempt++, delay = Math.min(delay * 2, maxDelayMs)) {
    signal?.throwIfAborted();
    const trying = connect(tryTimeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${tryTimeoutMs} ms`)), tryTimeoutMs);
    });
    try {
      const connection = await Promise.race([trying, deadline]);
      if (attempt > 1) log.info({ address, attempt }, `${what}: connected to Temporal`);
      return connection;
    } catch (err) {
      trying.then((late) => late.close()).catch(() => {});
      if (err instanceof ConfigError) throw err;
      log.warn(
        { address, attempt, retryInMs: delay, error: (err as Error).message },
        `${what}: Temporal at ${address} unreachable (try ${attempt}), retrying in ${delay} ms`,
      );
    } finally {
      clearTimeout(timer);
    }
    await sleep(delay, undefined, { signal });
  }
}

/** A client connection whose automatic call retries can be stopped, so closing it never meets one. */
export interface ClientConnection {
  connection: Connection;
  /** From now on a failed call fails at once instead of being retried (shutting down: Temporal may be gone). */
  stopRetries(): void;
  /** Stops retries, waits until every retry already scheduled has run, then closes the connection. */
  close(): Promise<void>;
}

/**
 * Returns the SDK's default retry interceptor with a switch. A retry is a timer that opens a new call
 * when it fires; one firing after the connection was closed throws "Channel has been shut down" from
 * the timer, which crashes the process. So a shutdown stops retries and waits out the last scheduled.
 */
function stoppableRetries() {
  const defaults = defaultGrpcRetryOptions();
  let stopped = false;
  let lastScheduledAt = 0;
  const interceptor = makeGrpcRetryInterceptor({
    retryableDecider: (attempt, status) => !stopped && defaults.retryableDecider(attempt, status),
    delayFunction: (attempt, status) => {
      const ms = defaults.delayFunction(attempt, status);
      lastScheduledAt = Math.max(lastScheduledAt, Date.now() + ms);
      return ms;
    },
  });
  return {
    interceptors: [interceptor],
    stop: () => void (stopped = true),
    // The margin lets a retry that fires at the last instant open its call before the channel closes.
    settled: () => sleep(Math.max(0, lastScheduledAt - Date.now()) + 100),
  };
}

/** Returns a client connection to Temporal, retried until it answers (see connectWithRetry). */
export async function connectClient(target: TemporalTarget, opts: ConnectRetryOptions): Promise<ClientConnection> {
  const retries = stoppableRetries();
  const { address, tls, apiKey } = target;
  const connection = await connectWithRetry(
    'client',
    address,
    async (ms) => {
      await probeTls(target, ms);
      return Connection.connect({ address, tls, apiKey, connectTimeout: ms, interceptors: retries.interceptors });
    },
    opts,
  );
  return {
    connection,
    stopRetries: retries.stop,
    async close() {
      retries.stop();
      await retries.settled();
      await connection.close();
    },
  };
}

/** Returns a worker connection to Temporal, retried until it answers (see connectWithRetry). */
export function connectWorker(target: TemporalTarget, opts: ConnectRetryOptions): Promise<NativeConnection> {
  const { address, tls, apiKey } = target;
  return connectWithRetry(
    'worker',
    address,
    async (ms) => {
      await probeTls(target, ms);
      return NativeConnection.connect({ address, tls, apiKey });
    },
    opts,
  );
}

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/**
 * Registers AlertState, AlertSeverity and Service as Keyword search attributes; already-registered ones
 * are left as they are, so this is safe on every start.
 */
export async function registerSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string): Promise<void> {
  const searchAttributes = Object.fromEntries(SEARCH_ATTRIBUTE_KEYS.map((k) => [k.name, KEYWORD]));
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (err) {
    const code = (err as { code?: number }).code;
    // 6 = ALREADY_EXISTS: registered by an earlier start (or by the dev server's own flag).
    if (code !== 6) throw new Error('register search attributes', { cause: err });
  }
}

/** Returns a running Temporal CLI dev server with its Web UI, persisted to dbFile. */
export async function startDevServer(opts: {
  executable: ServerExecutable;
  port: number;
  uiPort: number;
  dbFile: string;
  namespace: string;
}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: opts.executable,
      ip: '127.0.0.1',
      port: opts.port,
      ui: true,
      uiPort: opts.uiPort,
      dbFilename: path.resolve(opts.dbFile),
      namespace: opts.namespace,
      searchAttributes: SEARCH_ATTRIBUTE_KEYS,
      log: { format: 'json', level: 'error' },
    },
  });
}

/** Returns a running time-skipping test server (tests, benchmarks) with Klaxon's search attributes registered. */
export async function startTimeSkippingServer(executable: ServerExecutable, port?: number): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable, ...(port ? { port } : {}) } });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}
