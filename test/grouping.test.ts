// Grouping under time skipping: a burst of 200 alerts on 3 group keys within the window pages three
// times; groups, their alerts and the noise statistics are reported; a group acts on its alerts.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
let key: string;
before(async () => {
  w = await startWorld();
  const policy = await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/grouped` }] }], is_default: true });
  assert.ok(policy);
  const res = await w.request('POST', '/integrations', { type: 'pagerduty', name: 'storm', service: 'payments', group_by: ['component'] });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  key = res.body.routing_key;
});
after(async () => {
  await w?.close();
});

const components = ['db', 'cache', 'queue'];
const enqueue = (i: number, component: string) =>
  w.request(
    'POST',
    '/v2/enqueue',
    { routing_key: key, event_action: 'trigger', dedup_key: `storm-${i}`, payload: { summary: `errors on ${component} #${i}`, source: `host-${i}`, severity: 'error', component } },
    { key: null },
  );

it('pages once per group key for a burst of 200 alerts, and reports the noise it kept out', async () => {
  for (let batch = 0; batch < 10; batch++) {
    const results = await Promise.all(Array.from({ length: 20 }, (_, j) => batch * 20 + j).map((i) => enqueue(i, components[i % 3]!)));
    assert.ok(results.every((r) => r.status === 202));
  }
  await waitFor(
    'all 200 alerts grouped',
    async () => (await w.db.pool.query('select count(*)::int as n from alerts where group_id is not null')).rows[0].n === 200,
    60_000,
  );
  await waitFor('three pages', () => w.hits('/grouped') === 3);
  await w.env.sleep('2 minutes');
  assert.equal(w.hits('/grouped'), 3, 'the other 197 alerts page nobody');

  const groups = (await w.request('GET', '/groups')).body.groups as { id: string; group_key: string; alerts: number; closed_at: string | null }[];
  assert.deepEqual(groups.map((g) => g.group_key).sort(), ['component=cache', 'component=db', 'component=queue']);
  assert.equal(groups.reduce((n, g) => n + g.alerts, 0), 200);
  const db = groups.find((g) => g.group_key === 'component=db')!;
  const detail = await w.request('GET', `/groups/${db.id}`);
  assert.equal(detail.body.alert_ids.length, 67);

  const today = new Date(await w.env.currentTimeMs()).toISOString().slice(0, 10);
  const noise = await w.request('GET', `/stats/noise?from=${today}&to=${today}`);
  assert.equal(noise.status, 200, JSON.stringify(noise.body));
  assert.equal(noise.body.total.raw_events, 200);
  assert.equal(noise.body.total.alerts, 200);
  assert.equal(noise.body.total.groups, 3);
  assert.equal(noise.body.total.pages, 3);
  assert.equal(noise.body.total.noise_reduction, 1 - 3 / 200);
  // The same numbers per integration, from the noise_daily view.
  assert.deepEqual(
    noise.body.integrations.map((i: Record<string, unknown>) => [i.name, i.raw_events, i.alerts, i.groups, i.pages, i.noise_reduction]),
    [['storm', 200, 200, 3, 3, 1 - 3 / 200]],
  );
  const active = (await w.db.pool.query('select group_key, alerts, leader_summary from active_groups order by group_key')).rows;
  assert.deepEqual(active.map((g) => [g.group_key, g.alerts]), [['component=cache', 67], ['component=db', 67], ['component=queue', 66]]);
  assert.match(active[0].leader_summary, /^errors on cache #/);

  // Resolving a group resolves its open alerts.
  const resolved = await w.request('POST', `/groups/${db.id}/resolve`, {});
  assert.equal(resolved.status, 202, JSON.stringify(resolved.body));
  await waitFor(
    'the db group resolved',
    async () => (await w.db.pool.query(`select count(*)::int as n from alerts where group_id = $1 and state = 'resolved'`, [db.id])).rows[0].n === 67,
    30_000,
  );
  // Every alert of the db group is resolved, so it closes without waiting out its window; the others stay open.
  await waitFor('the db group closed as resolved', async () => (await w.request('GET', `/groups/${db.id}`)).body.close_reason === 'resolved', 30_000);
  const open = (await w.request('GET', '/groups?open=true')).body.groups as { group_key: string }[];
  assert.deepEqual(open.map((g) => g.group_key).sort(), ['component=cache', 'component=queue']);

  // After the window passes quietly the groups close; the same key then opens a new group, which pages.
  await w.env.sleep('6 minutes');
  await waitFor('groups closed', async () => (await w.request('GET', '/groups?open=true')).body.groups.length === 0);
  const closed = (await w.request('GET', '/groups')).body.groups as { group_key: string; close_reason: string }[];
  assert.deepEqual(closed.filter((g) => g.group_key !== 'component=db').map((g) => g.close_reason), ['quiet', 'quiet']);
  const daily = (await w.db.pool.query('select groups, alerts, largest_group, closed_resolved, closed_quiet, open from group_stats_daily')).rows;
  assert.deepEqual(daily, [{ groups: 3, alerts: 200, largest_group: 67, closed_resolved: 1, closed_quiet: 2, open: 0 }]);
  assert.equal((await enqueue(1000, 'cache')).status, 202);
  await waitFor('a new group pages', () => w.hits('/grouped') === 4);
});
