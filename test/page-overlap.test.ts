// Attempts of one page never overlap, and a recorded outcome is final: a slow mail server whose steps add
// up past the old 30 s activity timeout still gets one connection and one email; two attempts running at
// once call the provider once; a late failure never turns `sent` into `failed`; a crashed attempt's claim
// lapses so the page still goes out.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createPageActivities,
  PageInFlightError,
  type SendPageInput,
  type SendPageResult,
} from '../activities/pages';
import { createNotifiers } from '../notifiers';
import {
  claimNotification,
  finishNotification,
  getNotification,
  recordAttemptFailure,
} from '../store/notifications';
import { PUBLIC_URL } from './helpers/harness';
import { LOOPBACK_ALLOWLIST } from './helpers/pages';
import { startWorld, waitFor, type World } from './helpers/world';

// Each of greeting, MAIL FROM, RCPT TO and DATA answers after 8 s: under every 10 s client timeout, but
// 32 s in all, past the 30 s the page activity used to be given.
const STEP_MS = 8_000;
let w: World;
before(async () => {
  w = await startWorld({ smtp: { stepDelayMs: STEP_MS } });
});
after(async () => {
  await w?.close();
});

async function policyFor(service: string, targets: unknown[]): Promise<void> {
  const id = await w.policy({ tiers: [{ delay_minutes: 0, targets }] });
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  await w.request('PUT', '/escalation-rules', {
    rules: [{ policy_id: id, services: [service] }, ...current],
  });
}

describe('a slow send is one attempt', () => {
  it('a mail server slow at every step gets one connection and one email, recorded after one attempt', async () => {
    const user = await w.user('uma', [{ type: 'email', address: 'uma@example.com' }]);
    await policyFor('svc-slow-mail', [{ type: 'user', id: user }]);
    const { id } = await w.trigger({ service: 'svc-slow-mail', severity: 'low' });
    await waitFor(
      'the view says sent',
      async () => (await w.view(id)).notifications.some((n) => n.status === 'sent'),
      90_000,
    );
    // A second attempt would have connected by now (a timeout at 30 s, a retry 2 s later).
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(w.smtp.connections(), 1, 'one connection: no attempt beside the slow one');
    assert.equal(w.smtp.received(), 1);
    const { rows } = await w.db.pool.query(
      `select status, attempts, error from notifications where alert_id = $1`,
      [id],
    );
    assert.deepEqual(rows, [{ status: 'sent', attempts: 1, error: null }]);
  });
});

describe('the claim on a send', () => {
  const hooksPage = (alertId: string, path: string): SendPageInput => ({
    idempotencyKey: `page:${alertId}:c0:l0:t0:webhook:${path}`,
    alertId,
    event: {
      eventId: randomUUID(),
      summary: 'Overlap',
      severity: 'low',
      service: 'svc-claims',
      source: 'test',
      dedupKey: 'k',
      labels: {},
      details: {},
      links: [],
    },
    triggeredAt: new Date().toISOString(),
    kind: 'page',
    cycle: 0,
    loop: 0,
    tier: 0,
    scheduledAt: new Date().toISOString(),
    recipient: {
      target: { type: 'webhook', url: `${w.hooks.url}${path}` },
      targetKey: `webhook:${path}`,
      userId: null,
      channel: 'webhook',
      address: `${w.hooks.url}${path}`,
    },
  });
  const refOf = ({ event: _event, triggeredAt: _triggeredAt, ...page }: SendPageInput) => page;
  const pages = () =>
    createPageActivities({ pool: w.db.pool, notifiers: createNotifiers({ outboundAllowlist: LOOPBACK_ALLOWLIST }), publicUrl: PUBLIC_URL });
  /** Runs sendPage as attempt `n` of its activity, in a real activity context. */
  const sendAs = (n: number, input: SendPageInput): Promise<SendPageResult> =>
    new MockActivityEnvironment({ attempt: n }).run((i: SendPageInput) => pages().sendPage(i), input);
  const alertId = async () => (await w.trigger({ service: 'svc-claims', severity: 'low' })).id;

  it('two attempts at once: the second does not send beside the first, and a later one finds the page sent', async () => {
    const id = await alertId();
    const path = '/claims-slow';
    w.hooks.respondWith(path, 200, { delayMs: 1_500 });
    const input = hooksPage(id, path);
    const first = sendAs(1, input);
    await waitFor(
      'the first attempt at the receiver',
      () => w.hooks.requests.filter((r) => r.path === path).length === 1,
    );
    await assert.rejects(sendAs(2, input), PageInFlightError);
    assert.equal((await first).status, 'sent');
    assert.deepEqual(await sendAs(3, input), {
      status: 'sent',
      providerId: undefined,
      resent: false,
    });
    assert.equal(w.hooks.requests.filter((r) => r.path === path).length, 1, 'one request in all');
    const row = (await getNotification(w.db.pool, input.idempotencyKey))!;
    assert.deepEqual([row.status, row.attempts, row.lease_owner], ['sent', 3, null]);
  });

  it('a recorded outcome is final: a late failure never overwrites sent, and a late cancel answers sent', async () => {
    const id = await alertId();
    const input = hooksPage(id, '/claims-final');
    assert.equal((await sendAs(1, input)).status, 'sent');
    const key = input.idempotencyKey;
    // What a late attempt would write: a permanent failure, a transient one.
    assert.deepEqual(
      (await finishNotification(w.db.pool, key, { status: 'failed', error: 'smtp 550 late' })).settled,
      false,
    );
    await recordAttemptFailure(w.db.pool, key, 'a-late-attempt', 'ECONNRESET');
    const settled = await pages().settlePage({
      page: refOf(input),
      status: 'cancelled',
      reason: 'not needed any more',
      at: new Date().toISOString(),
    });
    assert.equal(settled.status, 'sent');
    const row = (await getNotification(w.db.pool, key))!;
    assert.deepEqual([row.status, row.error], ['sent', null]);
    const timeline = (await w.request('GET', `/alerts/${id}`)).body.timeline as { action: string }[];
    assert.deepEqual(
      timeline.filter((e) => e.action.startsWith('page_')),
      [],
      'nothing about a page that went out at once',
    );
  });

  it('a page cancelled before any attempt claimed it is never sent by a later one', async () => {
    const id = await alertId();
    const path = '/claims-cancelled-first';
    const input = hooksPage(id, path);
    const reason = 'not needed any more: the alert is acknowledged';
    const settled = await pages().settlePage({
      page: refOf(input),
      status: 'cancelled',
      reason,
      at: new Date().toISOString(),
    });
    assert.deepEqual(settled, { status: 'cancelled', error: reason });
    // The abandoned activity's next attempt: it finds the outcome and stops.
    assert.deepEqual(await sendAs(2, input), { status: 'cancelled', error: reason });
    assert.equal(w.hooks.requests.filter((r) => r.path === path).length, 0);
    const row = (await getNotification(w.db.pool, input.idempotencyKey))!;
    assert.deepEqual([row.status, row.attempts], ['cancelled', 0]);
  });

  it('a page cancelled while an attempt is sending it records sent: it did go out', async () => {
    const id = await alertId();
    const path = '/claims-cancelled-during';
    w.hooks.respondWith(path, 200, { delayMs: 1_000 });
    const input = hooksPage(id, path);
    const sending = sendAs(1, input);
    await waitFor(
      'the attempt at the receiver',
      () => w.hooks.requests.filter((r) => r.path === path).length === 1,
    );
    const settled = await pages().settlePage({
      page: refOf(input),
      status: 'cancelled',
      reason: 'not needed any more',
      at: new Date().toISOString(),
    });
    assert.equal(settled.status, 'cancelled');
    assert.equal((await sending).status, 'sent');
    assert.equal((await getNotification(w.db.pool, input.idempotencyKey))!.status, 'sent');
  });

  it("a crashed attempt's claim lapses: the next attempt after it sends", async () => {
    const id = await alertId();
    const path = '/claims-crash';
    const input = hooksPage(id, path);
    const pageRow = {
      idempotencyKey: input.idempotencyKey,
      alertId: id,
      kind: 'page',
      cycle: 0,
      loop: 0,
      tier: 0,
      target: { type: 'webhook', url: input.recipient.address },
      userId: null,
      channel: 'webhook' as const,
      address: input.recipient.address,
      scheduleId: null,
      scheduledAt: new Date(),
    };
    // Attempt 1 claimed the send and its worker died before it recorded anything.
    const claimed = await claimNotification(w.db.pool, pageRow, {
      owner: 'dead-worker',
      attempt: 1,
      leaseMs: 1_000,
    });
    assert.equal(claimed.holds, true);
    await assert.rejects(sendAs(2, input), PageInFlightError);
    assert.equal(w.hooks.requests.filter((r) => r.path === path).length, 0);
    await new Promise((r) => setTimeout(r, 1_200));
    const result = await sendAs(3, input);
    assert.deepEqual(result, { status: 'sent', providerId: undefined, resent: true });
    assert.equal(w.hooks.requests.filter((r) => r.path === path).length, 1);
  });
});
