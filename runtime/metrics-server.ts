/**
 * The worker process's scrape endpoint: `GET /metrics` on WORKER_METRICS_PORT. A bare node:http server,
 * not the API's Express app: a worker answers nothing else, and this keeps it free of the API's routes.
 */
import http from 'node:http';
import { exposition } from './metrics';

/** Returns the server once it listens (port 0 picks a free one). */
export function serveMetrics(port: number, host: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found', message: 'only GET /metrics is served here' }));
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
