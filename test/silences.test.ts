// Silences end to end under time skipping: an alert triggered under a silence pages nobody until its
// end and then escalates from tier 1; a silence created over an escalating alert stops its tiers, and
// its expiry (or its deletion) starts them again from tier 1; bad input is a 400 naming the field; the
// preview lists what a silence would match and silences nothing; the silence keeps who created and
// deleted it, and why.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
let seq = 0;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

/** A service whose policy pages `hook` at once and `hook-t2` ten minutes on. */
async function escalating(): Promise<{ service: string; hook: string }> {
  const service = `svc-silence-${++seq}`;
  const hook = `/silence-${seq}`;
  const policy = await w.policy({
    tiers: [
      { delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}${hook}` }] },
      { delay_minutes: 10, targets: [{ type: 'webhook', url: `${w.hooks.url}${hook}-t2` }] },
    ],
  });
  const current = (await w.request('GET', '/escalation-rules')).body.rules;
  const res = await w.request('PUT', '/escalation-rules', {
    rules: [{ policy_id: policy, services: [service] }, ...current],
  });
  assert.equal(res.status, 200);
  return { service, hook };
}

const inMinutes = async (minutes: number) =>
  new Date((await w.env.currentTimeMs()) + minutes * 60_000).toISOString();
const timeline = async (id: string) =>
  (await w.request('GET', `/alerts/${id}`)).body.timeline as {
    action: string;
    actor: string;
    reason: string | null;
  }[];

async function silence(body: Record<string, unknown>) {
  const res = await w.request('POST', '/silences', { reason: 'database upgrade', ...body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; alerts: { id: string }[]; state: string; created_by: string };
}

describe('silences', () => {
  it('an alert triggered under a silence pages nobody while silenced and escalates from tier 1 at its end', async () => {
    const { service, hook } = await escalating();
    const other = await escalating();
    const s = await silence({
      matchers: [
        { field: 'service', op: '=', value: service },
        { field: 'label', label: 'env', op: '=~', value: 'prod|staging' },
      ],
      ends_at: await inMinutes(30),
    });
    assert.equal(s.state, 'active');
    const { id } = await w.trigger({ service, labels: { env: 'prod' } });
    const untouched = await w.trigger({ service: other.service, labels: { env: 'prod' } });
    await waitFor('the other service still pages', () => w.hits(other.hook) === 1);
    const view = await w.view(id);
    assert.equal(view.state, 'new');
    assert.ok(view.silencedUntil, JSON.stringify(view));
    assert.equal((await w.view(untouched.id)).silencedUntil, undefined);
    await waitFor('silenced on the timeline', async () =>
      (await timeline(id)).some((e) => e.action === 'silenced' && /database upgrade/.test(e.reason ?? '')),
    );

    await w.env.sleep('29 minutes');
    assert.equal(w.hits(hook), 0, 'tier 1 never paged while silenced');
    assert.equal(w.hits(`${hook}-t2`), 0, 'nor tier 2 (due at 10 min)');

    await w.env.sleep('2 minutes');
    await waitFor('tier 1 pages at the end of the silence', () => w.hits(hook) === 1);
    const after = await w.view(id);
    assert.equal(after.silencedUntil, undefined);
    assert.deepEqual([after.escalation.lastFired?.tier, after.escalation.next?.tier], [0, 1]);
    assert.equal(
      Date.parse(after.escalation.lastFired!.at),
      Date.parse(view.silencedUntil!),
      'as if triggered at the end',
    );
    assert.ok(
      (await timeline(id)).some(
        (e) => e.action === 'unsilenced' && /escalating from the first tier/.test(e.reason ?? ''),
      ),
    );
    await w.env.sleep('11 minutes');
    await waitFor('and on to tier 2', () => w.hits(`${hook}-t2`) === 1);
  });

  it('silencing an escalating alert stops its tiers; the silence expiring starts them again from tier 1', async () => {
    const { service, hook } = await escalating();
    const { id } = await w.trigger({ service, labels: { host: 'db-12' } });
    await waitFor('tier 1 pages', () => w.hits(hook) === 1);
    const s = await silence({
      matchers: [
        { field: 'label', label: 'host', op: '=~', value: 'db-[0-9]+' },
        { field: 'service', op: '=', value: service },
      ],
      ends_at: await inMinutes(20),
    });
    assert.deepEqual(
      s.alerts.map((a) => a.id),
      [id],
      'the open alert it holds',
    );
    await waitFor('the alert is held', async () => (await w.view(id)).silencedUntil !== undefined);

    await w.env.sleep('15 minutes');
    assert.equal(w.hits(`${hook}-t2`), 0, 'tier 2 (due at 10 min) held');
    assert.equal(w.hits(hook), 1);
    await w.env.sleep('6 minutes');
    await waitFor('tier 1 pages again once the silence expired', () => w.hits(hook) === 2);
    assert.equal(w.hits(`${hook}-t2`), 0);
    await w.env.sleep('11 minutes');
    await waitFor('then tier 2', () => w.hits(`${hook}-t2`) === 1);
    assert.equal((await w.request('GET', `/silences/${s.id}`)).body.state, 'expired');
  });

  it('deleting a silence releases the alerts it holds at once, and keeps who created and deleted it', async () => {
    const { service, hook } = await escalating();
    const { id } = await w.trigger({ service });
    await waitFor('tier 1 pages', () => w.hits(hook) === 1);
    const s = await silence({
      matchers: [{ field: 'service', op: '=', value: service }],
      ends_at: await inMinutes(120),
      reason: 'failover drill',
    });
    await waitFor('the alert is held', async () => (await w.view(id)).silencedUntil !== undefined);
    const escalate = await w.request('POST', `/alerts/${id}/escalate`, {});
    assert.equal(escalate.status, 409, JSON.stringify(escalate.body));
    assert.match(escalate.body.error.message, /silenced until/);
    await w.env.sleep('30 minutes');
    assert.equal(w.hits(`${hook}-t2`), 0);
    assert.equal((await w.request('DELETE', `/silences/${s.id}`)).status, 204);
    await waitFor('tier 1 pages again at the deletion', () => w.hits(hook) === 2);
    assert.equal((await w.view(id)).silencedUntil, undefined);
    const got = (await w.request('GET', `/silences/${s.id}`)).body;
    assert.equal(got.state, 'deleted');
    assert.equal(got.reason, 'failover drill');
    assert.ok(got.created_by && got.deleted_by && got.deleted_at, JSON.stringify(got));
    assert.ok((await w.request('GET', '/silences')).body.silences.some((x: { id: string }) => x.id === s.id));
    assert.equal((await w.request('DELETE', `/silences/${s.id}`)).status, 404, 'deleted once');
  });

  it('a preview lists the open alerts a silence would match and silences nothing', async () => {
    const { service, hook } = await escalating();
    const { id } = await w.trigger({ service, severity: 'high' });
    await waitFor('tier 1 pages', () => w.hits(hook) === 1);
    const body = {
      matchers: [
        { field: 'service', op: '=', value: service },
        { field: 'severity', op: '!=', value: 'info' },
      ],
      ends_at: await inMinutes(60),
      reason: 'what if',
    };
    const res = await w.request('POST', '/silences/preview', body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.alerts.map((a: { id: string }) => a.id),
      [id],
    );
    const none = await w.request('POST', '/silences/preview', {
      ...body,
      matchers: [{ field: 'service', op: '=', value: `${service}-no` }],
    });
    assert.deepEqual(none.body.alerts, []);
    await w.env.sleep('11 minutes');
    await waitFor('tier 2 pages: nothing was silenced', () => w.hits(`${hook}-t2`) === 1);
    assert.equal((await w.view(id)).silencedUntil, undefined);
  });

  it('a recurring silence opens and closes at the local time across a DST change', async () => {
    // Every Sunday 02:00 for 120 min in New York: 07:00–09:00Z in winter; on 2027-03-14 02:00 does not
    // exist (clocks go to 03:00 EDT), so it opens at 07:00Z and closes at 04:00 EDT, 08:00Z.
    const { service, hook } = await escalating();
    const recurrence = {
      weekdays: [7],
      start: '02:00',
      duration_minutes: 120,
      time_zone: 'America/New_York',
    };
    const s = await silence({
      matchers: [{ field: 'service', op: '=', value: service }],
      recurrence,
      ends_at: '2027-06-01T00:00:00Z',
      reason: 'weekly maintenance',
    });
    const until = async (at: string) => w.env.sleep(Date.parse(at) - (await w.env.currentTimeMs()));

    await until('2027-03-07T07:30:00Z');
    assert.equal((await w.request('GET', `/silences/${s.id}`)).body.state, 'active');
    const before = await w.trigger({ service, dedup_key: 'before' });
    await waitFor(
      'held in the winter occurrence',
      async () => (await w.view(before.id)).silencedUntil === '2027-03-07T09:00:00.000Z',
    );
    await until('2027-03-07T09:00:30Z');
    await waitFor('pages at 04:00 EST', () => w.hits(hook) === 1);
    assert.equal((await w.request('POST', `/alerts/${before.id}/resolve`, {})).status, 200);

    await until('2027-03-14T06:58:00Z');
    assert.equal((await w.request('GET', `/silences/${s.id}`)).body.state, 'pending');
    const early = await w.trigger({ service, dedup_key: 'early' });
    await waitFor('pages at 01:58 EST, before the silence opens', () => w.hits(hook) === 2);
    await until('2027-03-14T07:01:00Z');
    await waitFor(
      'the open alert is held from 03:00 EDT',
      async () => (await w.view(early.id)).silencedUntil === '2027-03-14T08:00:00.000Z',
    );
    const late = await w.trigger({ service, dedup_key: 'late' });
    await waitFor(
      'held until 04:00 EDT',
      async () => (await w.view(late.id)).silencedUntil === '2027-03-14T08:00:00.000Z',
    );
    await until('2027-03-14T07:59:00Z');
    assert.equal(w.hits(hook), 2, 'nobody paged while silenced');
    await until('2027-03-14T08:00:30Z');
    await waitFor('both page at 04:00 EDT', () => w.hits(hook) === 4);
    for (const a of [early, late]) assert.equal((await w.view(a.id)).silencedUntil, undefined);
    // Still open a week on, the alert is held by the next occurrence too, now in daylight time.
    await until('2027-03-21T06:00:30Z');
    await waitFor(
      'held by the next occurrence',
      async () => (await w.view(late.id)).silencedUntil === '2027-03-21T08:00:00.000Z',
    );
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const ends = await inMinutes(60);
    const now = await inMinutes(0);
    const ok = { matchers: [{ field: 'service', op: '=', value: 'db' }], ends_at: ends, reason: 'x' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ok, matchers: [{ field: 'service', op: '==', value: 'db' }] }, 'body.matchers.0.op'],
      [{ ...ok, matchers: [{ field: 'host', op: '=', value: 'db' }] }, 'body.matchers.0.field'],
      [
        { ...ok, matchers: [{ field: 'label', label: 'host', op: '=~', value: '(a+)+$' }] },
        'body.matchers.0.value',
      ],
      [
        { ...ok, matchers: [{ field: 'label', label: 'host', op: '!~', value: '(a|aa)*)' }] },
        'body.matchers.0.value',
      ],
      [{ ...ok, matchers: [{ field: 'label', op: '=', value: 'db' }] }, 'body.matchers.0.label'],
      [{ ...ok, matchers: [] }, 'body.matchers'],
      [{ ...ok, starts_at: ends }, 'body.ends_at'],
      [{ ...ok, starts_at: ends, ends_at: now }, 'body.ends_at'],
      [{ ...ok, ends_at: '2026-03-08T02:30' }, 'body.ends_at'],
      [
        {
          ...ok,
          ends_at: new Date(Date.parse(now) - 60_000).toISOString(),
          starts_at: new Date(Date.parse(now) - 120_000).toISOString(),
        },
        'body.ends_at',
      ],
      [{ ...ok, reason: '' }, 'body.reason'],
      [
        { ...ok, recurrence: { weekdays: [8], start: '02:00', duration_minutes: 60, time_zone: 'UTC' } },
        'body.recurrence.weekdays.0',
      ],
      [
        { ...ok, recurrence: { weekdays: [7], start: '25:00', duration_minutes: 60, time_zone: 'UTC' } },
        'body.recurrence.start',
      ],
      [
        { ...ok, recurrence: { weekdays: [7], start: '02:00', duration_minutes: 0, time_zone: 'UTC' } },
        'body.recurrence.duration_minutes',
      ],
      [
        {
          ...ok,
          recurrence: { weekdays: [7], start: '02:00', duration_minutes: 60, time_zone: 'Mars/Olympus' },
        },
        'body.recurrence.time_zone',
      ],
      [
        {
          ...ok,
          recurrence: { weekdays: [7], start: '02:00', duration_minutes: 60, time_zone: 'UTC', every: 2 },
        },
        'body.recurrence',
      ],
    ];
    for (const [body, field] of cases) {
      for (const path of ['/silences', '/silences/preview']) {
        const res = await w.request('POST', path, body);
        assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
        assert.ok(
          res.body.error.errors.some((e: { field: string }) => e.field === field),
          `${field}: ${JSON.stringify(res.body)}`,
        );
      }
    }
  });
});
