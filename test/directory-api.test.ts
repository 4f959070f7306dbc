// Users, contact methods, escalation policies and rules, SLA targets and alert listing through the API:
// the shapes they accept, the 400s that name the field, and what they refuse.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './helpers/harness';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

const fields = (body: { error: { errors?: { field: string }[] } }) => (body.error.errors ?? []).map((e) => e.field);

describe('users and contact methods', () => {
  it('creates, reads, updates and deletes a user with contact methods, never returning secrets', async () => {
    const created = await h.request('POST', '/users', {
      name: 'Alice',
      time_zone: 'Europe/London',
      contact_methods: [
        { type: 'email', address: 'alice@example.com' },
        { type: 'sms', address: '+447700900123' },
        { type: 'webhook', address: 'https://hooks.example.com/alice', secret: 'a-very-long-secret-value' },
      ],
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), `/users/${created.body.id}`);
    assert.deepEqual(created.body.contact_methods.map((m: { type: string; has_secret: boolean }) => [m.type, m.has_secret]), [
      ['email', false],
      ['sms', false],
      ['webhook', true],
    ]);
    assert.doesNotMatch(JSON.stringify(created.body), /a-very-long-secret-value/);
    const id = created.body.id;
    assert.equal((await h.request('PATCH', `/users/${id}`, { name: 'Alice Smith' })).body.name, 'Alice Smith');
    const added = await h.request('POST', `/users/${id}/contact-methods`, { type: 'email', address: 'alice@work.example.com' });
    assert.equal(added.status, 201);
    assert.equal((await h.request('POST', `/users/${id}/contact-methods`, { type: 'email', address: 'alice@work.example.com' })).status, 409);
    assert.equal((await h.request('DELETE', `/users/${id}/contact-methods/${added.body.id}`)).status, 204);
    assert.equal((await h.request('GET', `/users/${id}`)).body.contact_methods.length, 3);
    assert.ok((await h.request('GET', '/users')).body.users.some((u: { id: string }) => u.id === id));
    assert.equal((await h.request('DELETE', `/users/${id}`)).status, 204);
    assert.equal((await h.request('GET', `/users/${id}`)).status, 404);
  });

  it('names the bad field: a zone, an email, a phone number', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', time_zone: 'Mars/Olympus' }, 'body.time_zone'],
      [{ name: 'x', contact_methods: [{ type: 'email', address: 'not-an-email' }] }, 'body.contact_methods.0.address'],
      [{ name: 'x', contact_methods: [{ type: 'sms', address: '0123' }] }, 'body.contact_methods.0.address'],
      [{ name: 'x', contact_methods: [{ type: 'pager', address: 'x' }] }, 'body.contact_methods.0.type'],
      [{ name: '' }, 'body.name'],
    ];
    for (const [body, field] of cases) {
      const res = await h.request('POST', '/users', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(fields(res.body).includes(field), `${field} in ${JSON.stringify(res.body)}`);
    }
  });
});

describe('escalation policies and rules', () => {
  it('creates, lists, replaces and deletes a policy; one default at a time', async () => {
    const user = (await h.request('POST', '/users', { name: 'Bob' })).body.id;
    const body = {
      name: 'payments',
      tiers: [
        { delay_minutes: 0, targets: [{ type: 'user', id: user }] },
        { delay_minutes: 10, targets: [{ type: 'webhook', url: 'https://hooks.example.com/pay', secret: '0123456789abcdef0' }] },
      ],
      repeat: 2,
      ack_timeout_minutes: 30,
      is_default: true,
    };
    const created = await h.request('POST', '/escalation-policies', body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.repeat_delay_minutes, 5);
    assert.equal(created.body.tiers[1].targets[0].has_secret, true);
    assert.equal((await h.request('POST', '/escalation-policies', body)).status, 409, 'names are unique');
    const other = await h.request('POST', '/escalation-policies', { ...body, name: 'other', is_default: true });
    const list = (await h.request('GET', '/escalation-policies')).body.policies;
    assert.deepEqual(list.filter((p: { is_default: boolean }) => p.is_default).map((p: { id: string }) => p.id), [other.body.id]);
    const replaced = await h.request('PUT', `/escalation-policies/${created.body.id}`, { ...body, name: 'payments v2', is_default: false, repeat: 0 });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.repeat, 0);
    assert.equal((await h.request('DELETE', `/escalation-policies/${other.body.id}`)).status, 409, 'the default stays');
    assert.equal((await h.request('DELETE', `/escalation-policies/${created.body.id}`)).status, 204);
    assert.equal((await h.request('GET', `/escalation-policies/${created.body.id}`)).status, 404);
  });

  it('refuses unknown schedules, unknown users, and bad chains, naming the field', async () => {
    const res = await h.request('POST', '/escalation-policies', {
      name: 'bad',
      tiers: [
        { delay_minutes: 10, targets: [{ type: 'schedule', id: '00000000-0000-4000-8000-000000000001' }] },
        { delay_minutes: 5, targets: [{ type: 'user', id: '00000000-0000-4000-8000-000000000002' }] },
        { delay_minutes: 20, targets: [] },
      ],
    });
    assert.equal(res.status, 400);
    assert.deepEqual(fields(res.body).sort(), ['body.tiers.0.targets.0.id', 'body.tiers.1.delay_minutes', 'body.tiers.1.targets.0.id', 'body.tiers.2.targets'].sort());
    assert.match(JSON.stringify(res.body), /no schedule 00000000-0000-4000-8000-000000000001/);
    const none = await h.request('GET', '/escalation-policies');
    assert.ok(!none.body.policies.some((p: { name: string }) => p.name === 'bad'), 'nothing written');
  });

  it('replaces the ordered rules and refuses a rule naming an unknown policy', async () => {
    const user = (await h.request('POST', '/users', { name: 'Cat' })).body.id;
    const p = await h.request('POST', '/escalation-policies', { name: 'db', tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: user }] }] });
    const rules = [{ policy_id: p.body.id, severities: ['critical'], services: ['db'], labels: { team: 'storage' } }];
    assert.equal((await h.request('PUT', '/escalation-rules', { rules })).status, 200);
    assert.deepEqual((await h.request('GET', '/escalation-rules')).body.rules, rules);
    const bad = await h.request('PUT', '/escalation-rules', { rules: [{ policy_id: '00000000-0000-4000-8000-000000000009' }] });
    assert.equal(bad.status, 400);
    assert.deepEqual(fields(bad.body), ['body.rules.0.policy_id']);
    assert.deepEqual((await h.request('GET', '/escalation-rules')).body.rules, rules, 'unchanged');
    // The matched policy is the one recorded on a new alert.
    const alert = await h.request('POST', '/alerts', { summary: 'x', severity: 'critical', service: 'db', source: 't', labels: { team: 'storage' } });
    assert.equal((await h.request('GET', `/alerts/${alert.body.id}`)).body.policy.name, 'db');
    const unmatched = await h.request('POST', '/alerts', { summary: 'x', severity: 'low', service: 'db', source: 't' });
    // No rule matches it: it goes to the default policy, which the first test left in place.
    assert.equal((await h.request('GET', `/alerts/${unmatched.body.id}`)).body.policy.name, 'other');
  });
});

describe('SLA targets', () => {
  it('lists defaults and overrides, and validates overrides', async () => {
    const list = await h.request('GET', '/sla/targets');
    assert.deepEqual(list.body.defaults.critical, { tta_minutes: 5, ttr_minutes: 60 });
    assert.equal((await h.request('PUT', '/sla/targets/search/low', { tta_minutes: 30, ttr_minutes: 10 })).status, 400);
    assert.equal((await h.request('PUT', '/sla/targets/search/urgent', { tta_minutes: 1, ttr_minutes: 10 })).status, 400);
    assert.equal((await h.request('PUT', '/sla/targets/search/low', { tta_minutes: 30, ttr_minutes: 600 })).status, 200);
    assert.deepEqual((await h.request('GET', '/sla/targets?service=search')).body.overrides, [{ service: 'search', severity: 'low', tta_minutes: 30, ttr_minutes: 600 }]);
    assert.equal((await h.request('DELETE', '/sla/targets/search/low')).status, 204);
    assert.equal((await h.request('DELETE', '/sla/targets/search/low')).status, 404);
  });
});

describe('GET /alerts', () => {
  it('filters and pages with a cursor', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      made.push((await h.request('POST', '/alerts', { summary: `list ${i}`, severity: i % 2 ? 'high' : 'low', service: 'listing', source: 't' })).body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { alerts: { id: string }[]; next_cursor: string | null } } = await h.request(
        'GET',
        `/alerts?service=listing&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.alerts.map((a) => a.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.deepEqual([...seen].sort(), [...made].sort());
    const high = await h.request('GET', '/alerts?service=listing&severity=high');
    assert.equal(high.body.alerts.length, 2);
    assert.equal((await h.request('GET', '/alerts?state=sleeping')).status, 400);
    assert.deepEqual(fields((await h.request('GET', '/alerts?cursor=garbage')).body), ['query.cursor']);
  });
});
