/** Fixtures shared by the notifier tests: a page, a delivery with a fresh idempotency key, error checks. */
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { parseAllowlist } from '../../domain/outbound-address';
import {
  type PermanentDeliveryError,
  type TransientDeliveryError,
  type Delivery,
  type PageMessage,
} from '../../notifiers';

/**
 * OUTBOUND_ALLOWLIST for tests whose receivers listen on this machine: loopback, said explicitly. The
 * harness and world use it unless a test passes its own (or none).
 */
export const LOOPBACK_ALLOWLIST_TEXT = '127.0.0.0/8,::1';
export const LOOPBACK_ALLOWLIST = parseAllowlist(LOOPBACK_ALLOWLIST_TEXT).allowlist;

export const ACK = 'http://127.0.0.1:3000/alerts/7d7f0c36-1f7e-4c43-a3a5-5a1f1c1f2b10';
export const message = (over: Partial<PageMessage> = {}): PageMessage => ({
  alertId: '7d7f0c36-1f7e-4c43-a3a5-5a1f1c1f2b10',
  kind: 'page',
  summary: 'Disk full on db-1',
  severity: 'critical',
  service: 'payments',
  source: 'prometheus',
  triggeredAt: new Date(Date.now() - 12 * 60_000).toISOString(),
  tier: 0,
  loop: 0,
  ackUrl: ACK,
  details: { host: 'db-1' },
  ...over,
});
let seq = 0;
export const delivery = (
  channel: Delivery['channel'],
  address: string,
  over: Partial<Delivery> = {},
): Delivery => ({
  channel,
  address,
  idempotencyKey: `page:7d7f0c36:tier0:loop0:${channel}:${++seq}`,
  message: message(),
  ...over,
});

/** Returns a port nothing listens on: bound once by us, then released. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Asserts that `p` rejects with an error of class `type` whose code is `code`, and returns the error. */
export async function rejectsWith(
  p: Promise<unknown>,
  type: typeof PermanentDeliveryError | typeof TransientDeliveryError,
  code?: string | number,
) {
  let caught: unknown;
  await p.then(
    () => assert.fail(`expected ${type.name}, the send succeeded`),
    (err: unknown) => (caught = err),
  );
  assert.ok(caught instanceof type, `expected ${type.name}, got ${String(caught)}`);
  if (code !== undefined) assert.equal(caught.code, code, caught.message);
  return caught;
}
