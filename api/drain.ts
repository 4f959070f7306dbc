/**
 * Stopping the HTTP server without leaving anyone hanging. A request may be waiting on Temporal when the
 * process is told to stop (and under `npm start`, Ctrl-C has already stopped the dev server it waits
 * on), so waiting for every request to end could take as long as the SDK's retries. Instead: stop
 * accepting, give requests in flight a bounded time to finish, answer the rest 503 with Retry-After
 * (what they asked for may or may not have taken effect; every action is safe to repeat), and close
 * every connection.
 */
import type { Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Drain {
  /** Stops the server as above; resolves once it is closed, with how many requests were answered 503. */
  stop(boundMs: number): Promise<{ unfinished: number }>;
}

const SHUTTING_DOWN = JSON.stringify({
  error: {
    code: 'shutting_down',
    message:
      'Klaxon is stopping and this request did not finish in time: it may or may not have taken effect. Retry it once Klaxon is back; repeating it is harmless.',
  },
});

/** Returns the drain of a listening server: it tracks every request from now on. */
export function drainOf(server: Server): Drain {
  const open = new Set<ServerResponse>();
  let emptied: (() => void) | undefined;
  server.on('request', (_req, res: ServerResponse) => {
    open.add(res);
    res.once('close', () => {
      open.delete(res);
      if (open.size === 0) emptied?.();
    });
  });
  return {
    async stop(boundMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (open.size > 0) {
        const allDone = new Promise<void>((resolve) => (emptied = resolve));
        const bound = new AbortController();
        await Promise.race([allDone, sleep(boundMs, undefined, { signal: bound.signal }).catch(() => {})]);
        bound.abort();
      }
      const answered = [...open]
        .filter((res) => !res.headersSent)
        .map((res) => {
          const flushed = new Promise((resolve) => res.once('finish', resolve));
          res
            .writeHead(503, {
              'Content-Type': 'application/json; charset=utf-8',
              'Retry-After': '10',
              Connection: 'close',
            })
            .end(SHUTTING_DOWN);
          return flushed;
        });
      // The answers reach the socket before it is destroyed (a destroyed socket drops what it still holds).
      if (answered.length > 0) await Promise.race([Promise.all(answered), sleep(1_000)]);
      // Keep-alive connections, and responses already streaming: nothing more will be served on them.
      server.closeAllConnections();
      await closed;
      return { unfinished: answered.length };
    },
  };
}
