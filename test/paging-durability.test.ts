// Pages survive crashes without repeating: a worker killed between tiers, an activity that dies after
// the provider accepted the page, and a policy edited while an alert is in flight.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { LOOPBACK_ALLOWLIST_TEXT } from './helpers/pages';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
let faultOnce = false;
const faulted = new Set<string>();
before(async () => {
  w = await startWorld({
    // The worst moment: the provider has the page and its outcome is recorded, then the activity dies.
    afterRecorded: (key) => {
      if (faultOnce && !faulted.has(key)) {
        faulted.add(key);
        throw new Error('worker lost after the provider accepted the page');
      }
    },
  });
});
after(async () => {
  await w?.close();
});

async function policyFor(service: string, tiers: { delay_minutes: number; targets: unknown[] }[]): Promise<string> {
  const id = await w.policy({ tiers });
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  await w.request('PUT', '/escalation-rules', { rules: [{ policy_id: id, services: [service] }, ...current] });
  return id;
}

const hook = (path: string) => ({ type: 'webhook', url: `${w.hooks.url}/${path}` });

function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', require.resolve('./fixtures/worker-process')], {
    env: { ...process.env, DATABASE_URL: w.db.url, TEMPORAL_ADDRESS: w.env.address, TEMPORAL_TASK_QUEUE: w.taskQueue, OUTBOUND_ALLOWLIST: LOOPBACK_ALLOWLIST_TEXT },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('worker-ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

describe('paging durability', () => {
  it('a worker killed between tiers: time passes, a new worker fires the next tier once, nothing repeats', async () => {
    await policyFor('svc-kill', [0, 5, 15].map((d, i) => ({ delay_minutes: d, targets: [hook(`kill-t${i}`)] })));
    // This test runs its workers as processes it can SIGKILL; the in-process worker steps aside.
    await w.stopWorker();
    let worker = await startWorkerProcess();
    try {
      const { id } = await w.trigger({ service: 'svc-kill', severity: 'low' });
      await waitFor('tier 1 page', () => w.hits('/kill-t0') === 1);
      // Between tiers means after tier 1's page is recorded; a kill inside the send itself is the
      // at-least-once window (the receiver dedupes by Idempotency-Key), not what this test is about.
      // The workflow's own view says sent only once the activity's result reached the server; a kill
      // after the Postgres record but before that would (rightly) retry the activity, which finds the
      // page sent and does not resend, but counts a second attempt.
      await waitFor('tier 1 recorded', async () => {
        const { rows } = await w.db.pool.query(`select status from notifications where alert_id = $1 and tier = 0`, [id]);
        return rows[0]?.status === 'sent' && (await w.view(id)).notifications.some((n) => n.tier === 0 && n.status === 'sent');
      });
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGKILL');
      await exited;
      // Time passes with no worker alive: the 5-minute timer fires into an empty room.
      const sleeping = w.env.sleep('6 minutes');
      await new Promise((r) => setTimeout(r, 500));
      worker = await startWorkerProcess();
      await sleeping;
      await waitFor('tier 2 page', () => w.hits('/kill-t1') === 1);
      await w.env.sleep('20 minutes');
      await waitFor('tier 3 page', () => w.hits('/kill-t2') === 1);
      assert.deepEqual([w.hits('/kill-t0'), w.hits('/kill-t1'), w.hits('/kill-t2')], [1, 1, 1]);
      const { rows } = await w.db.pool.query(`select tier, status, attempts from notifications where alert_id = $1 and kind = 'page' order by tier`, [id]);
      assert.deepEqual(rows, [
        { tier: 0, status: 'sent', attempts: 1 },
        { tier: 1, status: 'sent', attempts: 1 },
        { tier: 2, status: 'sent', attempts: 1 },
      ]);
    } finally {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
      await w.startWorker();
    }
  });

  it('an activity that dies after the provider accepted the page is retried without a second page', async () => {
    const user = await w.user('dana', [
      { type: 'email', address: 'dana@example.com' },
      { type: 'sms', address: '+14155550123' },
    ]);
    await policyFor('svc-fault', [{ delay_minutes: 0, targets: [{ type: 'user', id: user }] }]);
    faultOnce = true;
    try {
      const { id } = await w.trigger({ service: 'svc-fault', severity: 'low' });
      await waitFor(
        'both pages retried and recorded',
        async () => {
          const { rows } = await w.db.pool.query(`select attempts from notifications where alert_id = $1 and kind = 'page'`, [id]);
          return rows.length === 2 && rows.every((r) => r.attempts === 2);
        },
        30_000,
      );
      assert.equal(faulted.size, 2, 'both activities failed once after recording');
      assert.equal(w.smtp.received(), 1, 'one email reached the SMTP server');
      assert.equal(w.twilio.received(), 1, 'one SMS reached Twilio');
      assert.deepEqual(w.smtp.messages[0]!.envelope.rcptTo, ['dana@example.com']);
      assert.match(w.smtp.messages[0]!.subject ?? '', /\[LOW\]/);
      assert.match(w.twilio.messages[0]!.body, /Checkout error rate/);
      const view = await w.view(id);
      assert.deepEqual(view.notifications.filter((n) => n.kind === 'page').map((n) => [n.channel, n.status]).sort(), [
        ['email', 'sent'],
        ['sms', 'sent'],
      ]);
    } finally {
      faultOnce = false;
    }
  });

  it('records a permanently failed page and escalates on', async () => {
    const user = await w.user('erin', [{ type: 'sms', address: '+14155550999' }]);
    w.twilio.fail('+14155550999', { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    await policyFor('svc-permanent', [
      { delay_minutes: 0, targets: [{ type: 'user', id: user }] },
      { delay_minutes: 5, targets: [hook('permanent-t1')] },
    ]);
    const { id } = await w.trigger({ service: 'svc-permanent', severity: 'low' });
    await waitFor('failure recorded', async () => (await w.view(id)).notifications.some((n) => n.status === 'failed'));
    await w.env.sleep('6 minutes');
    await waitFor('tier 2 page', () => w.hits('/permanent-t1') === 1);
    const { rows } = await w.db.pool.query(`select channel, status, error, attempts from notifications where alert_id = $1 and kind = 'page' order by tier`, [id]);
    assert.equal(rows[0].status, 'failed');
    assert.match(rows[0].error, /not a valid phone number/);
    assert.equal(rows[0].attempts, 1, 'a permanent error is not retried');
    assert.equal(rows[1].status, 'sent');
  });

  it('an alert in flight keeps its policy snapshot when the policy is edited', async () => {
    const tiers = (second: string) => [
      { delay_minutes: 0, targets: [hook('snap-a')] },
      { delay_minutes: 5, targets: [hook(second)] },
    ];
    const policyId = await policyFor('svc-snap', tiers('snap-a'));
    const { id } = await w.trigger({ service: 'svc-snap', severity: 'low' });
    await waitFor('tier 1 page', () => w.hits('/snap-a') === 1);
    const edit = await w.request('PUT', `/escalation-policies/${policyId}`, { name: 'edited', tiers: tiers('snap-b') });
    assert.equal(edit.status, 200);
    await w.env.sleep('6 minutes');
    await waitFor('tier 2 page from the snapshot', () => w.hits('/snap-a') === 2);
    assert.equal(w.hits('/snap-b'), 0);
    assert.equal((await w.view(id)).escalation.policy?.name.startsWith('policy-'), true);
    // A new alert gets the edited policy.
    await w.trigger({ service: 'svc-snap', severity: 'low' });
    await w.env.sleep('6 minutes');
    await waitFor('tier 2 page from the edited policy', () => w.hits('/snap-b') === 1);
  });
});
