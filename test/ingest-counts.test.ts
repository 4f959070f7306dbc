// Raw-event counts are added up in memory and written per (integration, UTC day) in one statement: on
// an interval, on close, and before GET /stats/noise reads them, so one process reads its own counts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { BufferedIngestCounts } from '../api/ingest-counts';
import { createLogger } from '../runtime/logger';
import type { Queryable } from '../store/db';
import { createIntegration, deleteIntegration } from '../store/integrations';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { startHarness, type Harness } from './helpers/harness';
import { waitFor } from './helpers/world';

const log = createLogger('silent');
const HOUR = 3_600_000;

/** A Queryable over the pool that counts statements, and fails the next ones while `failing` is set. */
function counting(pool: pg.Pool): Queryable & { n: number; failing: boolean } {
  const c = {
    n: 0,
    failing: false,
    query: ((...args: Parameters<pg.Pool['query']>) => {
      c.n++;
      if (c.failing) return Promise.reject(new Error('connection terminated'));
      return (pool.query as (...a: unknown[]) => unknown)(...args);
    }) as pg.Pool['query'],
  };
  return c;
}

describe('buffered raw-event counts', () => {
  let db: TestDatabase;
  const ids: string[] = [];
  before(async () => {
    db = await createTestDatabase();
    for (const name of ['a', 'b', 'c']) {
      ids.push(
        (
          await createIntegration(db.pool, {
            name,
            type: 'pagerduty',
            service: 's',
            settings: {},
            groupBy: [],
            groupWindowMinutes: 5,
          })
        ).row.id,
      );
    }
  });
  after(async () => {
    await db?.drop();
  });
  const stats = async () =>
    (
      await db.pool.query<{ integration_id: string; day: string; raw_events: number; triggers: number }>(
        `select integration_id, to_char(day, 'YYYY-MM-DD') as day, raw_events, triggers from ingest_stats order by day, integration_id`,
      )
    ).rows;
  const clear = () => db.pool.query('delete from ingest_stats');

  it('writes nothing until flushed, then every integration and day in one statement', async () => {
    await clear();
    const reads = counting(db.pool);
    let now = Date.parse('2026-11-27T23:59:59.500Z');
    const counts = new BufferedIngestCounts(reads, log, { everyMs: HOUR, now: () => now });
    for (let i = 0; i < 40; i++) counts.add(ids[i % 2]!, 50, 49);
    now = Date.parse('2026-11-28T00:00:00.100Z'); // past midnight UTC: a new day's row
    counts.add(ids[0]!, 1, 0);
    assert.equal(reads.n, 0);
    assert.deepEqual(await stats(), []);
    await counts.flush();
    assert.equal(reads.n, 1, 'one statement');
    const rows = (await stats())
      .map((r) => `${r.day} ${r.integration_id} ${r.raw_events} ${r.triggers}`)
      .sort();
    assert.deepEqual(
      rows,
      [`2026-11-27 ${ids[0]} 1000 980`, `2026-11-27 ${ids[1]} 1000 980`, `2026-11-28 ${ids[0]} 1 0`].sort(),
    );
    await counts.flush();
    assert.equal(reads.n, 1, 'nothing pending, nothing written');
    await counts.close();
  });

  it('adds to what is stored, keeps the counts of a failed flush for the next, and writes the rest on close', async () => {
    await clear();
    const reads = counting(db.pool);
    const counts = new BufferedIngestCounts(reads, log, { everyMs: HOUR });
    counts.add(ids[2]!, 3, 3);
    await counts.flush();
    counts.add(ids[2]!, 4, 1);
    reads.failing = true;
    await assert.rejects(counts.flush(), /write raw-event counts/);
    reads.failing = false;
    counts.add(ids[2]!, 5, 0);
    await counts.close();
    assert.deepEqual(
      (await stats()).map((r) => [r.raw_events, r.triggers]),
      [[12, 4]],
    );
  });

  it('drops the counts of an integration deleted meanwhile, and writes the others', async () => {
    await clear();
    const doomed = (
      await createIntegration(db.pool, {
        name: 'doomed',
        type: 'pagerduty',
        service: 's',
        settings: {},
        groupBy: [],
        groupWindowMinutes: 5,
      })
    ).row.id;
    const counts = new BufferedIngestCounts(db.pool, log, { everyMs: HOUR });
    counts.add(doomed, 1, 1);
    counts.add(ids[0]!, 2, 2);
    await deleteIntegration(db.pool, doomed);
    await counts.close();
    assert.deepEqual(
      (await stats()).map((r) => [r.integration_id, r.raw_events]),
      [[ids[0], 2]],
    );
  });

  it('writes on its interval without being asked', async () => {
    await clear();
    const counts = new BufferedIngestCounts(db.pool, log, { everyMs: 20 });
    try {
      counts.add(ids[1]!, 7, 7);
      await waitFor('the interval flush', async () => (await stats()).some((r) => r.raw_events === 7));
    } finally {
      await counts.close();
    }
  });
});

describe('GET /stats/noise', () => {
  let h: Harness;
  before(async () => {
    // An interval far longer than the test: only the flush before reading can bring the counts.
    h = await startHarness({ countsEveryMs: HOUR });
  });
  after(async () => {
    await h?.close();
  });

  it("reads this process's own counts at once", async () => {
    const made = await h.request('POST', '/integrations', {
      type: 'pagerduty',
      name: 'pd',
      service: 'noise',
    });
    const event = {
      routing_key: made.body.routing_key,
      event_action: 'trigger',
      dedup_key: 'n-1',
      payload: { summary: 's', source: 'x', severity: 'info' },
    };
    for (let i = 0; i < 3; i++)
      assert.equal((await h.request('POST', '/v2/enqueue', event, { key: null })).status, 202);
    const raw = async () =>
      (
        await h.db.pool.query<{ n: number }>(
          'select coalesce(sum(raw_events), 0)::int as n from ingest_stats',
        )
      ).rows[0]!.n;
    assert.equal(await raw(), 0, 'still in memory');
    const today = new Date().toISOString().slice(0, 10);
    const noise = await h.request('GET', `/stats/noise?from=${today}&to=${today}`);
    assert.equal(noise.status, 200);
    assert.equal(noise.body.total.raw_events, 3);
    assert.equal(noise.body.integrations[0].raw_events, 3);
  });
});
