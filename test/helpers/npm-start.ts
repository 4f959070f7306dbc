/** `npm start` driven as a newcomer runs it: through npm, in its own process group, stopped with Ctrl-C. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** Returns a port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  output: () => string;
}

/** Runs `npm start` with env on top of this process's and resolves once it says it is ready. */
export function start(env: NodeJS.ProcessEnv): Promise<Started> {
  // Through npm, as the README says, in its own process group so stop() can press Ctrl-C the way a
  // terminal does: SIGINT to every process of the group (npm, its shell, node), not to node alone.
  const child = spawn('npm', ['start'], {
    cwd: root,
    // The SDK's metrics port is fixed by default; tests running side by side would fight over it.
    env: { ...process.env, DATABASE_URL: '', TEMPORAL_ADDRESS: '', TEMPORAL_METRICS_ADDRESS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('[klaxon] ready.')) {
        clearInterval(timer);
        resolve({ child, output: () => out });
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`npm start exited early (${code}):\n${out}`));
    });
  });
}

/**
 * Presses Ctrl-C and resolves once every process of the group has let go of the output (npm itself
 * ends by the signal, as it does in a terminal), with whether Klaxon said it stopped cleanly.
 */
export function stop(s: Started): Promise<boolean> {
  return new Promise((resolve) => {
    s.child.stdout!.once('close', () => resolve(/\[klaxon\] stopped/.test(s.output())));
    process.kill(-s.child.pid!, 'SIGINT');
  });
}
