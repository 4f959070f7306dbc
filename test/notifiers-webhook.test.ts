import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createWebhookNotifier,
  PermanentDeliveryError,
  TransientDeliveryError,
  verifyWebhookSignature,
  type PageMessage,
} from '../notifiers';
import { closedPort, delivery, LOOPBACK_ALLOWLIST as allowlist, rejectsWith } from './helpers/pages';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver';

describe('webhook notifier', () => {
  let hooks: WebhookReceiver;
  const secret = 'whsec-test-secret';
  before(async () => {
    hooks = await startWebhookReceiver();
    hooks.respondWith('/bad', 400);
    hooks.respondWith('/busy', 503);
    hooks.respondWith('/slow', 200, { delayMs: 2_000 });
  });
  after(() => hooks?.close());
  const webhook = () => createWebhookNotifier({ defaultSecret: secret, allowlist });

  it('POSTs signed JSON with the idempotency key; the signature verifies and a tampered body does not', async () => {
    const d = delivery('webhook', `${hooks.url}/hooks/pager?team=payments`);
    const before = hooks.received();
    await webhook().send(d);
    assert.equal(hooks.received(), before + 1);
    const req = hooks.requests.at(-1);
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/hooks/pager');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['user-agent'], 'Klaxon');
    assert.equal(req.headers['idempotency-key'], d.idempotencyKey);
    const body = req.json as { event: string; alert: PageMessage; idempotency_key: string; sent_at: string };
    assert.equal(body.event, 'page');
    assert.deepEqual(body.alert, d.message);
    assert.equal(body.idempotency_key, d.idempotencyKey);
    assert.ok(Math.abs(Date.parse(body.sent_at) - Date.now()) < 60_000);

    const sig = req.headers['x-klaxon-signature'] as string;
    const ts = req.headers['x-klaxon-timestamp'] as string;
    assert.match(sig, /^sha256=[0-9a-f]{64}$/);
    assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 60);
    assert.equal(verifyWebhookSignature(secret, sig, ts, req.rawBody), true);
    assert.equal(
      verifyWebhookSignature(secret, sig, ts, req.rawBody.replace('Disk full', 'Disk fine')),
      false,
    );
    assert.equal(verifyWebhookSignature('another-secret', sig, ts, req.rawBody), false);
    assert.equal(verifyWebhookSignature(secret, sig, String(Number(ts) + 1), req.rawBody), false);
    assert.equal(
      verifyWebhookSignature(secret, sig, ts, req.rawBody, 300, new Date(Number(ts) * 1000 + 301_000)),
      false,
    );
  });

  it("signs with the delivery's own secret when it has one, and omits the signature when there is none", async () => {
    await webhook().send(delivery('webhook', `${hooks.url}/own`, { secret: 'per-target' }));
    const own = hooks.requests.at(-1);
    assert.ok(own);
    const args = [
      own.headers['x-klaxon-signature'] as string,
      own.headers['x-klaxon-timestamp'] as string,
      own.rawBody,
    ] as const;
    assert.equal(verifyWebhookSignature('per-target', ...args), true);
    assert.equal(verifyWebhookSignature(secret, ...args), false);

    await createWebhookNotifier({ allowlist }).send(delivery('webhook', `${hooks.url}/unsigned`));
    const unsigned = hooks.requests.at(-1);
    assert.equal(unsigned?.path, '/unsigned');
    assert.equal(unsigned?.headers['x-klaxon-signature'], undefined);
    assert.ok(unsigned?.headers['x-klaxon-timestamp']);
  });

  it('turns a 400 into PermanentDeliveryError and a 503 into TransientDeliveryError', async () => {
    await rejectsWith(webhook().send(delivery('webhook', `${hooks.url}/bad`)), PermanentDeliveryError, 400);
    await rejectsWith(webhook().send(delivery('webhook', `${hooks.url}/busy`)), TransientDeliveryError, 503);
    assert.deepEqual(
      hooks.requests.slice(-2).map((r) => r.path),
      ['/bad', '/busy'],
    );
  });

  it('turns an unreachable receiver and a timeout into TransientDeliveryError', async () => {
    await rejectsWith(
      webhook().send(delivery('webhook', `http://127.0.0.1:${await closedPort()}/x`)),
      TransientDeliveryError,
      'ECONNREFUSED',
    );
    const quick = createWebhookNotifier({ defaultSecret: secret, timeoutMs: 200, allowlist });
    await rejectsWith(
      quick.send(delivery('webhook', `${hooks.url}/slow`)),
      TransientDeliveryError,
      'ETIMEDOUT',
    );
    assert.equal(hooks.requests.at(-1)?.path, '/slow');
  });

  it('refuses non-http addresses without sending anything: PermanentDeliveryError', async () => {
    const before = hooks.received();
    await rejectsWith(
      webhook().send(delivery('webhook', 'ftp://127.0.0.1/x')),
      PermanentDeliveryError,
      'EBADURL',
    );
    await rejectsWith(webhook().send(delivery('webhook', 'not a url')), PermanentDeliveryError, 'EBADURL');
    assert.equal(hooks.received(), before);
  });
});
