import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { charLength, describeType, isHttpUrl, parseTimestamp, truncate } from './fields';

describe('parseTimestamp', () => {
  it('normalises ISO 8601 date-times with a zone to UTC', () => {
    const table: [string, string][] = [
      ['2026-03-01T10:15:30Z', '2026-03-01T10:15:30.000Z'],
      ['2026-03-01t10:15:30z', '2026-03-01T10:15:30.000Z'],
      ['2026-03-01 10:15:30Z', '2026-03-01T10:15:30.000Z'],
      ['2026-03-01T10:15Z', '2026-03-01T10:15:00.000Z'],
      ['2026-03-01T10:15:30.5Z', '2026-03-01T10:15:30.500Z'],
      ['2026-03-01T10:15:30,25Z', '2026-03-01T10:15:30.250Z'],
      ['2026-03-01T10:15:30.123456789Z', '2026-03-01T10:15:30.123Z'],
      ['2015-07-17T08:42:58.315+0000', '2015-07-17T08:42:58.315Z'],
      ['2026-03-01T00:30:00+05:30', '2026-02-28T19:00:00.000Z'],
      ['2026-12-31T23:00:00-02:00', '2027-01-01T01:00:00.000Z'],
      ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
      ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ];
    for (const [input, expected] of table) assert.equal(parseTimestamp(input), expected, input);
  });

  it('rejects impossible, zoneless and non-ISO values', () => {
    for (const input of [
      '2026-02-29T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-03-01T24:00:00Z',
      '2026-03-01T10:60:00Z',
      '2026-03-01T10:15:60Z',
      '2026-03-01T10:15:30+24:00',
      '2026-03-01T10:15:30',
      '2026-03-01',
      '20260301T101530Z',
      'Sun, 01 Mar 2026 10:15:30 GMT',
      ' 2026-03-01T10:15:30Z',
    ]) {
      assert.equal(parseTimestamp(input), null, input);
    }
    assert.equal(parseTimestamp(1_700_000_000_000), null);
    assert.equal(parseTimestamp(null), null);
  });
});

describe('text helpers', () => {
  it('counts and cuts by code point', () => {
    assert.equal(charLength('a🔥b'), 3);
    assert.equal(truncate('abc', 3), 'abc');
    assert.equal(truncate('abcd', 3), 'ab…');
    assert.equal(truncate('🔥🔥🔥🔥', 3), '🔥🔥…');
  });

  it('accepts only absolute http(s) URLs', () => {
    assert.ok(isHttpUrl('https://example.com/a?b=c'));
    assert.ok(isHttpUrl('http://localhost:9090/graph'));
    for (const v of ['javascript:alert(1)', 'data:text/html,x', 'ftp://x', '/relative', '', 5]) {
      assert.equal(isHttpUrl(v), false, String(v));
    }
  });

  it('describes JSON types for messages', () => {
    assert.deepEqual([null, undefined, [], {}, 'x', 1, true].map(describeType), [
      'null',
      'nothing',
      'an array',
      'an object',
      'a string',
      'a number',
      'a boolean',
    ]);
  });
});
