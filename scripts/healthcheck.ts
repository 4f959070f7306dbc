/**
 * The image's HEALTHCHECK: exits 0 when this container's Klaxon process answers GET /healthz, 1 when it
 * does not within 3 s. The image runs either the API (PORT) or a worker (its metrics server on
 * WORKER_METRICS_PORT, which serves /healthz too), so it asks both and the one listening answers.
 * Liveness only: readiness (/readyz) depends on Postgres and Temporal, and restarting a process because
 * the database is down would not bring the database back.
 */
import { loadConfig } from '../runtime/config';

async function answers(port: number, host: string): Promise<boolean> {
  if (port <= 0) return false;
  try {
    const res = await fetch(`http://${host}:${port}/healthz`, { signal: AbortSignal.timeout(3_000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const config = loadConfig();
  // A process listening on every interface is reached on loopback; one bound to an address, there.
  const bare = config.HOST.replace(/^\[(.*)\]$/, '$1');
  const host = bare === '0.0.0.0' || bare === '::' ? '127.0.0.1' : bare.includes(':') ? `[${bare}]` : bare;
  const [api, worker] = await Promise.all([answers(config.PORT, host), answers(config.WORKER_METRICS_PORT, host)]);
  if (api || worker) return 0;
  console.error(`no answer from /healthz on ${host}:${config.PORT} (API) or ${host}:${config.WORKER_METRICS_PORT} (worker)`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
