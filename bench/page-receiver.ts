/** A local webhook receiver for the benchmarks: it timestamps every request on arrival and keeps its JSON body. */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  /** Date.now() when the request arrived. */
  at: number;
  path: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
}

export interface PageReceiver {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Returns a receiver listening on 127.0.0.1 on a free port; it answers every request 200. */
export async function startPageReceiver(): Promise<PageReceiver> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      received.push({ at, path: (req.url ?? '/').split('?')[0]!, body });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });
  await once(server.listen(0, '127.0.0.1'), 'listening');
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.closeAllConnections();
    if (server.listening) await once(server.close(), 'close');
  };
  return { url: `http://127.0.0.1:${port}`, received, close };
}
