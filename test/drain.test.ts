// Stopping the HTTP server (api/drain.ts): requests in flight that finish within the bound get their own
// answer, the rest 503 shutting_down with Retry-After, and the server takes no more connections.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import { drainOf } from '../api/drain';

it('lets requests finish within the bound, answers the rest 503, and closes', async () => {
  let release: (() => void) | undefined;
  let received = 0;
  const server = http.createServer((req, res) => {
    received++;
    // /quick finishes once the drain has begun; /stuck never does, as a call to an unreachable Temporal.
    if (req.url === '/quick') release = () => res.end('done');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const drain = drainOf(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const answer = (path: string) =>
    fetch(`${base}${path}`).then(async (r) => ({
      status: r.status,
      retryAfter: r.headers.get('retry-after'),
      text: await r.text(),
    }));
  const quick = answer('/quick');
  const stuck = answer('/stuck');
  while (received < 2) await new Promise((r) => setTimeout(r, 10));

  const stopping = drain.stop(1_000);
  setTimeout(() => release!(), 100);
  const { unfinished } = await stopping;
  assert.deepEqual(await quick, { status: 200, retryAfter: null, text: 'done' });
  const s = await stuck;
  assert.equal(s.status, 503);
  assert.equal(s.retryAfter, '10');
  assert.equal(JSON.parse(s.text).error.code, 'shutting_down');
  assert.equal(unfinished, 1);
  assert.equal(server.listening, false);
  await assert.rejects(fetch(`${base}/quick`), 'no more connections');
});
