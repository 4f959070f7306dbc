import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findUnstorable, textProblem, toStorable, toStorableText } from './storable-text';

const HIGH = '\uD83D';
const LOW = '\uDE00';
const PAIR = `${HIGH}${LOW}`; // 😀, a well-formed pair

describe('textProblem', () => {
  it('accepts text Postgres can hold: empty, ASCII, controls other than NUL, CR/LF, BMP and astral characters, U+FFFD', () => {
    for (const s of [
      '',
      'disk full',
      '\t\r\n\u0001\u001f\u007f',
      'Zürich 東京 עברית',
      PAIR,
      `a${PAIR}b`,
      '\uFFFD',
      '\uFFFF',
      '\\u0000',
    ])
      assert.equal(textProblem(s), undefined, JSON.stringify(s));
  });

  it('finds NUL anywhere in the string', () => {
    for (const s of ['\u0000', 'a\u0000', '\u0000b', `x${PAIR}\u0000`])
      assert.equal(textProblem(s), 'nul', JSON.stringify(s));
  });

  it('finds a surrogate half without its partner: high at the end, high before a non-low, low alone, low after a low, reversed pair', () => {
    for (const s of [
      HIGH,
      LOW,
      `a${HIGH}`,
      `${HIGH}a`,
      `${LOW}a`,
      `${PAIR}${LOW}`,
      `${LOW}${HIGH}`,
      `${HIGH}${HIGH}${LOW}`,
      '\uDBFF',
      '\uDC00',
    ])
      assert.equal(textProblem(s), 'lone_surrogate', JSON.stringify(s));
  });

  it('names NUL first when a string has both', () => {
    assert.equal(textProblem(`${HIGH}\u0000`), 'nul');
  });

  it('agrees with what UTF-8 can encode: a string round-trips through UTF-8 exactly when it has no lone surrogate', () => {
    for (let unit = 0xd7fe; unit <= 0xe001; unit++) {
      for (const s of [
        String.fromCharCode(unit),
        `${String.fromCharCode(unit)}${LOW}`,
        `${HIGH}${String.fromCharCode(unit)}`,
      ]) {
        const roundTrips = Buffer.from(s, 'utf8').toString('utf8') === s;
        assert.equal(textProblem(s) === 'lone_surrogate', !roundTrips, JSON.stringify(s));
      }
    }
  });
});

describe('toStorableText', () => {
  it('replaces each NUL and each lone surrogate with U+FFFD and keeps pairs and everything else', () => {
    assert.equal(toStorableText(`a\u0000b${HIGH}c${PAIR}${LOW}\u0000`), `a\uFFFDb\uFFFDc${PAIR}\uFFFD\uFFFD`);
    assert.equal(toStorableText(`${HIGH}${HIGH}${LOW}`), `\uFFFD${PAIR}`);
    assert.equal(toStorableText('plain'), 'plain');
  });
});

describe('findUnstorable', () => {
  it('names each offending field by its dotted path: values and keys at any depth, array items by index', () => {
    const body = {
      summary: 'ok',
      labels: { env: 'prod\u0000', [`t${HIGH}`]: 'x' },
      details: { deep: [{ a: ['fine', `bad${LOW}`] }], n: 1, b: true, z: null },
    };
    assert.deepEqual(findUnstorable(body, 'body'), [
      { path: 'body.labels.env', problem: 'nul' },
      { path: 'body.labels.t\\uD83D', problem: 'lone_surrogate' },
      { path: 'body.details.deep.0.a.1', problem: 'lone_surrogate' },
    ]);
  });

  it('walks the value under an offending key too', () => {
    assert.deepEqual(findUnstorable({ 'k\u0000': 'v\u0000' }, 'body'), [
      { path: 'body.k\\u0000', problem: 'nul' },
      { path: 'body.k\\u0000', problem: 'nul' },
    ]);
  });

  it('checks a bare string, query arrays, and ignores non-strings', () => {
    assert.deepEqual(findUnstorable('\u0000', 'params.id'), [{ path: 'params.id', problem: 'nul' }]);
    assert.deepEqual(findUnstorable({ state: ['new', 'x\u0000'] }, 'query'), [
      { path: 'query.state.1', problem: 'nul' },
    ]);
    assert.deepEqual(findUnstorable({ a: 1, b: [null, false, 2.5], c: {} }, 'body'), []);
    assert.deepEqual(findUnstorable(undefined, 'body'), []);
  });

  it("starts paths at the value's own keys under the empty root", () => {
    assert.deepEqual(findUnstorable({ event: { labels: { env: '\u0000' } }, ids: ['\u0000'] }, ''), [
      { path: 'event.labels.env', problem: 'nul' },
      { path: 'ids.0', problem: 'nul' },
    ]);
  });

  it('stops at the limit', () => {
    assert.equal(
      findUnstorable(
        Array.from({ length: 100 }, () => '\u0000'),
        'body',
      ).length,
      20,
    );
    assert.equal(
      findUnstorable(
        Array.from({ length: 100 }, () => '\u0000'),
        'body',
        3,
      ).length,
      3,
    );
  });

  it('walks nesting far deeper than the call stack allows', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const [found] = findUnstorable(deep, 'body');
    assert.equal(found?.problem, 'nul');
    assert.equal(found?.path.split('.').length, 200_001);
  });
});

describe('toStorable', () => {
  it('returns a storable copy and the paths it replaced, leaving the original as it was', () => {
    const event = {
      summary: 'disk\u0000full',
      labels: { [`e${HIGH}nv`]: 'prod' },
      details: { list: ['a', `b${LOW}`], n: 3 },
      links: [],
    };
    const { value, replaced } = toStorable(event, 'event');
    assert.deepEqual(value, {
      summary: 'disk\uFFFDfull',
      labels: { 'e\uFFFDnv': 'prod' },
      details: { list: ['a', 'b\uFFFD'], n: 3 },
      links: [],
    });
    assert.deepEqual(replaced, ['event.summary', 'event.labels.e\\uD83Dnv', 'event.details.list.1']);
    assert.equal(event.summary, 'disk\u0000full');
    assert.deepEqual(findUnstorable(value, 'event'), []);
  });

  it('returns the value itself when nothing needs replacing', () => {
    const event = { summary: 'fine', labels: {} };
    const result = toStorable(event, 'event');
    assert.equal(result.value, event);
    assert.deepEqual(result.replaced, []);
  });
});
