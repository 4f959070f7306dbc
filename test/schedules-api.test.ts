// Schedules and overrides through the API: CRUD, the 400s that name the field, who is on call, shifts
// with their range cap, an iCalendar feed parsed back, and a user's upcoming shifts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ical from 'node-ical';
import { startHarness, type Harness } from './helpers/harness';

let h: Harness;
let ann: string;
let ben: string;
let cid: string;
before(async () => {
  h = await startHarness();
  const user = async (name: string) => (await h.request('POST', '/users', { name })).body.id as string;
  [ann, ben, cid] = [await user('Ann'), await user('Ben'), await user('Cid')];
});
after(async () => {
  await h?.close();
});

const fields = (body: { error: { errors?: { field: string }[] } }) => (body.error.errors ?? []).map((e) => e.field);
const weekly = () => ({
  name: 'ops',
  time_zone: 'Europe/London',
  layers: [{ name: 'weekly', rotation: { type: 'weekly', length: 1 }, start: '2026-01-05T09:00', participants: [ann, ben] }],
});

describe('schedules', () => {
  it('creates, reads, replaces and deletes a schedule', async () => {
    const created = await h.request('POST', '/schedules', { ...weekly(), name: 'crud' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.layers[0].participants.length, 2);
    assert.ok(created.body.layers[0].id, 'layers get ids');
    assert.equal((await h.request('POST', '/schedules', { ...weekly(), name: 'crud' })).status, 409);
    const put = await h.request('PUT', `/schedules/${created.body.id}`, { ...weekly(), name: 'crud', time_zone: 'Asia/Kolkata' });
    assert.equal(put.body.time_zone, 'Asia/Kolkata');
    assert.ok((await h.request('GET', '/schedules')).body.schedules.some((s: { id: string }) => s.id === created.body.id));
    assert.equal((await h.request('DELETE', `/schedules/${created.body.id}`)).status, 204);
    assert.equal((await h.request('GET', `/schedules/${created.body.id}`)).status, 404);
  });

  it('names the bad field: zone, unknown participant, handoff time, rotation', async () => {
    const base = weekly();
    const layer = base.layers[0]!;
    const cases: [unknown, string][] = [
      [{ ...base, time_zone: 'Europe/Atlantis' }, 'body.time_zone'],
      [{ ...base, layers: [{ ...layer, participants: [ann, '00000000-0000-4000-8000-00000000000f'] }] }, 'body.layers.0.participants.1'],
      [{ ...base, layers: [{ ...layer, start: '2026-01-05 9am' }] }, 'body.layers.0.start'],
      [{ ...base, layers: [{ ...layer, rotation: { type: 'fortnightly', length: 1 } }] }, 'body.layers.0.rotation.type'],
      [{ ...base, layers: [{ ...layer, restrictions: [{ weekday: 8, start: '09:00', end: '17:00' }] }] }, 'body.layers.0.restrictions.0.weekday'],
    ];
    for (const [body, field] of cases) {
      const res = await h.request('POST', '/schedules', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(fields(res.body).includes(field), `${field} in ${JSON.stringify(res.body)}`);
    }
  });

  it('answers who is on call, with overrides, and refuses a bad override naming the field', async () => {
    const s = (await h.request('POST', '/schedules', { ...weekly(), name: 'oncall' })).body;
    const at = '2026-01-07T12:00:00Z'; // Wednesday of Ann's first week
    assert.deepEqual((await h.request('GET', `/schedules/${s.id}/on-call?at=${at}`)).body.on_call.map((e: { user_id: string }) => e.user_id), [ann]);
    const o = await h.request('POST', `/schedules/${s.id}/overrides`, { kind: 'replace', start: '2026-01-07T00:00:00Z', end: '2026-01-08T00:00:00Z', user_id: cid, replaces: ann });
    assert.equal(o.status, 201);
    const now = await h.request('GET', `/schedules/${s.id}/on-call?at=${at}`);
    assert.deepEqual(now.body.on_call, [{ user_id: cid, layer_id: null, override_id: o.body.id }]);
    const bad: [unknown, string][] = [
      [{ kind: 'add', start: '2026-01-08T00:00:00Z', end: '2026-01-07T00:00:00Z', user_id: cid }, 'body.end'],
      [{ kind: 'replace', start: '2026-01-07T00:00:00Z', end: '2026-01-08T00:00:00Z' }, 'body.user_id'],
      [{ kind: 'remove', start: '2026-01-07T00:00:00Z', end: '2026-01-08T00:00:00Z' }, 'body.replaces'],
      [{ kind: 'add', start: '2026-01-07T00:00:00Z', end: '2026-01-08T00:00:00Z', user_id: '00000000-0000-4000-8000-00000000000e' }, 'body.user_id'],
    ];
    for (const [body, field] of bad) {
      const res = await h.request('POST', `/schedules/${s.id}/overrides`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(fields(res.body).includes(field), `${field} in ${JSON.stringify(res.body)}`);
    }
    assert.equal((await h.request('GET', `/schedules/${s.id}/overrides`)).body.overrides.length, 1);
    assert.equal((await h.request('DELETE', `/schedules/${s.id}/overrides/${o.body.id}`)).status, 204);
    assert.deepEqual((await h.request('GET', `/schedules/${s.id}/on-call?at=${at}`)).body.on_call.map((e: { user_id: string }) => e.user_id), [ann]);
  });

  it('lists shifts in a range, capped, and 400s a reversed or too-wide range', async () => {
    const s = (await h.request('POST', '/schedules', { ...weekly(), name: 'shifts' })).body;
    const res = await h.request('GET', `/schedules/${s.id}/shifts?from=2026-01-05T09:00:00Z&to=2026-01-26T09:00:00Z`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.shifts.map((x: { user_id: string; start: string; end: string }) => [x.user_id, x.start, x.end]), [
      [ann, '2026-01-05T09:00:00.000Z', '2026-01-12T09:00:00.000Z'],
      [ben, '2026-01-12T09:00:00.000Z', '2026-01-19T09:00:00.000Z'],
      [ann, '2026-01-19T09:00:00.000Z', '2026-01-26T09:00:00.000Z'],
    ]);
    const reversed = await h.request('GET', `/schedules/${s.id}/shifts?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`);
    assert.deepEqual(fields(reversed.body), ['query.to']);
    const wide = await h.request('GET', `/schedules/${s.id}/shifts?from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z`);
    assert.equal(wide.status, 400);
    assert.match(wide.body.error.message, /limited to 93 days/);
  });

  it('refuses a time without its offset with a 400 that says so and shows both forms', async () => {
    const s = (await h.request('POST', '/schedules', { ...weekly(), name: 'offsets' })).body;
    for (const [path, field] of [
      [`/schedules/${s.id}/on-call?at=2026-03-08T02:30`, 'query.at'],
      [`/schedules/${s.id}/shifts?from=2026-03-08T02:30:00&to=2026-03-09T00:00:00Z`, 'query.from'],
      ['/alerts?from=2026-03-08T02:30', 'query.from'],
    ] as const) {
      const res = await h.request('GET', path);
      assert.equal(res.status, 400, path);
      const problem = res.body.error.errors.find((e: { field: string }) => e.field === field);
      assert.match(problem?.message ?? '', /needs a UTC offset, Z or ±hh:mm: .* \(e\.g\. 2026-03-08T02:30(:00)?Z or 2026-03-08T02:30(:00)?-05:00\)/, JSON.stringify(res.body));
    }
    const garbled = await h.request('GET', `/schedules/${s.id}/on-call?at=yesterday`);
    assert.match(garbled.body.error.errors[0].message, /must be an ISO 8601 instant with its offset, e\.g\. 2026-03-08T02:30:00Z/);
    const override = await h.request('POST', `/schedules/${s.id}/overrides`, { kind: 'add', start: '2026-03-08T02:30', end: '2026-03-08T04:30:00Z', user_id: cid });
    assert.deepEqual(fields(override.body), ['body.start']);
    assert.equal((await h.request('GET', `/schedules/${s.id}/on-call?at=2026-03-08T02:30:00-05:00`)).status, 200);
  });

  it('serves an iCalendar feed of the final shifts that parses back', async () => {
    const s = (await h.request('POST', '/schedules', { ...weekly(), name: 'ical', layers: [{ ...weekly().layers[0]!, start: '2026-11-02T09:00' }] })).body;
    const res = await fetch(`${h.baseUrl}/schedules/${s.id}.ics`, { headers: { authorization: `Bearer ${h.adminKey}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/calendar/);
    const parsed = Object.values(ical.sync.parseICS(await res.text()));
    const events = parsed.filter((e): e is ical.VEvent => e?.type === 'VEVENT').sort((a, b) => a.start.getTime() - b.start.getTime());
    assert.ok(events.length >= 2, `${events.length} events`);
    const [first, second] = [events[0]!, events[1]!];
    const api = await h.request('GET', `/schedules/${s.id}/shifts?from=${first.start.toISOString()}&to=${second.end!.toISOString()}`);
    const names: Record<string, string> = { [ann]: 'Ann', [ben]: 'Ben' };
    for (const [i, e] of [first, second].entries()) {
      const shift = api.body.shifts[i];
      assert.equal(e.start.toISOString(), new Date(shift.start).toISOString());
      assert.equal(e.end!.toISOString(), new Date(shift.end).toISOString());
      assert.equal(e.summary, `On call: ${names[shift.user_id]}`);
    }
    assert.equal((await fetch(`${h.baseUrl}/schedules/00000000-0000-4000-8000-000000000000.ics`, { headers: { authorization: `Bearer ${h.adminKey}` } })).status, 404);
  });

  it('keeps each event of the feed under one UID across fetches, covers the documented window, and bumps SEQUENCE on a change', async () => {
    // Weekly shifts since long ago: one is under way a week back, where the feed's window starts.
    const s = (await h.request('POST', '/schedules', { ...weekly(), name: 'stable feed' })).body;
    const feed = async () => {
      const res = await fetch(`${h.baseUrl}/schedules/${s.id}.ics`, { headers: { authorization: `Bearer ${h.adminKey}` } });
      const text = await res.text();
      const events = Object.values(ical.sync.parseICS(text))
        .filter((e): e is ical.VEvent => e?.type === 'VEVENT')
        .sort((a, b) => a.start.getTime() - b.start.getTime());
      return { text, events, at: Date.now() };
    };
    const first = await feed();
    await new Promise((r) => setTimeout(r, 2_000));
    const second = await feed();
    assert.deepEqual(second.events.map((e) => e.uid), first.events.map((e) => e.uid), 'the same UIDs a couple of seconds later');
    assert.deepEqual(second.events.map((e) => e.start.getTime()), first.events.map((e) => e.start.getTime()));
    // A week back to 93 days on: the first event is under way at the window's start, the last at its end,
    // each listed from its true start to its true end.
    const windowStart = second.at - 7 * 86_400_000;
    const windowEnd = second.at + 93 * 86_400_000;
    const [head, tail] = [second.events[0]!, second.events.at(-1)!];
    assert.ok(head.start.getTime() < windowStart && head.end!.getTime() > windowStart, `first ${head.start.toISOString()}–${head.end!.toISOString()}`);
    assert.equal(head.start.getUTCDay(), 1, 'a whole weekly shift, from its Monday handoff');
    assert.ok(tail.start.getTime() < windowEnd && tail.end!.getTime() > windowEnd, `last ${tail.start.toISOString()}–${tail.end!.toISOString()}`);
    const sequence = (text: string) => Number(/^SEQUENCE:(\d+)/m.exec(text)?.[1]);
    assert.match(second.text, /^LAST-MODIFIED:\d{8}T\d{6}Z/m);
    await new Promise((r) => setTimeout(r, 1_100));
    const now = Date.now();
    const override = await h.request('POST', `/schedules/${s.id}/overrides`, { kind: 'replace', start: new Date(now + 86_400_000).toISOString(), end: new Date(now + 2 * 86_400_000).toISOString(), user_id: cid });
    assert.equal(override.status, 201, JSON.stringify(override.body));
    const third = await feed();
    assert.ok(sequence(third.text) > sequence(second.text), `SEQUENCE ${sequence(second.text)} → ${sequence(third.text)}`);
  });

  it('refuses names that would break a line, and keeps a stored one from injecting into the feed', async () => {
    const injected = 'ops\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:evil@x\r\nSUMMARY:Call +1 900 555 0100\r\nEND:VEVENT';
    const refused = await h.request('POST', '/schedules', { ...weekly(), name: injected });
    assert.equal(refused.status, 400);
    assert.deepEqual(fields(refused.body), ['body.name']);
    assert.match(refused.body.error.message, /single line/);
    for (const [path, body] of [['/users', { name: 'Eve\nAdmin' }], ['/escalation-policies', { name: 'p\r\nx', tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: ann }] }] }]] as const) {
      const res = await h.request('POST', path, body);
      assert.equal(res.status, 400, path);
      assert.deepEqual(fields(res.body), ['body.name'], path);
    }

    // A name stored before names had to be one line (written straight to Postgres), and a user's too.
    const s = (await h.request('POST', '/schedules', { ...weekly(), name: 'inject', layers: [{ ...weekly().layers[0]!, start: '2026-11-02T09:00', participants: [cid] }] })).body;
    await h.db.pool.query('update schedules set name = $2 where id = $1', [s.id, injected]);
    await h.db.pool.query('update users set name = $2 where id = $1', [cid, 'Cid\r\nBEGIN:VEVENT']);
    try {
      const feed = await (await fetch(`${h.baseUrl}/schedules/${s.id}.ics`, { headers: { authorization: `Bearer ${h.adminKey}` } })).text();
      // Content lines as RFC 5545 reads them (a line starting with a space continues the one before).
      const lines = feed.replace(/\r\n[ \t]/g, '').split('\r\n').filter(Boolean);
      assert.deepEqual(lines.filter((l) => /^(BEGIN|END):VCALENDAR$/.test(l)), ['BEGIN:VCALENDAR', 'END:VCALENDAR'], 'one calendar');
      assert.ok(!lines.some((l) => l.startsWith('UID:evil') || l.startsWith('SUMMARY:Call')), 'no foreign event or property');
      assert.equal(lines.filter((l) => l === 'BEGIN:VEVENT').length, lines.filter((l) => l.startsWith('UID:')).length, 'every event is one of ours');
      const parsed = Object.values(ical.sync.parseICS(feed));
      assert.equal(parsed.filter((e) => e?.type === 'VCALENDAR').length, 1);
      const events = parsed.filter((e): e is ical.VEvent => e?.type === 'VEVENT');
      assert.ok(events.length > 0 && events.every((e) => e.uid.startsWith(`${s.id}-`)), 'only the schedule’s own shifts');
      assert.ok(events.every((e) => !/[\r\n]/.test(String(e.summary))));
    } finally {
      await h.db.pool.query('update users set name = $2 where id = $1', [cid, 'Cid']);
    }
  });

  it("lists a user's upcoming shifts across schedules", async () => {
    const start = new Date(Date.now() - 86_400_000).toISOString().slice(0, 16);
    const s = (await h.request('POST', '/schedules', { name: 'daily-upcoming', time_zone: 'UTC', layers: [{ name: 'd', rotation: { type: 'daily', length: 1 }, start, participants: [cid, ann] }] })).body;
    const res = await h.request('GET', `/users/${cid}/on-call?days=6`);
    assert.equal(res.status, 200);
    const mine = res.body.shifts.filter((x: { schedule_id: string }) => x.schedule_id === s.id);
    assert.equal(mine.length, 3, JSON.stringify(mine));
    assert.equal((await h.request('GET', '/users/00000000-0000-4000-8000-000000000000/on-call')).status, 404);
  });
});
