// Values that pass a field's type but not what the store or the domain holds are 400 naming the field,
// through the real HTTP interface, and nothing is stored: SLA targets that round to 0 seconds (a check
// constraint refused them with a 500), a schedule layer starting on a day that does not exist (stored,
// it made every read of the schedule fail).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './helpers/harness';
import { countRows } from './helpers/row-counts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

const rowCounts = () => countRows(h);

describe('numbers that round to a value the store refuses', () => {
  it('PUT /sla/targets with 0.001 minutes (0 seconds once rounded) → 400 naming each field; nothing stored', async () => {
    const res = await h.request('PUT', '/sla/targets/x/low', { tta_minutes: 0.001, ttr_minutes: 0.001 });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.error.errors.map((e: { field: string }) => e.field),
      ['body.tta_minutes', 'body.ttr_minutes'],
    );
    assert.match(res.body.error.errors[0].message, /at least 1 second/);
    assert.equal((await h.db.pool.query('select count(*)::int as n from sla_targets')).rows[0].n, 0);
  });

  it('a target that rounds to a whole second is stored to the second, and answered as stored', async () => {
    const res = await h.request('PUT', '/sla/targets/x/low', { tta_minutes: 0.01, ttr_minutes: 1.0001 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { service: 'x', severity: 'low', tta_minutes: 1 / 60, ttr_minutes: 1 });
    const stored = (await h.db.pool.query('select tta_seconds, ttr_seconds from sla_targets')).rows;
    assert.deepEqual(stored, [{ tta_seconds: 1, ttr_seconds: 60 }]);
    assert.deepEqual((await h.request('GET', '/sla/targets?service=x')).body.overrides, [
      { service: 'x', severity: 'low', tta_minutes: 1 / 60, ttr_minutes: 1 },
    ]);
  });
});

describe('values a pattern lets through that the domain refuses (found by the fuzzer)', () => {
  it('a schedule layer starting on a day that does not exist is 400 naming it, and nothing is stored', async () => {
    const user = await h.request('POST', '/users', { name: 'Rota Person' });
    const before = await rowCounts();
    for (const start of ['2026-02-30T09:00', '6386-15-53T16:08', '2026-04-31T00:00']) {
      const res = await h.request('POST', '/schedules', {
        name: `rota ${start}`,
        time_zone: 'UTC',
        layers: [{ rotation: { type: 'daily', length: 1 }, start, participants: [user.body.id] }],
      });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.errors[0].field, 'body.layers.0.start');
    }
    assert.deepEqual(await rowCounts(), before);
    // A real day is taken, and the user's shifts on it can be read.
    const ok = await h.request('POST', '/schedules', {
      name: 'rota leap',
      time_zone: 'UTC',
      layers: [
        { rotation: { type: 'daily', length: 1 }, start: '2028-02-29T09:00', participants: [user.body.id] },
      ],
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal((await h.request('GET', `/users/${user.body.id}/on-call`)).status, 200);
  });
});
