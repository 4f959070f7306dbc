// Migration 000014 moves webhook secrets out of what alerts snapshot into Temporal: an install upgraded
// with secrets inline (contact methods, policy tiers, a group's copy of its policy) keeps every secret,
// now in webhook_secrets, and keeps nothing but the ids elsewhere.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { migrate, readMigrations, SQL_DIR } from '../store/migrate';
import { webhookSecret } from '../store/webhook-secrets';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let db: TestDatabase;
after(async () => {
  await db?.drop();
});

it('moves inline webhook secrets into webhook_secrets and leaves their ids', async () => {
  db = await createTestDatabase({ migrate: false });
  // The schema as it stood before secrets moved: every migration up to 000013.
  const before = mkdtempSync(path.join(os.tmpdir(), 'klaxon-mig-'));
  for (const m of readMigrations().filter((m) => m.version < 14)) copyFileSync(path.join(SQL_DIR, m.name), path.join(before, m.name));
  await migrate(db.pool, before);

  const user = (await db.pool.query(`insert into users (name, time_zone) values ('Ada', 'UTC') returning id`)).rows[0].id;
  await db.pool.query(
    `insert into contact_methods (user_id, type, address, secret) values
       ($1, 'webhook', 'https://hooks.example.com/signed', 'cm-secret-1'),
       ($1, 'webhook', 'https://hooks.example.com/plain', null),
       ($1, 'email', 'ada@example.com', null)`,
    [user],
  );
  const tiers = [
    { delayMinutes: 0, targets: [{ type: 'webhook', url: 'https://hooks.example.com/p1', secret: 'tier-secret-1' }, { type: 'user', id: user }] },
    { delayMinutes: 5, targets: [{ type: 'webhook', url: 'https://hooks.example.com/p2', secret: '' }, { type: 'webhook', url: 'https://hooks.example.com/p3' }] },
  ];
  const policy = (await db.pool.query(`insert into escalation_policies (name, tiers, is_default) values ('p', $1::jsonb, true) returning id`, [JSON.stringify(tiers)])).rows[0].id;
  const escalation = { policy: { id: policy, name: 'p', tiers: [{ delayMinutes: 0, targets: [{ type: 'webhook', url: 'https://hooks.example.com/g', secret: 'group-secret-1' }] }] }, cursor: null, lastFired: null };
  await db.pool.query(
    `insert into alert_groups (id, workflow_id, service, group_key, opened_at, last_at, escalation)
     values (gen_random_uuid(), 'group-1', 'checkout', 'k', now(), now(), $1::jsonb)`,
    [JSON.stringify(escalation)],
  );

  // 000014 and whatever came after it.
  assert.equal((await migrate(db.pool))[0], '000014-webhook-secrets.sql');

  const methods = (await db.pool.query(`select address, secret_id from contact_methods order by address`)).rows;
  const signed = methods.find((m) => m.address.endsWith('/signed'))!;
  assert.equal(await webhookSecret(db.pool, signed.secret_id), 'cm-secret-1');
  assert.deepEqual(methods.filter((m) => m.secret_id === null).map((m) => m.address).sort(), ['ada@example.com', 'https://hooks.example.com/plain']);

  const [stored] = (await db.pool.query('select tiers from escalation_policies where id = $1', [policy])).rows;
  const [p1, u] = stored.tiers[0].targets;
  assert.deepEqual(Object.keys(p1).sort(), ['secretId', 'type', 'url']);
  assert.equal(await webhookSecret(db.pool, p1.secretId), 'tier-secret-1');
  assert.deepEqual(u, { type: 'user', id: user });
  // An empty secret meant "unsigned"; a target without one is left as it was.
  assert.deepEqual(stored.tiers[1].targets, [{ type: 'webhook', url: 'https://hooks.example.com/p2' }, { type: 'webhook', url: 'https://hooks.example.com/p3' }]);
  assert.equal(stored.tiers[1].delayMinutes, 5);

  const [group] = (await db.pool.query('select escalation from alert_groups')).rows;
  const g = group.escalation.policy.tiers[0].targets[0];
  assert.equal(await webhookSecret(db.pool, g.secretId), 'group-secret-1');
  assert.equal(group.escalation.cursor, null, 'the rest of the group escalation is untouched');

  // Nowhere but webhook_secrets.
  for (const [table, column] of [['escalation_policies', 'tiers'], ['alert_groups', 'escalation'], ['contact_methods', 'address']]) {
    const { rows } = await db.pool.query(`select ${column}::text as t from ${table}`);
    for (const secret of ['cm-secret-1', 'tier-secret-1', 'group-secret-1']) assert.ok(rows.every((r) => !r.t.includes(secret)), `${secret} not in ${table}`);
  }
  assert.equal((await db.pool.query('select count(*)::int as n from webhook_secrets')).rows[0].n, 3);
});
