/**
 * The chaos benchmark's processes, each on its own: the API and the worker as `npm run api` and `npm run
 * worker` start them, the Temporal CLI dev server, and an embedded Postgres. A supervisor keeps each of
 * the first three running as a deployment's process manager would: whatever ends it (the benchmark's
 * SIGKILL, or the process giving up by itself, e.g. a worker that cannot reach Temporal at start), it is
 * started again, and every start and exit is counted. Output goes to one log file per process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../runtime/embedded-postgres';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/messages';
import { sleep } from './service';

const root = path.resolve(__dirname, '..');
// A worker bundles the workflow code at start: tens of seconds on a loaded 2-core machine.
const READY_TIMEOUT_MS = 5 * 60_000;
const STOP_TIMEOUT_MS = 30_000;
// After an exit it did not ask for, a process is started again after this long (doubling up to the max):
// what a process manager's restart delay does, so a process that cannot start does not spin.
const RESPAWN_MS = { initial: 500, max: 5_000 };

export interface ProcessCounts {
  name: string;
  /** Times started, the first included. */
  starts: number;
  /** SIGKILLs and stops the benchmark sent. */
  kills: number;
  /** Exits nobody asked for, with the last few reasons (exit code or signal, and the output's last line). */
  unexpectedExits: number;
  exitReasons: string[];
}

export interface SupervisedSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Resolves once the started process serves; `output` is what it printed since it started. */
  ready(output: () => string, exited: Promise<void>): Promise<void>;
}

/** One process kept running; see the module comment. */
export class Supervised {
  readonly counts: ProcessCounts;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private planned = false;
  private stopping = false;
  private starting = false;
  private readyNow: Promise<void> = Promise.resolve();
  private readonly log: WriteStream;
  private delay = RESPAWN_MS.initial;

  constructor(private readonly spec: SupervisedSpec) {
    this.counts = { name: spec.name, starts: 0, kills: 0, unexpectedExits: 0, exitReasons: [] };
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
  }

  /** Starts the process; resolves once it is ready. */
  start(): Promise<void> {
    this.stopping = false;
    return this.becoming(this.spawnUntilReady());
  }

  /** The process id of the current process, or undefined before the first start. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves once the current process (or the one being started) is ready. */
  ready(): Promise<void> {
    return this.readyNow;
  }

  /** Sends the signal (SIGKILL unless told), then starts it again after `downMs`; resolves once it is ready. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', downMs = 0): Promise<void> {
    await this.readyNow.catch(() => {});
    this.counts.kills++;
    this.planned = true;
    this.child?.kill(signal);
    await this.exited;
    this.planned = false;
    if (downMs > 0) await sleep(downMs);
    return this.start();
  }

  /** Stops it for good: SIGTERM, then SIGKILL if it has not exited in time. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const late = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(late);
    }
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }

  /** Makes `ready` the promise ready() answers; a stop while starting rejects it, and nobody need wait. */
  private becoming(ready: Promise<void>): Promise<void> {
    this.readyNow = ready;
    ready.catch(() => {});
    return ready;
  }

  private async spawnUntilReady(): Promise<void> {
    this.starting = true;
    try {
      await this.spawnLoop();
    } finally {
      this.starting = false;
    }
  }

  private async spawnLoop(): Promise<void> {
    for (;;) {
      if (this.stopping) throw new Error(`${this.spec.name}: stopped while starting`);
      const { exited, output } = this.spawnOnce();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`not ready in ${READY_TIMEOUT_MS / 1000} s`)),
          READY_TIMEOUT_MS,
        );
      });
      try {
        // ready() itself rejects once the process has exited.
        await Promise.race([this.spec.ready(output, exited), late]);
        this.delay = RESPAWN_MS.initial;
        return;
      } catch (err) {
        if (this.stopping) throw err;
        // Exited on its own (a dependency still down): counted by the exit handler; go round again.
        this.child?.kill('SIGKILL');
        await exited;
        await sleep(this.delay);
        this.delay = Math.min(this.delay * 2, RESPAWN_MS.max);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private spawnOnce(): { exited: Promise<void>; output: () => string } {
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: root,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.counts.starts++;
    let out = '';
    let tail = '';
    const take = (c: Buffer) => {
      const text = c.toString();
      // Only the start is needed to tell readiness (and the admin key); the log file keeps everything.
      if (out.length < 64_000) out += text;
      tail = (tail + text).slice(-2_000);
      this.log.write(text);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    this.log.write(`\n=== ${new Date().toISOString()} ${this.spec.name} started (pid ${child.pid})\n`);
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        const why = signal ?? `exit ${code}`;
        this.log.write(`\n=== ${new Date().toISOString()} ${this.spec.name} ended (${why})\n`);
        if (!this.planned && !this.stopping) {
          this.counts.unexpectedExits++;
          const last = tail.trim().split('\n').at(-1)?.slice(0, 200) ?? '';
          this.counts.exitReasons = [...this.counts.exitReasons, `${why}: ${last}`].slice(-5);
          // Exited while serving: a process manager starts it again (while starting, the loop does).
          if (!this.starting) void this.becoming(this.respawnLater());
        }
        resolve();
      });
    });
    return { exited: this.exited, output: () => out };
  }

  private async respawnLater(): Promise<void> {
    await sleep(this.delay);
    this.delay = Math.min(this.delay * 2, RESPAWN_MS.max);
    return this.spawnUntilReady();
  }
}

/** Polls check() until it returns true; rejects when the process exits first. */
async function until(
  check: () => boolean | Promise<boolean>,
  exited: Promise<void>,
  everyMs = 200,
): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error('exited');
    if (await check()) return;
    await sleep(everyMs);
  }
}

/** Resolves once GET url answers 200, or rejects when the process exits first. */
export function httpReady(url: string, exited: Promise<void>): Promise<void> {
  return until(
    () =>
      fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.ok,
        () => false,
      ),
    exited,
  );
}

/** Resolves once the output holds the text, or rejects when the process exits first. */
export function printed(output: () => string, text: string, exited: Promise<void>): Promise<void> {
  return until(() => output().includes(text), exited, 100);
}

/** Resolves once something accepts connections on 127.0.0.1:port, or rejects when the process exits first. */
function portOpen(port: number, exited: Promise<void>): Promise<void> {
  const open = () =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  return until(open, exited, 100);
}

/** Returns the Temporal CLI dev server as a supervised process, persisted to dbFile. */
export function devServer(o: { cli: string; port: number; dbFile: string; logFile: string }): Supervised {
  return new Supervised({
    name: 'temporal',
    command: o.cli,
    args: [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(o.port),
      '--headless',
      '--db-filename',
      o.dbFile,
      '--log-level',
      'warn',
      ...SEARCH_ATTRIBUTE_KEYS.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
    ],
    env: process.env,
    logFile: o.logFile,
    // The port opens a moment before the frontend answers; the API and the worker retry past that.
    ready: (_out, exited) => portOpen(o.port, exited),
  });
}

/**
 * Returns `node --import tsx <script>` of this repository as a supervised process, or with `args` the
 * node arguments given (the compiled code under dist/, as production runs it).
 */
export function klaxonProcess(o: {
  name: string;
  script: string;
  args?: string[];
  env: Record<string, string>;
  logFile: string;
  ready: SupervisedSpec['ready'];
}): Supervised {
  return new Supervised({
    name: o.name,
    command: process.execPath,
    args: o.args ?? ['--import', 'tsx', o.script],
    env: { ...process.env, ...o.env },
    logFile: o.logFile,
    ready: o.ready,
  });
}

/** An embedded Postgres that can be stopped and started again on the same data and port. */
export class RestartablePostgres {
  readonly counts: ProcessCounts = {
    name: 'postgres',
    starts: 0,
    kills: 0,
    unexpectedExits: 0,
    exitReasons: [],
  };
  private handle: EmbeddedPostgresHandle | undefined;

  constructor(private readonly o: { dataDir: string; port: number; log: (line: string) => void }) {}

  urlFor(database: string): string {
    return `postgres://klaxon:klaxon@127.0.0.1:${this.o.port}/${database}`;
  }

  async start(): Promise<void> {
    this.handle = await startEmbeddedPostgres(this.o);
    this.counts.starts++;
  }

  /** Stops it (a fast shutdown: every connection is cut), keeps it down for downMs, starts it again. */
  async restart(downMs: number): Promise<void> {
    this.counts.kills++;
    await this.stop();
    await sleep(downMs);
    await this.start();
  }

  async stop(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.stop();
  }
}
