/** Connecting to Temporal, registering Klaxon's search attributes, and launching the dev server. */
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/messages';
import type { ServerExecutable } from './temporal-tools';

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
export async function startTimeSkippingServer(executable: ServerExecutable): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}
