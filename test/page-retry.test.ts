// Pages keep trying until the alert is answered: a page to a mail server that is down for hours arrives
// once it is back, with every failed attempt on the timeline; an acknowledge stops the retries; a page
// that keeps failing gives up at the cap; a tier whose every page failed for good falls through at once;
// an acknowledge during the target lookup means nobody is paged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPageActivities } from '../activities/pages';
import { PUBLIC_URL } from './helpers/harness';
import { pageOffsets, startWorld, waitFor, type World } from './helpers/world';
import type { Target } from '../domain/escalation';

const CAP_HOURS = 3;
let w: World;
// Holds target lookups back while set, so a test can act on the alert in the middle of one.
let lookupGate: { entered: boolean; release: () => void; open: Promise<void> } | null = null;

before(async () => {
  w = await startWorld({
    pageRetryCapMs: CAP_HOURS * 3_600_000,
    activityOverrides: {
      async resolveTargets(input: { targets: Target[]; at: string }) {
        if (lookupGate) {
          lookupGate.entered = true;
          await lookupGate.open;
        }
        return createPageActivities({
          pool: w.db.pool,
          notifiers: {} as never,
          publicUrl: PUBLIC_URL,
        }).resolveTargets(input);
      },
    },
  });
});
after(async () => {
  await w?.close();
});

type Entry = { action: string; actor: string; reason: string | null; at: string };
type Row = {
  tier: number | null;
  channel: string;
  address: string;
  status: string;
  error: string | null;
  attempts: number;
};

async function detail(id: string): Promise<{ timeline: Entry[]; notifications: Row[] }> {
  const res = await w.request('GET', `/alerts/${id}`);
  assert.equal(res.status, 200);
  return res.body;
}
const entries = async (id: string, action: string) =>
  (await detail(id)).timeline.filter((e) => e.action === action);
const mailsTo = (address: string) =>
  w.smtp.messages.filter((m) => m.envelope.rcptTo.includes(address)).length;

async function policyFor(
  service: string,
  tiers: { delay_minutes: number; targets: unknown[] }[],
): Promise<void> {
  const id = await w.policy({ tiers });
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  await w.request('PUT', '/escalation-rules', {
    rules: [{ policy_id: id, services: [service] }, ...current],
  });
}
const hook = (path: string) => ({ type: 'webhook', url: `${w.hooks.url}/${path}` });

describe('pages keep trying until the alert is answered', () => {
  it('a page to a mail server down for 2 hours arrives once it is back, every failed attempt on the timeline', async () => {
    const user = await w.user('olga', [{ type: 'email', address: 'olga@example.com' }]);
    await policyFor('svc-outage', [
      { delay_minutes: 0, targets: [{ type: 'user', id: user }] },
      { delay_minutes: 30, targets: [hook('outage-t1')] },
    ]);
    await w.smtp.down();
    try {
      const { id } = await w.trigger({ service: 'svc-outage', severity: 'info' });
      await waitFor(
        'a first failed attempt',
        async () => (await entries(id, 'page_attempt_failed')).length >= 1,
      );
      await w.env.sleep('2 hours');
      assert.equal(mailsTo('olga@example.com'), 0, 'nothing can arrive while the server is down');
      // The failing page never held tier 2 up: it fired at minute 30, as the policy says.
      await waitFor('tier 2 page', () => w.hits('/outage-t1') === 1);
      assert.deepEqual(
        pageOffsets(await w.view(id)).sort((a, b) => a - b),
        [0, 30],
      );
      const during = await detail(id);
      const row = during.notifications.find((n) => n.channel === 'email')!;
      assert.equal(row.status, 'sending');
      assert.match(row.error ?? '', /ECONNREFUSED/);
      await w.smtp.up();
      // Retries back off to at most 5 minutes apart.
      await w.env.sleep('6 minutes');
      await waitFor('the page once the server is back', () => mailsTo('olga@example.com') === 1);
      await waitFor('the view says sent', async () =>
        (await w.view(id)).notifications.some((n) => n.channel === 'email' && n.status === 'sent'),
      );
      const { timeline, notifications } = await detail(id);
      const failed = timeline.filter((e) => e.action === 'page_attempt_failed');
      // 2 s doubling up to 5 min apart: about 30 attempts in two hours.
      assert.ok(failed.length >= 20 && failed.length <= 40, `${failed.length} failed attempts`);
      failed.forEach((e, i) => {
        assert.equal(e.actor, 'system:klaxon');
        assert.match(
          e.reason ?? '',
          new RegExp(
            `^attempt ${i + 1} of the tier 1 email page to olga@example\\.com failed: .*ECONNREFUSED.*; trying again$`,
          ),
        );
      });
      const times = failed.map((e) => Date.parse(e.at));
      assert.ok(times[times.length - 1]! - times[0]! >= 110 * 60_000, 'the attempts span the outage');
      const sent = timeline.filter((e) => e.action === 'page_sent');
      assert.equal(sent.length, 1);
      assert.equal(
        sent[0]!.reason,
        `tier 1 email page to olga@example.com delivered on attempt ${failed.length + 1}, after failed attempts`,
      );
      const email = notifications.find((n) => n.channel === 'email')!;
      assert.deepEqual([email.status, email.error, email.attempts], ['sent', null, failed.length + 1]);
      assert.equal(w.smtp.received(), 1);
    } finally {
      await w.smtp.up().catch(() => {});
    }
  });

  it('an acknowledge during the retries stops them: no page after it, and the page is recorded as cancelled', async () => {
    const user = await w.user('pavel', [{ type: 'email', address: 'pavel@example.com' }]);
    await policyFor('svc-ack-retry', [{ delay_minutes: 0, targets: [{ type: 'user', id: user }] }]);
    await w.smtp.down();
    let id = '';
    try {
      ({ id } = await w.trigger({ service: 'svc-ack-retry', severity: 'info' }));
      await w.env.sleep('10 minutes');
      await waitFor('failed attempts', async () => (await entries(id, 'page_attempt_failed')).length >= 3);
      const ack = await w.request('POST', `/alerts/${id}/acknowledge`, { actor: 'pavel' });
      assert.equal(ack.status, 200);
      await waitFor('the page cancelled', async () =>
        (await w.view(id)).notifications.some((n) => n.status === 'cancelled'),
      );
    } finally {
      await w.smtp.up();
    }
    const attemptsAtAck = (await entries(id, 'page_attempt_failed')).length;
    // The server is back and hours pass: a retry would deliver now, if one were left.
    await w.env.sleep('3 hours');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(mailsTo('pavel@example.com'), 0, 'no page after the acknowledge');
    const { timeline, notifications } = await detail(id);
    assert.equal(
      timeline.filter((e) => e.action === 'page_attempt_failed').length,
      attemptsAtAck,
      'no attempt after the acknowledge',
    );
    const cancelled = timeline.filter((e) => e.action === 'page_cancelled');
    assert.equal(cancelled.length, 1);
    assert.match(
      cancelled[0]!.reason ?? '',
      /^tier 1 email page to pavel@example\.com stopped after \d+ attempts: not needed any more: the alert is acknowledged \(last error: .*ECONNREFUSED.*\)$/,
    );
    assert.equal(notifications[0]!.status, 'cancelled');
  });

  it(`a page failing for ${CAP_HOURS} hours (the worker's cap) gives up, recorded as failed on the row and the timeline`, async () => {
    const user = await w.user('quinn', [{ type: 'email', address: 'quinn@example.com' }]);
    await policyFor('svc-cap', [{ delay_minutes: 0, targets: [{ type: 'user', id: user }] }]);
    await w.smtp.down();
    let id = '';
    try {
      ({ id } = await w.trigger({ service: 'svc-cap', severity: 'info' }));
      await waitFor(
        'a first failed attempt',
        async () => (await entries(id, 'page_attempt_failed')).length >= 1,
      );
      await w.env.sleep(`${CAP_HOURS * 60 + 10} minutes`);
      await waitFor('the page given up', async () =>
        (await w.view(id)).notifications.some((n) => n.status === 'failed'),
      );
    } finally {
      await w.smtp.up();
    }
    const { timeline, notifications } = await detail(id);
    const gaveUp = timeline.filter((e) => e.action === 'page_failed');
    assert.equal(gaveUp.length, 1);
    assert.match(
      gaveUp[0]!.reason ?? '',
      new RegExp(
        `^tier 1 email page to quinn@example\\.com failed for good: gave up after \\d+ attempts over ${CAP_HOURS} h( \\d+ min)?: .*ECONNREFUSED`,
      ),
    );
    assert.equal(notifications[0]!.status, 'failed');
    assert.match(notifications[0]!.error ?? '', /^gave up after/);
    await w.env.sleep('1 hour');
    assert.equal(mailsTo('quinn@example.com'), 0, 'nothing is sent once given up');
  });
});

describe('a tier whose every page failed for good falls through at once', () => {
  it('permanent errors on every page of tier 1: tier 2 fires at once, later tiers keep their spacing', async () => {
    const user = await w.user('rosa', [{ type: 'sms', address: '+14155550777' }]);
    w.twilio.fail('+14155550777', {
      status: 400,
      code: 21211,
      message: "The 'To' number is not a valid phone number.",
    });
    w.hooks.respondWith('/fall-t0', 410);
    await policyFor('svc-fall', [
      { delay_minutes: 0, targets: [{ type: 'user', id: user }, hook('fall-t0')] },
      { delay_minutes: 10, targets: [hook('fall-t1')] },
      { delay_minutes: 25, targets: [hook('fall-t2')] },
    ]);
    const { id } = await w.trigger({ service: 'svc-fall', severity: 'low' });
    // No time passes on the workflow clock beyond what the sends take.
    await waitFor('tier 2 page', () => w.hits('/fall-t1') === 1);
    // The receiver has the page a moment before the workflow's view lists it: wait for the view too.
    await waitFor('tier 2 in the live view', async () => pageOffsets(await w.view(id)).length === 3);
    const view = await w.view(id);
    const offsets = pageOffsets(view);
    assert.equal(offsets.length, 3);
    assert.ok(offsets[2]! < 1, `tier 2 decided ${offsets[2]} min in, not at 10`);
    assert.equal(
      Date.parse(view.escalation.next!.at) - Date.parse(view.notifications[2]!.at),
      15 * 60_000,
      'tier 3 still 15 minutes after tier 2',
    );
    const { timeline, notifications } = await detail(id);
    assert.deepEqual(
      timeline.filter((e) => e.action === 'escalation_gap').map((e) => e.reason),
      ['tier 1 failed on every page: falling through to tier 2'],
    );
    const failed = timeline.filter((e) => e.action === 'page_failed').map((e) => e.reason ?? '');
    assert.equal(failed.length, 2);
    assert.ok(
      failed.some((r) => /^tier 1 sms page to \+14155550777 failed for good: twilio 400/.test(r)),
      failed.join('\n'),
    );
    assert.ok(
      failed.some((r) => /^tier 1 webhook page to .*\/fall-t0 failed for good: .*410/.test(r)),
      failed.join('\n'),
    );
    assert.deepEqual(
      notifications.map((n) => [n.tier, n.status, n.attempts]),
      [
        [0, 'failed', 1],
        [0, 'failed', 1],
        [1, 'sent', 1],
      ],
    );
    assert.equal(
      timeline.filter((e) => e.action === 'page_attempt_failed').length,
      0,
      'permanent errors are not retried',
    );
  });

  it('one page failing for good beside one still being retried: the next tier waits its normal time', async () => {
    const user = await w.user('sam', [{ type: 'email', address: 'sam@example.com' }]);
    w.hooks.respondWith('/wait-t0', 400);
    await policyFor('svc-wait', [
      { delay_minutes: 0, targets: [{ type: 'user', id: user }, hook('wait-t0')] },
      { delay_minutes: 5, targets: [hook('wait-t1')] },
    ]);
    await w.smtp.down();
    try {
      const { id } = await w.trigger({ service: 'svc-wait', severity: 'low' });
      await waitFor('the webhook page failed', async () => (await entries(id, 'page_failed')).length === 1);
      await waitFor('the email retried', async () => (await entries(id, 'page_attempt_failed')).length >= 1);
      await w.env.sleep('4 minutes');
      assert.equal(
        w.hits('/wait-t1'),
        0,
        'tier 2 waits for its time while a page of tier 1 may still arrive',
      );
      await w.env.sleep('2 minutes');
      await waitFor('tier 2 page', () => w.hits('/wait-t1') === 1);
      assert.deepEqual(
        pageOffsets(await w.view(id)).sort((a, b) => a - b),
        [0, 0, 5],
      );
      assert.equal((await entries(id, 'escalation_gap')).length, 0);
      await w.request('POST', `/alerts/${id}/resolve`, { actor: 'sam' });
      await waitFor('the retried page cancelled', async () =>
        (await w.view(id)).notifications.some((n) => n.status === 'cancelled'),
      );
    } finally {
      await w.smtp.up();
    }
  });
});

describe('state is re-checked after every lookup', () => {
  it('an acknowledge that arrives while a tier looks up its targets means nobody of that tier is paged', async () => {
    const user = await w.user('tara', [
      { type: 'email', address: 'tara@example.com' },
      { type: 'webhook', address: `${w.hooks.url}/tara` },
    ]);
    await policyFor('svc-lookup', [{ delay_minutes: 0, targets: [{ type: 'user', id: user }] }]);
    let release = () => {};
    const open = new Promise<void>((r) => (release = r));
    lookupGate = { entered: false, release, open };
    try {
      const { id } = await w.trigger({ service: 'svc-lookup', severity: 'low' });
      await waitFor('the lookup under way', () => lookupGate!.entered);
      const ack = await w.request('POST', `/alerts/${id}/acknowledge`, { actor: 'tara' });
      assert.equal(ack.status, 200);
      release();
      await waitFor('the skip on the timeline', async () => (await entries(id, 'page_skipped')).length === 1);
      assert.equal(
        (await entries(id, 'page_skipped'))[0]!.reason,
        'tier 1 not paged: the alert was acknowledged by the time its targets were looked up',
      );
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(mailsTo('tara@example.com') + w.hits('/tara'), 0, 'no page after the acknowledge');
      assert.deepEqual((await detail(id)).notifications, []);
      assert.deepEqual((await w.view(id)).notifications, []);
    } finally {
      lookupGate = null;
      release();
    }
  });
});
