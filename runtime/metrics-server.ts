/**
 * The worker process's scrape endpoint, `GET /metrics` on WORKER_METRICS_PORT, and its probes:
 * `GET /healthz` (the process is up) and `GET /readyz` (the worker is running: 503 while it starts and
 * from the moment it begins to shut down). A bare node:http server, not the API's Express app: a worker
 * answers nothing else, and this keeps it free of the API's routes.
 */
import http from 'node:http';
import { exposition } from './metrics';

const json = (res: http.ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/**
 * Returns the server once it listens (port 0 picks a free one). `state` says what /readyz reports:
 * the worker's state, RUNNING being the only ready one (unset: ready whenever the process is up).
 */
export function serveMetrics(port: number, host: string, state?: () => string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return json(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/readyz') {
      const now = state?.() ?? 'RUNNING';
      return json(res, now === 'RUNNING' ? 200 : 503, { status: now === 'RUNNING' ? 'ok' : 'unavailable', worker: now });
    }
    if (req.method !== 'GET' || path !== '/metrics') {
      json(res, 404, { error: 'not_found', message: 'only GET /metrics, /healthz and /readyz are served here' });
      return;
    }
    exposition().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'metrics_failed', message: err.message })),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
