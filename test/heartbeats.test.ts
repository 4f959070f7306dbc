// Heartbeat monitors end to end under time skipping: a job that stops pinging opens exactly one alert
// once its interval plus grace has passed (and that alert pages), the next ping resolves it; pings
// reset the timer and cost no Postgres write each; bad input is a 400 naming the field; deleting an
// overdue monitor resolves its alert and its key stops working.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
before(async () => {
  w = await startWorld();
  const hank = await w.user('hank', [{ type: 'webhook', address: `${w.hooks.url}/hank` }]);
  const policy = await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: hank }] }] });
  const rules = await w.request('PUT', '/escalation-rules', {
    rules: [{ policy_id: policy, services: ['cron'] }],
  });
  assert.equal(rules.status, 200, JSON.stringify(rules.body));
});
after(async () => {
  await w?.close();
});

async function monitor(
  body: Record<string, unknown>,
): Promise<{ id: string; key: string; ping_url: string }> {
  const res = await w.request('POST', '/heartbeats', { service: 'cron', ...body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

/** A ping as cron + curl sends it: no API key, the key in the path. */
async function ping(path: string, method = 'GET') {
  return w.request(method, path, undefined, { key: null });
}

async function alertsOf(name: string): Promise<{ id: string; state: string }[]> {
  const res = await w.request('GET', '/alerts?service=cron&limit=100');
  return res.body.alerts.filter((a: { labels: Record<string, string> }) => a.labels.heartbeat === name);
}

describe('heartbeat monitors', () => {
  it('open exactly one alert when a ping is overdue by the grace period, and the next ping resolves it', async () => {
    const m = await monitor({
      name: 'nightly backup',
      severity: 'high',
      interval_seconds: 600,
      grace_seconds: 120,
    });
    assert.match(m.ping_url, /^\/heartbeat\/[0-9a-f]{32}$/);
    assert.equal((await ping(m.ping_url)).status, 200);
    await w.env.sleep('11 minutes');
    assert.equal((await ping(m.ping_url, 'POST')).status, 200, 'a ping resets the timer');
    await w.env.sleep('11 minutes');
    assert.deepEqual(
      await alertsOf('nightly backup'),
      [],
      '11 min after the last ping: interval 10 + grace 2 not yet passed',
    );
    assert.equal(w.hits('/hank'), 0);

    await w.env.sleep('2 minutes');
    await waitFor('the overdue alert pages hank', () => w.hits('/hank') === 1);
    const [alert, ...more] = await alertsOf('nightly backup');
    assert.equal(more.length, 0);
    assert.equal(alert!.state, 'new');
    const detail = (await w.request('GET', `/alerts/${alert!.id}`)).body;
    assert.match(detail.summary, /Heartbeat "nightly backup" missed its ping \(expected every 10 min\)/);
    assert.equal(detail.source, 'heartbeat');
    assert.equal((await w.request('GET', `/heartbeats/${m.id}`)).body.state, 'overdue');

    await w.env.sleep('40 minutes');
    assert.equal(
      (await alertsOf('nightly backup')).length,
      1,
      'still one alert however long the job stays silent',
    );
    assert.equal(w.hits('/hank'), 1, 'and one page');

    assert.equal((await ping(m.ping_url)).status, 200);
    await waitFor(
      'the next ping resolves it',
      async () => (await alertsOf('nightly backup'))[0]?.state === 'resolved',
    );
    await waitFor(
      'the monitor is up again',
      async () => (await w.request('GET', `/heartbeats/${m.id}`)).body.state === 'up',
    );
    const timeline = (await w.request('GET', `/alerts/${alert!.id}`)).body.timeline as {
      actor: string;
      to_state?: string;
    }[];
    assert.ok(
      timeline.some((e) => /heartbeat "nightly backup" pinged/.test(e.actor)),
      JSON.stringify(timeline),
    );
  });

  it('a monitor never pinged pages an interval plus grace after it was created', async () => {
    await monitor({ name: 'never ran', interval_seconds: 300, grace_seconds: 60 });
    await w.env.sleep('5 minutes');
    assert.deepEqual(await alertsOf('never ran'), []);
    await w.env.sleep('2 minutes');
    await waitFor('the never-pinged alert', async () => (await alertsOf('never ran')).length === 1);
    const [alert] = await alertsOf('never ran');
    assert.match(
      (await w.request('GET', `/alerts/${alert!.id}`)).body.summary,
      /never pinged \(expected every 5 min\)/,
    );
  });

  it('write last-seen at most once a minute however often the job pings', async () => {
    const m = await monitor({ name: 'chatty', interval_seconds: 60 });
    const lastSeen = async () =>
      (
        await w.db.pool.query<{ last_ping_at: Date | null }>(
          'select last_ping_at from heartbeat_monitors where id = $1',
          [m.id],
        )
      ).rows[0]!.last_ping_at;
    assert.equal((await ping(m.ping_url)).status, 200);
    const first = await lastSeen();
    assert.ok(first);
    for (let i = 0; i < 3; i++) {
      await w.env.sleep('10 seconds');
      assert.equal((await ping(m.ping_url)).status, 200);
    }
    assert.equal((await lastSeen())?.getTime(), first.getTime(), 'pings within the minute wrote nothing');
    await w.env.sleep('40 seconds');
    assert.equal((await ping(m.ping_url)).status, 200);
    assert.ok((await lastSeen())!.getTime() > first.getTime(), 'a minute on, the ping is written');
  });

  it('refuse bad input with a 400 naming the field, and unknown keys with a 404', async () => {
    for (const [body, field] of [
      [{ name: 'too often', interval_seconds: 30 }, 'body.interval_seconds'],
      [{ name: 'too rare', interval_seconds: 8 * 86_400 }, 'body.interval_seconds'],
      [{ name: 'late', interval_seconds: 600, grace_seconds: -1 }, 'body.grace_seconds'],
      [{ name: 'loud', interval_seconds: 600, severity: 'apocalyptic' }, 'body.severity'],
      [{ interval_seconds: 600 }, 'body.name'],
    ] as const) {
      const res = await w.request('POST', '/heartbeats', { service: 'cron', ...body });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.ok(
        res.body.error.errors.some((e: { field: string }) => e.field === field),
        `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`,
      );
    }
    assert.equal((await ping('/heartbeat/0123456789abcdef0123456789abcdef')).status, 404);
    await monitor({ name: 'taken', interval_seconds: 600 });
    assert.equal(
      (await w.request('POST', '/heartbeats', { service: 'cron', name: 'taken', interval_seconds: 600 }))
        .status,
      409,
    );
  });

  it('deleting an overdue monitor resolves its alert, and its key stops working', async () => {
    const m = await monitor({ name: 'retired job', interval_seconds: 120, grace_seconds: 60 });
    await w.env.sleep('4 minutes');
    await waitFor('the alert', async () => (await alertsOf('retired job')).length === 1);
    assert.equal((await w.request('DELETE', `/heartbeats/${m.id}`)).status, 204);
    await waitFor('resolved on delete', async () => (await alertsOf('retired job'))[0]?.state === 'resolved');
    assert.equal((await ping(m.ping_url)).status, 404);
  });
});
