// The Dockerfile, without a Docker engine: linted (dockerfile-utils, the linter of VS Code's Docker
// extension), checked for what an operator's platform demands (a multi-stage build, a numeric non-root
// user, exec-form commands so node is PID 1 and gets SIGTERM, a health check), and then its stages run
// outside Docker (test/helpers/dockerfile-stages.ts): `npm ci`, `npm run build`, `npm ci --omit=dev` into
// folders standing for each stage, the final stage's files owned by someone else and unwritable. Its CMD
// (the API) and the worker's command then run there as that unprivileged user against Postgres and
// Temporal, an alert is recorded, the HEALTHCHECK command passes for each, nothing is written into the
// image's folder, and SIGTERM stops both with exit code 0.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { validate } from 'dockerfile-utils';
import { runStages, stagesOf } from './helpers/dockerfile-stages';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { freePort } from './helpers/npm-start';
import { startTestTemporal } from './helpers/temporal';
import { waitFor } from './helpers/world';

const root = path.resolve(__dirname, '..');
const text = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'klaxon-dockerfile-'));
chmodSync(scratch, 0o755);
const stages = stagesOf(text, scratch);
const image = stages.at(-1)!;
const asRoot = process.getuid?.() === 0;
const running: ChildProcess[] = [];
let temporal: TestWorkflowEnvironment | undefined;
let db: TestDatabase | undefined;

after(async () => {
  for (const child of running) child.kill('SIGKILL');
  await temporal?.teardown();
  await db?.drop();
  // Unwritable for the run (when not root, by mode): writable again to be removed.
  spawnSync('chmod', ['-R', 'u+w', scratch]);
  rmSync(scratch, { recursive: true, force: true });
});

it('lints clean and has what a platform demands of an image', () => {
  assert.deepEqual(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`), []);
  assert.deepEqual(validate('FROM node:20\nUSER\n').map((d) => d.message), ['Instruction has no arguments'], 'the linter does find faults');
  assert.ok(stages.length >= 2, 'multi-stage: the build stage with dev dependencies is not the image');
  assert.ok(stages.every((s) => /^node:20[.-]/.test(s.image)), `every stage on Node 20 (this project's engine): ${stages.map((s) => s.image).join(', ')}`);
  assert.equal(image.instructions.filter((i) => i.getKeyword() === 'ADD').length, 0, 'COPY, never ADD (no remote URLs, no auto-extraction)');
  const [uid, gid] = (image.user ?? '').split(':');
  assert.match(uid ?? '', /^[1-9]\d*$/, `USER is a numeric non-root uid (Kubernetes' runAsNonRoot checks it): ${image.user}`);
  assert.match(gid ?? '', /^[1-9]\d*$/);
  assert.equal(image.cmd?.[0], 'node', `CMD runs node itself, in exec form, so it is PID 1 and gets SIGTERM: ${JSON.stringify(image.cmd)}`);
  assert.equal(image.healthcheck?.[0], 'node', `HEALTHCHECK in exec form: ${JSON.stringify(image.healthcheck)}`);
  assert.equal(image.env.NODE_ENV, 'production');
  // This machine's node stands in for the image's: the same major version.
  assert.equal(process.versions.node.split('.')[0], '20');
});

/** The build stages, run once for the tests below. */
before(async () => {
  // The packages come from npm's cache the suite's own `npm ci` filled (the same lockfile): what runs is
  // the Dockerfile's commands, only where npm fetches from changes.
  runStages(stages, root, { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' }, (line) => console.log(`[dockerfile] ${line}`));
  // Like an image's layers: owned by root and read-only for the uid the image runs as. Without root,
  // the files are made read-only for their owner.
  if (!asRoot) spawnSync('chmod', ['-R', 'a-w', image.dir]);
  [temporal, db] = await Promise.all([startTestTemporal(), createTestDatabase({ migrate: false })]);
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** Starts argv in the image's folder as the image's user, with only the given environment (and PATH). */
function runInImage(argv: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const [uid, gid] = image.user!.split(':').map(Number);
  const child = spawn(argv[0] === 'node' ? process.execPath : argv[0]!, argv.slice(1), {
    cwd: image.dir,
    env: { PATH: process.env.PATH, HOME: '/nonexistent', ...image.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asRoot ? { uid, gid } : {}),
  });
  running.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

it('its stages build, and the image runs the API and a worker as its user on a read-only tree', { timeout: 240_000 }, async () => {
  const files = filesUnder(image.dir);
  assert.ok(files.includes(path.join('dist', 'api', 'main.js')) && files.includes(path.join('dist', 'workflow-bundle.js')), 'the build stage made dist/, copied in');
  assert.ok(!files.some((f) => f.startsWith(path.join('node_modules', 'typescript') + path.sep)), 'no dev dependencies in the image');
  const apiPort = await freePort();
  const workerPort = await freePort();
  const common = {
    DATABASE_URL: db!.url,
    TEMPORAL_ADDRESS: temporal!.connection.options.address,
    TEMPORAL_TASK_QUEUE: 'dockerfile-test',
    TEMPORAL_METRICS_ADDRESS: 'off',
    HOST: '127.0.0.1',
    SHUTDOWN_TIMEOUT_SECONDS: '5',
  };
  const apiEnv = { ...common, PORT: String(apiPort), WORKER_METRICS_PORT: '0' };
  // The worker's PORT is one nothing listens on, so its health check can only pass through the worker.
  const workerEnv = { ...common, PORT: String(await freePort()), WORKER_METRICS_PORT: String(workerPort) };
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const api = runInImage(image.cmd!, apiEnv);
  const worker = runInImage(pkg.scripts['worker:prod']!.split(' '), workerEnv);
  await waitFor('the API listens', () => /"msg":"api listening"/.test(api.output()) || api.child.exitCode !== null, 90_000);
  await waitFor('the worker starts', () => /"msg":"worker started"/.test(worker.output()) || worker.child.exitCode !== null, 90_000);
  assert.equal(api.child.exitCode, null, api.output());
  assert.equal(worker.child.exitCode, null, worker.output());

  for (const [who, env] of [['api', apiEnv], ['worker', workerEnv]] as const) {
    const check = runInImage(image.healthcheck!, env);
    assert.equal(await check.exited, 0, `HEALTHCHECK passes for the ${who}: ${check.output()}`);
  }
  const key = /admin API key \(shown once\)\s+(kx_\S+)/.exec(api.output())?.[1];
  const created = await fetch(`http://127.0.0.1:${apiPort}/alerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ summary: 'From the image', severity: 'high', service: 'image', source: 'test', dedup_key: 'image-1' }),
  });
  assert.equal(created.status, 201, await created.clone().text());

  api.child.kill('SIGTERM');
  worker.child.kill('SIGTERM');
  assert.deepEqual(await Promise.all([api.exited, worker.exited]), [0, 0], `${api.output()}\n${worker.output()}`);
  assert.deepEqual(filesUnder(image.dir), files, 'nothing was written into the image');
  // And once stopped, the health check says so.
  const down = runInImage(image.healthcheck!, apiEnv);
  assert.equal(await down.exited, 1);
});

