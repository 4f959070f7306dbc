// An alert that no escalation policy covers is loud: the answer to its trigger says it pages nobody and
// why, its timeline is marked `pages_nobody` (written with the record), and GET /stats/noise counts it.
// A grouped alert whose group's leader has a policy is paged for by that leader and is not marked.
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

const NOBODY = (service: string, severity: string) =>
  `no escalation policy matches service "${service}" severity ${severity} and there is no default policy`;

const detail = async (id: string) => {
  const res = await w.request('GET', `/alerts/${id}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as {
    timeline: { action: string; actor: string; reason: string | null }[];
    policy: unknown;
  };
};
const actions = async (id: string) => (await detail(id)).timeline.map((t) => t.action);
const today = async () => new Date(await w.env.currentTimeMs()).toISOString().slice(0, 10);
const noise = async () => {
  const day = await today();
  const res = await w.request('GET', `/stats/noise?from=${day}&to=${day}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as {
    total: { pages_nobody: number };
    integrations: { name: string; pages_nobody: number }[];
  };
};
const alertIdOf = async (dedupKey: string) => {
  let id: string | undefined;
  await waitFor(`alert ${dedupKey} recorded`, async () => {
    id = (await w.db.pool.query('select id from alerts where dedup_key = $1', [dedupKey])).rows[0]?.id;
    return id !== undefined;
  });
  return id!;
};

it('POST /alerts with no policy at all: 201 and 200 say it pages nobody, the timeline says so once, it is counted once', async () => {
  const body = {
    summary: 'Disk full',
    severity: 'low',
    service: 'lonely',
    source: 'prometheus',
    dedup_key: 'disk',
  };
  const created = await w.request('POST', '/alerts', body);
  assert.equal(created.status, 201);
  assert.equal(created.body.pages_nobody, NOBODY('lonely', 'low'));
  const again = await w.request('POST', '/alerts', body);
  assert.equal(again.status, 200);
  assert.equal(
    again.body.pages_nobody,
    NOBODY('lonely', 'low'),
    'the open alert it joined pages nobody either',
  );

  const { timeline } = await detail(created.body.id);
  assert.deepEqual(
    timeline.map((t) => t.action),
    ['trigger', 'pages_nobody'],
  );
  assert.equal(timeline[1]!.actor, 'system:klaxon');
  assert.equal(timeline[1]!.reason, `nobody is paged for this alert: ${NOBODY('lonely', 'low')}`);
  assert.equal((await noise()).total.pages_nobody, 1, 'one alert, however many triggers');
});

it('202 before any worker recorded it says so from the plan, and the worker marks it when it records it', async () => {
  await w.stopWorker();
  let accepted;
  try {
    accepted = await w.request('POST', '/alerts', {
      summary: 'Queue stuck',
      severity: 'high',
      service: 'offline',
      source: 'prometheus',
    });
  } finally {
    await w.startWorker();
  }
  assert.equal(accepted.status, 202);
  assert.equal(accepted.body.pages_nobody, NOBODY('offline', 'high'));
  await waitFor(
    'recorded and marked',
    async () => (await w.request('GET', `/alerts/${accepted.body.id}`)).body?.timeline?.length === 2,
  );
  assert.deepEqual(await actions(accepted.body.id), ['trigger', 'pages_nobody']);
});

it('ingest: /v2/enqueue and a receiver answer which alerts page nobody; a rule that matches silences it', async () => {
  const made = await w.request('POST', '/integrations', {
    type: 'pagerduty',
    name: 'pd-none',
    service: 'ingested',
  });
  const event = (dedup: string, severity: string) => ({
    routing_key: made.body.routing_key,
    event_action: 'trigger',
    dedup_key: dedup,
    payload: { summary: 's', source: 'x', severity },
  });
  const unmatched = await w.request('POST', '/v2/enqueue', event('i-1', 'warning'), { key: null });
  assert.equal(unmatched.status, 202);
  assert.equal(unmatched.body.pages_nobody, NOBODY('ingested', 'medium'));
  await waitFor('marked', async () => (await actions(await alertIdOf('i-1'))).includes('pages_nobody'));

  const generic = await w.request('POST', '/integrations', {
    type: 'generic',
    name: 'generic-none',
    service: 'ingested',
    mapping: { summary: '$.title', severity: '$.level', dedupKey: '$.id' },
  });
  const viaReceiver = await w.request(
    'POST',
    `/integrations/generic/${generic.body.routing_key}`,
    { title: 't', level: 'info', id: 'g-1' },
    { key: null },
  );
  assert.equal(viaReceiver.status, 202, JSON.stringify(viaReceiver.body));
  assert.deepEqual(viaReceiver.body.pages_nobody, [{ dedup_key: 'g-1', reason: NOBODY('ingested', 'info') }]);

  const policy = await w.policy({
    tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/ingested` }] }],
  });
  assert.equal(
    (await w.request('PUT', '/escalation-rules', { rules: [{ policy_id: policy, services: ['ingested'] }] }))
      .status,
    200,
  );
  const matched = await w.request('POST', '/v2/enqueue', event('i-2', 'warning'), { key: null });
  assert.equal(matched.status, 202);
  assert.equal(matched.body.pages_nobody, undefined);
  await waitFor('paged', () => w.hits('/ingested') === 1);
  assert.deepEqual(await actions(await alertIdOf('i-2')), ['trigger']);

  const stats = await noise();
  const per = Object.fromEntries(stats.integrations.map((i) => [i.name, i.pages_nobody]));
  assert.deepEqual([per['pd-none'], per['generic-none']], [1, 1]);
});

it('a grouped alert without a policy is left to its group leader; one leading its own group is marked', async () => {
  const lead = await w.policy({
    tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/grp` }] }],
  });
  const rules = (await w.request('GET', '/escalation-rules')).body.rules;
  assert.equal(
    (
      await w.request('PUT', '/escalation-rules', {
        rules: [{ policy_id: lead, services: ['grp'], severities: ['critical'] }, ...rules],
      })
    ).status,
    200,
  );
  const made = await w.request('POST', '/integrations', {
    type: 'pagerduty',
    name: 'pd-grp',
    service: 'grp',
    group_by: ['component'],
  });
  const send = (dedup: string, severity: string, component: string) =>
    w.request(
      'POST',
      '/v2/enqueue',
      {
        routing_key: made.body.routing_key,
        event_action: 'trigger',
        dedup_key: dedup,
        payload: { summary: dedup, source: 'x', severity, component },
      },
      { key: null },
    );
  assert.equal((await send('g-lead', 'critical', 'db')).body.pages_nobody, undefined);
  await waitFor('the leader pages', () => w.hits('/grp') === 1);
  const member = await send('g-member', 'info', 'db');
  // Accepted before its group is decided: the answer says only the group can page for it.
  assert.match(member.body.pages_nobody, /no default policy; only its group's escalation can page for it/);
  const alone = await send('g-alone', 'info', 'cache');
  assert.match(alone.body.pages_nobody, /only its group's escalation/);

  const memberId = await alertIdOf('g-member');
  await waitFor('the member joined', async () => (await actions(memberId)).includes('grouped'));
  assert.ok(!(await actions(memberId)).includes('pages_nobody'), 'its group leader pages for it');
  const aloneId = await alertIdOf('g-alone');
  await waitFor('the lone leader is marked', async () => (await actions(aloneId)).includes('pages_nobody'));
  const per = Object.fromEntries((await noise()).integrations.map((i) => [i.name, i.pages_nobody]));
  assert.equal(per['pd-grp'], 1);
});

it('once a default policy exists, an alert no rule matches goes to it and is neither marked nor counted', async () => {
  const before = (await noise()).total.pages_nobody;
  await w.policy({
    tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/default` }] }],
    is_default: true,
  });
  const created = await w.request('POST', '/alerts', {
    summary: 'Disk full',
    severity: 'low',
    service: 'lonely',
    source: 'prometheus',
    dedup_key: 'disk-2',
  });
  assert.equal(created.status, 201);
  assert.equal(created.body.pages_nobody, undefined);
  assert.deepEqual(await actions(created.body.id), ['trigger']);
  assert.equal((await noise()).total.pages_nobody, before);
});
