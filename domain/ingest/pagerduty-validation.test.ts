import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePagerDutyEvent } from './pagerduty';
import { errorsOf, fullTrigger, KEY, withPayload } from './pagerduty.fixture';

describe('PagerDuty Events v2: wrong types and values', () => {
  const cases: [string, () => Record<string, unknown>, string][] = [
    [
      'object routing_key',
      () => ({ ...fullTrigger(), routing_key: { k: 1 } }),
      "'routing_key' must be a string",
    ],
    [
      'routing_key with a space',
      () => ({ ...fullTrigger(), routing_key: 'bad key' }),
      "'routing_key' must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'",
    ],
    [
      '65-character routing_key',
      () => ({ ...fullTrigger(), routing_key: 'k'.repeat(65) }),
      "'routing_key' must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'",
    ],
    [
      'unknown event_action',
      () => ({ ...fullTrigger(), event_action: 'escalate' }),
      "'event_action' must be one of trigger, acknowledge, resolve",
    ],
    [
      'numeric event_action',
      () => ({ ...fullTrigger(), event_action: 1 }),
      "'event_action' must be one of trigger, acknowledge, resolve",
    ],
    ['array payload', () => ({ ...fullTrigger(), payload: [] }), "'payload' must be an object, not an array"],
    [
      'string payload',
      () => ({ ...fullTrigger(), payload: 'x' }),
      "'payload' must be an object, not a string",
    ],
    ['number summary', () => withPayload({ summary: 5 }), "'payload.summary' must be a string"],
    [
      '1025-character summary',
      () => withPayload({ summary: 's'.repeat(1025) }),
      "'payload.summary' must be at most 1024 characters",
    ],
    ['array source', () => withPayload({ source: ['h'] }), "'payload.source' must be a string"],
    [
      '256-character source',
      () => withPayload({ source: 'h'.repeat(256) }),
      "'payload.source' must be at most 255 characters",
    ],
    [
      'bad severity',
      () => withPayload({ severity: 'high' }),
      "'payload.severity' must be one of critical, error, warning, info",
    ],
    [
      'upper-case severity',
      () => withPayload({ severity: 'CRITICAL' }),
      "'payload.severity' must be one of critical, error, warning, info",
    ],
    ['number dedup_key', () => ({ ...fullTrigger(), dedup_key: 7 }), "'dedup_key' must be a string"],
    [
      '256-character dedup_key',
      () => ({ ...fullTrigger(), dedup_key: 'd'.repeat(256) }),
      "'dedup_key' must be at most 255 characters",
    ],
    [
      'bad timestamp',
      () => withPayload({ timestamp: 'yesterday' }),
      "'payload.timestamp' must be an ISO 8601 date-time with a time zone",
    ],
    [
      'impossible date',
      () => withPayload({ timestamp: '2026-02-30T00:00:00Z' }),
      "'payload.timestamp' must be an ISO 8601 date-time with a time zone",
    ],
    [
      'zoneless timestamp',
      () => withPayload({ timestamp: '2026-01-01T10:00:00' }),
      "'payload.timestamp' must be an ISO 8601 date-time with a time zone",
    ],
    ['number component', () => withPayload({ component: 3 }), "'payload.component' must be a string"],
    [
      'long class',
      () => withPayload({ class: 'c'.repeat(256) }),
      "'payload.class' must be at most 255 characters",
    ],
    [
      'bad client_url',
      () => ({ ...fullTrigger(), client_url: 'not a url' }),
      "'client_url' must be an http(s) URL",
    ],
    ['number client', () => ({ ...fullTrigger(), client: 9 }), "'client' must be a string"],
    [
      'links not a list',
      () => ({ ...fullTrigger(), links: { href: 'https://x' } }),
      "'links' must be an array",
    ],
    [
      'bad link URL',
      () => ({ ...fullTrigger(), links: [{ href: 'example.com/page' }] }),
      "'links[0].href' must be an http(s) URL",
    ],
    [
      'javascript: link',
      () => ({ ...fullTrigger(), links: [{ href: 'javascript:alert(1)' }] }),
      "'links[0].href' must be an http(s) URL",
    ],
    ['link without href', () => ({ ...fullTrigger(), links: [{ text: 't' }] }), "'links[0].href' is missing"],
    [
      'string link',
      () => ({ ...fullTrigger(), links: ['https://x.example'] }),
      "'links[0]' must be an object",
    ],
    ['image without src', () => ({ ...fullTrigger(), images: [{ alt: 'a' }] }), "'images[0].src' is missing"],
    [
      'bad image href',
      () => ({ ...fullTrigger(), images: [{ src: 'https://i.example/a.png', href: 'ftp://x' }] }),
      "'images[0].href' must be an http(s) URL",
    ],
  ];
  for (const [name, body, error] of cases) {
    it(`rejects a ${name}`, () => assert.deepEqual(errorsOf(body()), [error]));
  }

  it('accepts 1024-character summaries and 255-character dedup keys, counting code points', () => {
    assert.ok(parsePagerDutyEvent(withPayload({ summary: '🔥'.repeat(1024) })).ok);
    assert.ok(parsePagerDutyEvent({ ...fullTrigger(), dedup_key: 'd'.repeat(255) }).ok);
  });

  it('allows 50 links but not 51', () => {
    const links = (n: number) => Array.from({ length: n }, (_, i) => ({ href: `https://x.example/${i}` }));
    assert.ok(parsePagerDutyEvent({ ...fullTrigger(), links: links(50) }).ok);
    assert.deepEqual(errorsOf({ ...fullTrigger(), links: links(51) }), [
      "'links' must have at most 50 entries",
    ]);
  });
});

describe('PagerDuty Events v2: several problems at once', () => {
  it('collects every error instead of stopping at the first', () => {
    const errors = errorsOf({
      routing_key: 12,
      event_action: 'trigger',
      dedup_key: 'd'.repeat(300),
      payload: { summary: '', severity: 'urgent', timestamp: 'now' },
      links: [{ href: 'nope' }],
    });
    assert.deepEqual(errors, [
      "'routing_key' must be a string",
      "'dedup_key' must be at most 255 characters",
      "'payload.summary' is missing or blank",
      "'payload.source' is missing or blank",
      "'payload.severity' must be one of critical, error, warning, info",
      "'payload.timestamp' must be an ISO 8601 date-time with a time zone",
      "'links[0].href' must be an http(s) URL",
    ]);
  });

  it('still checks a present payload when event_action is unknown', () => {
    assert.deepEqual(
      errorsOf({ routing_key: KEY, event_action: 'poke', payload: { summary: 's', source: 'h' } }),
      [
        "'event_action' must be one of trigger, acknowledge, resolve",
        "'payload.severity' is missing or blank",
      ],
    );
  });

  it('rejects bodies that are not JSON objects', () => {
    for (const [body, kind] of [
      [null, 'null'],
      [[], 'an array'],
      ['{"routing_key":"x"}', 'a string'],
      [42, 'a number'],
      [undefined, 'nothing'],
    ] as const) {
      assert.deepEqual(errorsOf(body), [`Event object is invalid: expected a JSON object, got ${kind}`]);
    }
  });
});
