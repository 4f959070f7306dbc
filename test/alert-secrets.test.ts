// A webhook target's secret signs its pages but is write-only: neither the alert's live view nor its
// notification log, as the API returns them, may show it.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

it('never returns a webhook secret in GET /alerts/:id', async () => {
  const secret = 'whsec-0123456789-do-not-show';
  await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/signed`, secret }] }], is_default: true });
  const { id } = await w.trigger();
  await waitFor('page sent', async () => (await w.view(id)).notifications.some((n) => n.status === 'sent'));
  const res = await w.request('GET', `/alerts/${id}`);
  assert.equal(res.status, 200);
  assert.ok(!JSON.stringify(res.body).includes(secret), 'the secret is not in the answer');
  assert.deepEqual(res.body.notifications[0].target, { type: 'webhook', url: `${w.hooks.url}/signed`, has_secret: true });
  assert.deepEqual(res.body.live.notifications[0].target, { type: 'webhook', url: `${w.hooks.url}/signed`, has_secret: true });
  const stored = await w.db.pool.query('select target::text as t from notifications where alert_id = $1', [id]);
  assert.ok(stored.rows.every((r) => !r.t.includes(secret)), 'nor in the notification log in Postgres');
});
