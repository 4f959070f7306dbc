// The production build as the Dockerfile makes and runs it: tsc with tsconfig.build.json, the prebuilt
// workflow bundle and the web console, into a folder laid out like the image (package.json, sql/,
// node_modules/, dist/), then the compiled worker and API under plain node (no tsx, no source maps)
// against Postgres and Temporal. Paths resolved beside the code (migrations, package.json's version, the
// bundle, Swagger's assets, the console) must
// be found from dist/, and the worker must run the alert from the bundle file.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { alertWorkflowId } from '../workflows/messages';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { freePort } from './helpers/npm-start';
import { startTestTemporal } from './helpers/temporal';

const root = path.resolve(__dirname, '..');
const image = mkdtempSync(path.join(os.tmpdir(), 'klaxon-build-'));
const dist = path.join(image, 'dist');
let db: TestDatabase;
let temporal: TestWorkflowEnvironment;
const running: ChildProcess[] = [];

before(async () => {
  copyFileSync(path.join(root, 'package.json'), path.join(image, 'package.json'));
  for (const dir of ['sql', 'node_modules']) symlinkSync(path.join(root, dir), path.join(image, dir));
  // The steps of `npm run build`, into this folder instead of the checkout's dist/.
  const tools = path.join(root, 'node_modules', '.bin');
  execFileSync(path.join(tools, 'tsc'), ['-p', path.join(root, 'tsconfig.build.json'), '--outDir', dist], {
    cwd: root,
    stdio: 'pipe',
  });
  execFileSync(path.join(tools, 'tsx'), [path.join(root, 'scripts', 'build-workflow-bundle.ts'), dist], {
    cwd: root,
    stdio: 'pipe',
  });
  execFileSync(path.join(tools, 'tsx'), [path.join(root, 'scripts', 'build-web.ts'), dist], {
    cwd: root,
    stdio: 'pipe',
  });
  [db, temporal] = await Promise.all([createTestDatabase({ migrate: false }), startTestTemporal()]);
});

after(async () => {
  for (const child of running) child.kill('SIGKILL');
  await temporal?.teardown();
  await db?.drop();
  rmSync(image, { recursive: true, force: true });
});

/** Starts `node args` in the image folder and resolves with its output so far once it prints `ready`. */
function startNode(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<() => string> {
  const child = spawn(process.execPath, args, {
    cwd: image,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      if (ready.test(out)) resolve(() => out);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`node ${args.join(' ')} exited (${code}):\n${out}`)));
  });
}

it(
  'builds dist/ and the workflow bundle, and the compiled worker and API run an alert under plain node',
  { timeout: 120_000 },
  async () => {
    assert.ok(
      existsSync(path.join(dist, 'workflow-bundle.js')),
      'the bundle is written beside the compiled code',
    );
    assert.ok(!existsSync(path.join(dist, 'package.json')), 'package.json is read from the root, not copied');
    const address = temporal.connection.options.address;
    const common = {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: 'build-test',
      LOG_LEVEL: 'info',
      TEMPORAL_METRICS_ADDRESS: 'off',
    };

    // As `npm run worker:prod` runs it: the stack-trace preload, then the worker, loading the built bundle.
    const worker = await startNode(
      ['--require', './dist/worker/workflow-stack-traces.js', 'dist/worker/main.js'],
      { ...common, WORKER_METRICS_PORT: '0' },
      /"msg":"worker started"/,
    );
    assert.match(
      worker(),
      new RegExp(
        `"workflowCode":\\{"codePath":"${path.join(dist, 'workflow-bundle.js').replace(/[/.]/g, '\\$&')}"\\}`,
      ),
    );
    assert.doesNotMatch(worker(), /tsx/);

    const port = await freePort();
    const api = await startNode(
      ['dist/api/main.js'],
      { ...common, HOST: '127.0.0.1', PORT: String(port) },
      /"msg":"api listening"/,
    );
    const key = /admin API key \(shown once\)\s+(kx_\S+)/.exec(api())?.[1];
    assert.ok(key, `the API migrated the empty database and printed the admin key:\n${api()}`);
    const base = `http://127.0.0.1:${port}`;

    const created = await fetch(`${base}/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        summary: 'Compiled build',
        severity: 'high',
        service: 'build',
        source: 'test',
        dedup_key: 'b1',
      }),
    });
    // 201 only once the worker has recorded the alert: the bundle's workflow ran its activity.
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = (await created.json()) as { id: string };
    const { rows } = await db.pool.query<{ state: string }>('select state from alerts where id = $1', [id]);
    assert.equal(rows[0]?.state, 'new');

    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { info: { version: string } };
    assert.equal(
      openapi.info.version,
      (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version,
    );
    assert.equal(
      (await fetch(`${base}/docs/assets/swagger-ui-bundle.js`)).status,
      200,
      'Swagger UI assets found from dist/',
    );
    // The web console is served from dist/web (the image has no web/ sources), its script with it.
    const consolePage = await fetch(`${base}/console/setup`);
    assert.equal(consolePage.status, 200);
    const script = /src="(\/console\/assets\/main-[\w-]+\.js)"/.exec(await consolePage.text())?.[1];
    assert.ok(script, 'the page loads the built script');
    assert.equal((await fetch(`${base}${script}`)).status, 200, 'console assets found from dist/');

    // The preload turned the SDK's promise stacks off in the workflow thread: the stack-trace query says so.
    const client = new Client({ connection: temporal.connection });
    const handle = client.workflow.getHandle(alertWorkflowId('build', 'b1'));
    await assert.rejects(handle.query('__stack_trace'), /stack traces are not enabled/);

    // ...and left Node's AsyncLocalStorage working, which holds the workflow's cancellation scope. Without
    // it, acknowledging ends the scheduler's `condition(fn, deadline)` by cancelling the workflow's root
    // scope: the workflow task fails on an unhandled CancelledFailure and the acknowledge never lands.
    const ack = await fetch(`${base}/alerts/${id}/acknowledge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ actor: 'build' }),
    });
    assert.equal(ack.status, 200, await ack.clone().text());
    const acked = await db.pool.query<{ state: string }>('select state from alerts where id = $1', [id]);
    assert.equal(acked.rows[0]?.state, 'acknowledged');
    const { events } = await handle.fetchHistory();
    const failed = (events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
    assert.deepEqual(
      failed.map((e) => e.workflowTaskFailedEventAttributes?.failure?.message),
      [],
      'no workflow task failed in the compiled worker',
    );
  },
);
