import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePagerDutyEvent, PD_SEVERITY_MAP } from './pagerduty';
import { errorsOf, fullTrigger, KEY, withPayload } from './pagerduty.fixture';

describe('PagerDuty Events v2: valid events', () => {
  it('maps a full trigger exactly', () => {
    assert.deepEqual(parsePagerDutyEvent(fullTrigger()), {
      ok: true,
      value: {
        routingKey: KEY,
        client: 'Sample Monitoring Service',
        clientUrl: 'https://monitoring.example.com',
        event: {
          action: 'trigger',
          dedupKey: 'srv01/disk',
          summary: 'DISK at 99% on machine prod-datapipe03.example.com',
          severity: 'critical',
          source: 'prod-datapipe03.example.com',
          labels: { component: 'mysql', group: 'prod-datapipe', class: 'disk' },
          details: {
            free_space: '1%',
            ping_time: '1500ms',
            images: [
              { src: 'https://chart.example.com/disk.png', href: 'https://example.com/', alt: 'Disk chart' },
            ],
          },
          links: [{ href: 'https://example.com/runbook', text: 'Runbook' }],
          occurredAt: '2015-07-17T08:42:58.315Z',
        },
      },
    });
  });

  it('maps a minimal trigger without a dedup key (the caller generates one)', () => {
    const r = parsePagerDutyEvent({
      routing_key: KEY,
      event_action: 'trigger',
      payload: { summary: 's', source: 'h', severity: 'info' },
    });
    assert.deepEqual(r, {
      ok: true,
      value: {
        routingKey: KEY,
        event: {
          action: 'trigger',
          summary: 's',
          severity: 'info',
          source: 'h',
          labels: {},
          details: {},
          links: [],
        },
      },
    });
  });

  it('maps the four PagerDuty severities onto Klaxon severities', () => {
    assert.deepEqual(PD_SEVERITY_MAP, {
      critical: 'critical',
      error: 'high',
      warning: 'medium',
      info: 'info',
    });
    for (const [pd, klaxon] of Object.entries(PD_SEVERITY_MAP)) {
      const r = parsePagerDutyEvent(withPayload({ severity: pd }));
      assert.equal(r.ok && r.value.event.severity, klaxon);
    }
  });

  it('keeps non-object custom_details under details.custom_details', () => {
    for (const custom of ['plain text', 42, [1, 2], true]) {
      const body = withPayload({ custom_details: custom });
      delete body.images;
      const r = parsePagerDutyEvent(body);
      assert.deepEqual(r.ok && r.value.event.details, { custom_details: custom });
    }
  });

  for (const action of ['acknowledge', 'resolve'] as const) {
    it(`accepts ${action} with a dedup key and ignores its payload`, () => {
      const r = parsePagerDutyEvent({
        routing_key: KEY,
        event_action: action,
        dedup_key: 'k1',
        payload: { junk: 1 },
      });
      assert.ok(r.ok);
      assert.equal(r.value.event.action, action);
      assert.equal(r.value.event.dedupKey, 'k1');
      assert.deepEqual(r.value.event.labels, {});
    });
    it(`rejects ${action} without a dedup key, or with an empty one`, () => {
      assert.deepEqual(errorsOf({ routing_key: KEY, event_action: action }), [
        "'dedup_key' is required for acknowledge and resolve",
      ]);
      assert.deepEqual(errorsOf({ routing_key: KEY, event_action: action, dedup_key: '' }), [
        "'dedup_key' is required for acknowledge and resolve",
      ]);
    });
  }

  it('accepts routing keys of 1 and 64 characters with _ and -', () => {
    for (const key of ['a', 'A_b-9'.padEnd(64, 'x')]) {
      assert.ok(parsePagerDutyEvent({ ...fullTrigger(), routing_key: key }).ok, key);
    }
  });
});

describe('PagerDuty Events v2: every required field', () => {
  const cases: [string, () => Record<string, unknown>, string][] = [
    ['routing_key', () => ({ ...fullTrigger(), routing_key: undefined }), "'routing_key' is missing"],
    ['routing_key blank', () => ({ ...fullTrigger(), routing_key: '  ' }), "'routing_key' is missing"],
    ['event_action', () => ({ ...fullTrigger(), event_action: undefined }), "'event_action' is missing"],
    ['payload', () => ({ ...fullTrigger(), payload: undefined }), "'payload' is missing"],
    ['payload.summary', () => withPayload({ summary: undefined }), "'payload.summary' is missing or blank"],
    ['payload.summary blank', () => withPayload({ summary: ' \t' }), "'payload.summary' is missing or blank"],
    ['payload.source', () => withPayload({ source: undefined }), "'payload.source' is missing or blank"],
    [
      'payload.severity',
      () => withPayload({ severity: undefined }),
      "'payload.severity' is missing or blank",
    ],
  ];
  for (const [name, body, error] of cases) {
    it(`reports a missing ${name}`, () => assert.deepEqual(errorsOf(body()), [error]));
  }
});
