import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMapping, type FieldMapping, getPath, validateMapping, validatePath } from './generic';
import type { IngestEvent } from './types';

/** A Grafana-ish body: nested objects, an array, and keys that need brackets. */
const BODY = {
  alert: { title: 'CPU high on web-1', state: 'Resolved', priority: 'P1', id: 4711, host: 'web-1' },
  items: [{ name: 'first' }, { name: 'second', tags: ['a', 'b'] }],
  'key with space': { "it's": 'quoted', 'a.b': 'dotted' },
  count: 0,
  flag: false,
  nothing: null,
};

function event(body: unknown, mapping: FieldMapping): IngestEvent {
  const r = applyMapping(body, mapping);
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return r.value;
}

function errorsOf(body: unknown, mapping: FieldMapping): string[] {
  const r = applyMapping(body, mapping);
  assert.equal(r.ok, false, 'expected a rejection');
  return r.ok ? [] : r.errors;
}

describe('getPath', () => {
  it('follows names, indexes and bracketed keys', () => {
    assert.equal(getPath(BODY, '$.alert.title'), 'CPU high on web-1');
    assert.equal(getPath(BODY, '$.items[1].name'), 'second');
    assert.equal(getPath(BODY, '$.items[1].tags[0]'), 'a');
    assert.equal(getPath(BODY, "$['key with space']['it\\'s']"), 'quoted');
    assert.equal(getPath(BODY, `$["key with space"]["a.b"]`), 'dotted');
    assert.equal(getPath(BODY, "$['alert'].id"), 4711);
    assert.equal(getPath(BODY, '$.count'), 0);
    assert.equal(getPath(BODY, '$.flag'), false);
    assert.equal(getPath(BODY, '$.nothing'), null);
    assert.equal(getPath(BODY, '$'), BODY);
    assert.equal(getPath([{ a: 1 }], '$[0].a'), 1);
  });

  it('returns undefined for anything absent, without reaching into prototypes', () => {
    for (const path of [
      '$.missing',
      '$.alert.title.more',
      '$.items[2]',
      '$.items[0].tags',
      '$.items.name',
      '$.alert[0]',
      '$.constructor',
      "$['__proto__']",
      '$.items.length',
    ]) {
      assert.equal(getPath(BODY, path), undefined, path);
    }
    assert.equal(getPath(null, '$.a'), undefined);
    assert.equal(getPath('text', '$[0]'), undefined);
  });

  it('throws on an invalid path', () => {
    assert.throws(() => getPath(BODY, 'alert.title'), RangeError);
  });
});

describe('validatePath', () => {
  it('accepts the supported forms', () => {
    for (const path of ['$', '$.a', '$.a-b_c.9', '$[0]', '$[12].x', "$['a b']", '$["a\\"b"]', "$['']"]) {
      assert.equal(validatePath(path), null, path);
    }
  });

  it('rejects anything else with a reason and a position', () => {
    const cases: [unknown, string][] = [
      ['alert.title', "it must start with '$'"],
      ['', "it must start with '$'"],
      ['$.', "expected a name after '.' at position 1"],
      ['$..a', "expected a name after '.' at position 1"],
      ['$.a b', 'unexpected " " at position 3'],
      ['$[*]', "expected an index or a quoted key after '[' at position 1"],
      ['$[-1]', "expected an index or a quoted key after '[' at position 1"],
      ["$['open", 'unclosed quote opened at position 2'],
      ["$['a'x", "expected ']' at position 5"],
      ['$[?(@.a)]', "expected an index or a quoted key after '[' at position 1"],
      ['$[99999999999999999999]', 'index too large at position 2'],
    ];
    for (const [path, why] of cases) {
      const problem = validatePath(path);
      assert.ok(problem?.includes(why), `${String(path)}: ${problem}`);
      assert.ok(problem?.startsWith(`invalid path ${JSON.stringify(path)}`));
    }
    assert.equal(validatePath(5), 'invalid path: expected a string like "$.alert.title"');
  });
});

describe('applyMapping', () => {
  const mapping: FieldMapping = {
    summary: '$.alert.title',
    severity: '$.alert.priority',
    dedupKey: '$.alert.id',
    status: '$.alert.state',
    source: '$.alert.host',
    severityMap: { p1: 'critical', P2: 'high' },
  };

  it('maps a body to an exact event', () => {
    assert.deepEqual(event(BODY, mapping), {
      action: 'resolve',
      dedupKey: '4711',
      summary: 'CPU high on web-1',
      severity: 'critical',
      source: 'web-1',
      labels: {},
      details: BODY,
      links: [],
    });
  });

  it('uses defaults when only the summary is mapped', () => {
    assert.deepEqual(event({ t: 42 }, { summary: '$.t' }), {
      action: 'trigger',
      summary: '42',
      severity: 'high',
      source: 'webhook',
      labels: {},
      details: { t: 42 },
      links: [],
    });
    assert.deepEqual(event([{ t: 'x' }], { summary: '$[0].t' }).details, { body: [{ t: 'x' }] });
  });

  it('looks severities up in the map, then as Klaxon names, then falls back to the default', () => {
    const sev = (value: unknown, extra: Partial<FieldMapping> = {}) =>
      event({ s: 'x', v: value }, { summary: '$.s', severity: '$.v', ...extra }).severity;
    const map = { severityMap: { ' P2 ': 'medium', '3': 'low', warn: 'medium' } } as const;
    assert.equal(sev('p2', map), 'medium');
    assert.equal(sev(3, map), 'low');
    assert.equal(sev('WARN', map), 'medium');
    assert.equal(sev('Critical', map), 'critical');
    assert.equal(sev('info'), 'info');
    assert.equal(sev('sev-9'), 'high');
    assert.equal(sev('sev-9', { defaultSeverity: 'low' }), 'low');
    assert.equal(sev(undefined, { defaultSeverity: 'info' }), 'info');
    assert.equal(sev({ level: 'critical' }), 'high');
  });

  it('maps status values to resolve, acknowledge or trigger, case-insensitively', () => {
    const act = (value: unknown, extra: Partial<FieldMapping> = {}) =>
      event({ s: 'x', v: value }, { summary: '$.s', status: '$.v', ...extra }).action;
    for (const v of ['resolved', 'OK', 'closed', 'Recovered']) assert.equal(act(v), 'resolve', v);
    for (const v of ['acknowledged', 'ACK']) assert.equal(act(v), 'acknowledge', v);
    for (const v of ['firing', 'alerting', undefined, null, 1]) assert.equal(act(v), 'trigger', String(v));
    assert.equal(act(true, { resolvedValues: ['true'] }), 'resolve');
    assert.equal(act('ok', { resolvedValues: ['green'] }), 'trigger');
    assert.equal(act('seen', { acknowledgedValues: ['Seen'] }), 'acknowledge');
    assert.equal(act('done', { resolvedValues: ['done'], acknowledgedValues: ['done'] }), 'resolve');
  });

  it('names the field and path of every problem in the body', () => {
    const body = { title: { text: 'x' }, id: ['1'], src: true };
    assert.deepEqual(errorsOf(body, { summary: '$.alert.title', dedupKey: '$.id', source: '$.src' }), [
      'summary: nothing at $.alert.title',
      'dedupKey: $.id is an array, expected a string or number',
      'source: $.src is a boolean, expected a string or number',
    ]);
    assert.deepEqual(errorsOf(body, { summary: '$.title' }), [
      'summary: $.title is an object, expected a string or number',
    ]);
    assert.deepEqual(errorsOf({ t: '  ' }, { summary: '$.t' }), ['summary: $.t is blank']);
    assert.deepEqual(errorsOf({ t: null }, { summary: '$.t' }), ['summary: nothing at $.t']);
    assert.deepEqual(errorsOf({ t: 'x'.repeat(1025) }, { summary: '$.t' }), [
      'summary: $.t is longer than 1024 characters',
    ]);
    assert.equal(event({ t: 'x'.repeat(1024) }, { summary: '$.t' }).summary.length, 1024);
    assert.deepEqual(errorsOf('plain text', { summary: '$.t' }), ['summary: nothing at $.t']);
  });

  it('treats an absent or blank dedup key or source as not given', () => {
    const e = event({ t: 'x', d: '', s: ' ' }, { summary: '$.t', dedupKey: '$.d', source: '$.s' });
    assert.equal(e.dedupKey, undefined);
    assert.equal(e.source, 'webhook');
  });

  it('rejects an invalid mapping before reading the body', () => {
    const bad = {
      summary: 'alert.title',
      severity: '$[*]',
      severityMap: { p1: 'urgent' },
      defaultSeverity: 'meh',
      resolvedValues: 'ok',
    } as unknown as FieldMapping;
    const errors = errorsOf(BODY, bad);
    assert.equal(errors.length, 5);
    assert.match(errors[0] ?? '', /^summary: invalid path "alert\.title": it must start with '\$'/);
    assert.match(errors[1] ?? '', /^severity: invalid path "\$\[\*\]"/);
    assert.deepEqual(errors.slice(2), [
      'severityMap["p1"]: must be one of critical, high, medium, low, info',
      'defaultSeverity: must be one of critical, high, medium, low, info',
      'resolvedValues: must be a list of strings',
    ]);
    assert.deepEqual(validateMapping({} as FieldMapping), ['summary: a path is required']);
    assert.deepEqual(validateMapping(mapping), []);
  });
});
