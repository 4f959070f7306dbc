// The console's Alerts list: its filters in the query string and the API query they make, and the
// bookkeeping of bulk actions (a few calls at a time, failures stay selected, the summary).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FILTERS, alertsQuery, filtersFromQuery, filtersToQuery } from '../web/alert-filters';
import { bulkSummary, eachLimited, keepFailed, selectedShown, type BulkResult } from '../web/bulk';

describe('alert list filters in the address', () => {
  it('round-trips every filter through the query string, leaving defaults out', () => {
    const f = {
      state: 'new' as const,
      severity: 'high' as const,
      service: 'db',
      from: '2026-03-02T09:00:00.000Z',
      to: '2026-03-03T09:00:00.000Z',
    };
    const text = filtersToQuery(f);
    assert.equal(
      text,
      '?state=new&severity=high&service=db&from=2026-03-02T09%3A00%3A00.000Z&to=2026-03-03T09%3A00%3A00.000Z',
    );
    assert.deepEqual(filtersFromQuery(text), f);
    assert.equal(filtersToQuery(DEFAULT_FILTERS), '');
    assert.deepEqual(filtersFromQuery(''), DEFAULT_FILTERS);
  });

  it('drops values that are not filters instead of failing', () => {
    assert.deepEqual(
      filtersFromQuery('?state=bogus&severity=urgent&from=yesterday&service=%20%20'),
      DEFAULT_FILTERS,
    );
    // A time with an offset is kept as the instant it names.
    assert.equal(filtersFromQuery('?from=2026-03-02T10:00:00%2B01:00').from, '2026-03-02T09:00:00.000Z');
  });

  it('asks the API for open alerts by default, any state for "all", and passes the rest', () => {
    assert.deepEqual(alertsQuery(DEFAULT_FILTERS), { open: 'true' });
    assert.deepEqual(alertsQuery({ ...DEFAULT_FILTERS, state: 'all' }), {});
    assert.deepEqual(
      alertsQuery({ ...DEFAULT_FILTERS, state: 'resolved', severity: 'low', service: ' db ' }),
      {
        state: 'resolved',
        severity: 'low',
        service: 'db',
      },
    );
    assert.deepEqual(alertsQuery({ ...DEFAULT_FILTERS, from: 'a', to: 'b' }), {
      open: 'true',
      from: 'a',
      to: 'b',
    });
  });
});

describe('bulk actions', () => {
  const result = (id: string, ok: boolean): BulkResult => ({
    id,
    summary: id,
    ok,
    text: ok ? 'done' : 'refused',
  });

  it('runs every item at most `limit` at once and answers in order', async () => {
    let running = 0;
    let most = 0;
    const answers = await eachLimited([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    assert.deepEqual(answers, [50, 10, 40, 20, 30]);
    assert.equal(most, 2);
    assert.deepEqual(await eachLimited([], 4, async () => 1), []);
  });

  it('keeps the failed ones selected (and what was not part of the action)', () => {
    const after = keepFailed(new Set(['a', 'b', 'c', 'd']), [
      result('a', true),
      result('b', false),
      result('c', true),
    ]);
    assert.deepEqual([...after].sort(), ['b', 'd']);
  });

  it('summarises the outcome', () => {
    assert.equal(
      bulkSummary('Acknowledged', [result('a', true), result('b', true)]),
      'Acknowledged 2 alerts.',
    );
    assert.equal(bulkSummary('Resolved', [result('a', true)]), 'Resolved 1 alert.');
    assert.equal(
      bulkSummary('Acknowledged', [result('a', true), result('b', false), result('c', true)]),
      'Acknowledged 2 of 3 alerts; 1 failed.',
    );
  });

  it('acts only on selected alerts that are shown, in the list’s order', () => {
    assert.deepEqual(selectedShown([{ id: 'c' }, { id: 'a' }, { id: 'b' }], new Set(['a', 'c', 'gone'])), [
      'c',
      'a',
    ]);
  });
});
