/** A local HTTP server that records every request and answers with a configurable status per path. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as received, which is what a signature covers. */
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  received(): number;
  /**
   * Answers requests to `path` with `status` from now on; `delayMs` holds the answer back (timeouts),
   * `body` replaces the default JSON body.
   */
  respondWith(path: string, status: number, opts?: { delayMs?: number; body?: string }): void;
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1 with an ephemeral port; every path answers 200 until told otherwise. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const responses = new Map<string, { status: number; delayMs: number; body?: string }>();
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        json = undefined;
      }
      requests.push({ method: req.method ?? '', path, headers: req.headers, rawBody, json });
      const { status, delayMs, body } = responses.get(path) ?? { status: 200, delayMs: 0 };
      const reply = () => {
        timers.delete(timer);
        if (!res.destroyed)
          res.writeHead(status, { 'Content-Type': 'application/json' }).end(body ?? JSON.stringify({ status }));
      };
      const timer = setTimeout(reply, delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    received: () => requests.length,
    respondWith: (path, status, opts = {}) =>
      void responses.set(path, { status, delayMs: opts.delayMs ?? 0, body: opts.body }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
