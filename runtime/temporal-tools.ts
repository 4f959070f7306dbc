/**
 * Finds or builds the Temporal binaries Klaxon runs on, without needing the internet at run time:
 * the time-skipping test server (Java, from Maven Central) for tests, and the Temporal CLI dev server
 * with its Web UI (Go, from the Go module proxy) for `npm start`. Each route is tried in order and
 * logged in one line; results are kept in a git-ignored tools folder and reused.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, renameSync, writeFileSync, accessSync, constants } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** What the Temporal SDK's ephemeral-server launcher accepts as `executable`. */
export type ServerExecutable =
  | { type: 'existing-path'; path: string }
  | { type: 'cached-download'; downloadDir: string };

export const TEST_SERVER_VERSION = '1.38.0';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

type Log = (line: string) => void;

interface ResolveOptions {
  toolsDir: string;
  explicitPath?: string;
  log: Log;
}

/** Returns the absolute path of `command` if it is an executable on PATH. */
export function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

export function elapsed(start: bigint): string {
  return `${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s`;
}

const testServerPom = (version: string) => `<?xml version="1.0" encoding="UTF-8"?>
<!-- Only used to fetch the runtime classpath of Temporal's time-skipping test server. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>klaxon.tools</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${version}</version>
    </dependency>
    <dependency>
      <!-- The server logs through slf4j; without a binding it prints a warning on every start. -->
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
`;

// A cold JVM on two busy cores can come close to the SDK's ~5 s start-up window. C1-only JIT, the
// serial collector and an AppCDS archive of the classes loaded at start-up keep it well inside.
const launcherScript = `#!/bin/sh
# Temporal time-skipping test server. exec, so that the SDK's kill signal reaches the JVM itself.
DIR="$(cd "$(dirname "$0")/.." && pwd)"
CDS=""
if [ -f "$DIR/app-cds.jsa" ]; then CDS="-XX:SharedArchiveFile=$DIR/app-cds.jsa -Xshare:auto"; fi
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k $CDS \\
  -cp "$DIR/lib/*" io.temporal.testserver.TestServer "$@"
`;

export function run(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const result = spawnSync(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${output}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port, or rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the built server once with -XX:ArchiveClassesAtExit so later starts map its classes from an AppCDS archive. */
async function buildCdsArchive(dir: string): Promise<void> {
  const port = await freePort();
  const child = spawn(
    'java',
    [
      `-XX:ArchiveClassesAtExit=${path.join(dir, 'app-cds.jsa')}`,
      // The same flags as the launcher: a dynamic archive is refused when they differ.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Xss512k',
      '-cp',
      `${path.join(dir, 'lib')}/*`,
      'io.temporal.testserver.TestServer',
      String(port),
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, 60_000);
  } finally {
    child.kill('SIGTERM'); // a clean JVM exit is what writes the archive
    await exited;
  }
}

/**
 * Returns the time-skipping test server to run: TEMPORAL_TEST_SERVER_PATH, else a previous build in the
 * tools folder, else a fresh build from Maven Central when java and mvn exist, else the SDK's own download.
 */
export async function resolveTestServer({ toolsDir, explicitPath, log }: ResolveOptions): Promise<ServerExecutable> {
  if (explicitPath) {
    log(`test-server: using TEMPORAL_TEST_SERVER_PATH=${explicitPath}`);
    return { type: 'existing-path', path: path.resolve(explicitPath) };
  }
  const dir = path.resolve(toolsDir, `temporal-test-server-${TEST_SERVER_VERSION}`);
  const launcher = path.join(dir, 'bin', 'temporal-test-server');
  if (existsSync(path.join(dir, '.complete'))) {
    log(`test-server: reusing ${path.relative(process.cwd(), launcher)}`);
    return { type: 'existing-path', path: launcher };
  }
  const mvn = findOnPath('mvn');
  const java = findOnPath('java');
  if (mvn && java) {
    const start = process.hrtime.bigint();
    // Build beside the final folder and rename at the end: a half-built folder is never reused.
    const staging = `${dir}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(path.join(staging, 'bin'), { recursive: true });
    try {
      writeFileSync(path.join(staging, 'pom.xml'), testServerPom(TEST_SERVER_VERSION));
      run(mvn, ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', '-DoutputDirectory=lib'], {
        cwd: staging,
      });
      writeFileSync(path.join(staging, 'bin', 'temporal-test-server'), launcherScript, { mode: 0o755 });
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
      // The archive records the classpath it was made with, so it is made in the final folder.
      await buildCdsArchive(dir).catch((err) => log(`test-server: no AppCDS archive (${(err as Error).message}); starting without`));
      writeFileSync(path.join(dir, '.complete'), `${new Date().toISOString()}\n`);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      log(`test-server: Maven build failed, falling back to the SDK download (${(err as Error).message.split('\n')[0]})`);
      return { type: 'cached-download', downloadDir: path.resolve(toolsDir, 'sdk-download') };
    }
    log(`test-server: built io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven in ${elapsed(start)}`);
    return { type: 'existing-path', path: launcher };
  }
  log('test-server: no TEMPORAL_TEST_SERVER_PATH, no previous build, no java+mvn: using the SDK download');
  return { type: 'cached-download', downloadDir: path.resolve(toolsDir, 'sdk-download') };
}

/**
 * Returns the Temporal CLI (dev server + Web UI) to run: TEMPORAL_CLI_PATH, else `temporal` on PATH, else a
 * previous build in the tools folder, else `go install` when Go exists, else the SDK's own download.
 */
export async function resolveTemporalCli({ toolsDir, explicitPath, log }: ResolveOptions): Promise<ServerExecutable> {
  if (explicitPath) {
    log(`temporal-cli: using TEMPORAL_CLI_PATH=${explicitPath}`);
    return { type: 'existing-path', path: path.resolve(explicitPath) };
  }
  const onPath = findOnPath('temporal');
  if (onPath) {
    log(`temporal-cli: using ${onPath} from PATH`);
    return { type: 'existing-path', path: onPath };
  }
  const binDir = path.resolve(toolsDir, 'bin');
  const built = path.join(binDir, 'temporal');
  if (existsSync(built)) {
    log(`temporal-cli: reusing ${path.relative(process.cwd(), built)}`);
    return { type: 'existing-path', path: built };
  }
  const go = findOnPath('go');
  if (go) {
    const start = process.hrtime.bigint();
    log(`temporal-cli: building ${TEMPORAL_CLI_MODULE} with go install (minutes the first time, once)`);
    try {
      // go install writes the binary only when the build succeeded, so a partial build is never reused.
      run(go, ['install', TEMPORAL_CLI_MODULE], { env: { ...process.env, GOBIN: binDir } });
    } catch (err) {
      log(`temporal-cli: go install failed, falling back to the SDK download (${(err as Error).message.split('\n')[0]})`);
      return { type: 'cached-download', downloadDir: path.resolve(toolsDir, 'sdk-download') };
    }
    log(`temporal-cli: built with go in ${elapsed(start)}`);
    return { type: 'existing-path', path: built };
  }
  log('temporal-cli: no TEMPORAL_CLI_PATH, none on PATH, no previous build, no Go: using the SDK download');
  return { type: 'cached-download', downloadDir: path.resolve(toolsDir, 'sdk-download') };
}

/**
 * Installs a Debian package when this process may (apt-get on PATH, running as root); returns whether it
 * did. Tools the tests need (Alertmanager, Prometheus) come this way on machines that reach Debian.
 */
export function tryAptInstall(pkg: string, tool: string, log: (line: string) => void): boolean {
  const apt = findOnPath('apt-get');
  if (!apt || process.getuid?.() !== 0) return false;
  const start = process.hrtime.bigint();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', '-qq', '--no-install-recommends', pkg];
  try {
    log(`${tool}: installing Debian package ${pkg}`);
    try {
      run(apt, install, { env });
    } catch {
      // A fresh machine's package lists may be missing or stale.
      run(apt, ['update', '-qq'], { env });
      run(apt, install, { env });
    }
    log(`${tool}: installed with apt-get in ${elapsed(start)}`);
    return true;
  } catch (err) {
    log(`${tool}: apt-get failed (${(err as Error).message.split('\n')[0]})`);
    return false;
  }
}
