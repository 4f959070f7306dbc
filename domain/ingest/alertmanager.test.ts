import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertmanagerSeverity, parseAlertmanagerPayload } from './alertmanager';
import type { IngestEvent } from './types';

const GROUP_KEY = '{}/{severity=~"critical|warning"}:{alertname="NodeDown"}';
const EXTERNAL = 'http://alertmanager.example.com:9093';
const GEN = 'http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1';

/** A notification as Alertmanager 0.27 posts it to a webhook_configs receiver. */
function payload(): Record<string, unknown> {
  return {
    receiver: 'klaxon',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'NodeDown', instance: 'node-1:9100', job: 'node', severity: 'critical' },
        annotations: {
          summary: 'node-1 is down',
          description: 'node-1:9100 has been unreachable for 5 minutes.',
        },
        startsAt: '2026-03-01T10:15:30.123456789Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: GEN,
        fingerprint: 'a1b2c3d4e5f60718',
      },
      {
        status: 'firing',
        labels: { alertname: 'NodeDown', instance: 'node-2:9100', job: 'node', severity: 'warning' },
        annotations: { description: 'node-2:9100 has been unreachable for 5 minutes.' },
        startsAt: '2026-03-01T11:15:30+01:00',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: GEN,
        fingerprint: '0f1e2d3c4b5a6978',
      },
      {
        status: 'resolved',
        labels: { alertname: 'NodeDown', job: 'node' },
        annotations: {},
        startsAt: '2026-03-01T09:00:00Z',
        endsAt: '2026-03-01T10:00:00Z',
        generatorURL: '',
        fingerprint: '9988776655443322',
      },
    ],
    groupLabels: { alertname: 'NodeDown' },
    commonLabels: { alertname: 'NodeDown', job: 'node' },
    commonAnnotations: {},
    externalURL: EXTERNAL,
    version: '4',
    groupKey: GROUP_KEY,
    truncatedAlerts: 0,
  };
}

function events(body: unknown, severityLabel?: string): IngestEvent[] {
  const r = parseAlertmanagerPayload(body, severityLabel === undefined ? {} : { severityLabel });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return r.value;
}

function errorsOf(body: unknown): string[] {
  const r = parseAlertmanagerPayload(body);
  assert.equal(r.ok, false, 'expected a rejection');
  return r.ok ? [] : r.errors;
}

function withAlert(i: number, changes: Record<string, unknown>): Record<string, unknown> {
  const body = payload();
  const alerts = body.alerts as Record<string, unknown>[];
  alerts[i] = { ...alerts[i], ...changes };
  return body;
}

describe('Alertmanager v4 webhook', () => {
  it('turns two firing alerts and one resolved into three exact events', () => {
    const [first, second, third] = events(payload());
    assert.deepEqual(first, {
      action: 'trigger',
      dedupKey: 'a1b2c3d4e5f60718',
      summary: 'node-1 is down',
      severity: 'critical',
      source: 'node-1:9100',
      labels: { alertname: 'NodeDown', instance: 'node-1:9100', job: 'node', severity: 'critical' },
      details: {
        annotations: {
          summary: 'node-1 is down',
          description: 'node-1:9100 has been unreachable for 5 minutes.',
        },
        startsAt: '2026-03-01T10:15:30.123456789Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: GEN,
        externalURL: EXTERNAL,
      },
      links: [{ href: GEN, text: 'Source' }],
      occurredAt: '2026-03-01T10:15:30.123Z',
      groupKey: GROUP_KEY,
    });
    assert.equal(second?.action, 'trigger');
    assert.equal(second?.summary, 'node-2:9100 has been unreachable for 5 minutes.');
    assert.equal(second?.severity, 'medium');
    assert.equal(second?.occurredAt, '2026-03-01T10:15:30.000Z');
    assert.deepEqual(third, {
      action: 'resolve',
      dedupKey: '9988776655443322',
      summary: 'NodeDown',
      severity: 'high',
      source: 'node',
      labels: { alertname: 'NodeDown', job: 'node' },
      details: {
        annotations: {},
        startsAt: '2026-03-01T09:00:00Z',
        endsAt: '2026-03-01T10:00:00Z',
        generatorURL: '',
        externalURL: EXTERNAL,
      },
      links: [],
      occurredAt: '2026-03-01T09:00:00.000Z',
      groupKey: GROUP_KEY,
    });
  });

  it('accepts an empty alert list as zero events', () => {
    assert.deepEqual(events({ ...payload(), alerts: [] }), []);
  });

  it('maps severity labels case-insensitively, unknown or missing to high', () => {
    const table: [string | undefined, string][] = [
      ['critical', 'critical'],
      ['PAGE', 'critical'],
      ['p1', 'critical'],
      ['error', 'high'],
      ['High', 'high'],
      ['major', 'high'],
      ['P2', 'high'],
      ['warning', 'medium'],
      ['warn', 'medium'],
      ['medium', 'medium'],
      ['p3', 'medium'],
      ['low', 'low'],
      ['minor', 'low'],
      ['p4', 'low'],
      ['info', 'info'],
      ['Informational', 'info'],
      ['none', 'info'],
      ['p5', 'info'],
      [' warning ', 'medium'],
      ['sev1', 'high'],
      ['', 'high'],
      ['constructor', 'high'],
      [undefined, 'high'],
    ];
    for (const [label, severity] of table) assert.equal(alertmanagerSeverity(label), severity, String(label));
  });

  it('reads severity from a configured label', () => {
    const body = withAlert(0, { labels: { alertname: 'X', severity: 'critical', priority: 'P4' } });
    assert.equal(events(body, 'priority')[0]?.severity, 'low');
    assert.equal(events(withAlert(0, { labels: { alertname: 'X' } }), 'toString')[0]?.severity, 'high');
  });

  it('falls back summary → description → alertname → a fixed text, skipping blanks', () => {
    const summaryOf = (labels: object, annotations: object) =>
      events(withAlert(0, { labels, annotations }))[0]?.summary;
    assert.equal(summaryOf({ alertname: 'A' }, { summary: 'S', description: 'D' }), 'S');
    assert.equal(summaryOf({ alertname: 'A' }, { summary: '  ', description: 'D' }), 'D');
    assert.equal(summaryOf({ alertname: 'A' }, {}), 'A');
    assert.equal(summaryOf({}, {}), 'Alertmanager alert');
  });

  it('truncates a long summary to 1024 characters ending in an ellipsis', () => {
    const summary = events(withAlert(0, { annotations: { summary: 'x'.repeat(2000) } }))[0]?.summary ?? '';
    assert.equal(summary.length, 1024);
    assert.ok(summary.endsWith('x…'));
    assert.equal(
      events(withAlert(0, { annotations: { summary: 'y'.repeat(1024) } }))[0]?.summary,
      'y'.repeat(1024),
    );
  });

  it('takes the source from instance, then job, then receiver, then a fixed name', () => {
    const sourceOf = (labels: object, receiver?: string) =>
      events({ ...withAlert(0, { labels }), receiver })[0]?.source;
    assert.equal(sourceOf({ instance: 'i', job: 'j' }, 'r'), 'i');
    assert.equal(sourceOf({ job: 'j' }, 'r'), 'j');
    assert.equal(sourceOf({}, 'r'), 'r');
    assert.equal(sourceOf({}), 'alertmanager');
  });

  it('keeps only string labels and links only absolute http(s) generator URLs', () => {
    const [e] = events(
      withAlert(0, { labels: { alertname: 'A', n: 5, o: {} }, generatorURL: '/graph?g0.expr=up' }),
    );
    assert.deepEqual(e?.labels, { alertname: 'A' });
    assert.deepEqual(e?.links, []);
  });

  it('omits groupKey when Alertmanager did not send one', () => {
    const body = payload();
    delete body.groupKey;
    assert.equal('groupKey' in (events(body)[0] ?? {}), false);
  });
});

describe('Alertmanager v4 webhook: validation', () => {
  it('rejects other payload versions', () => {
    assert.deepEqual(errorsOf({ ...payload(), version: '3' }), ['version must be "4", got "3"']);
    assert.deepEqual(errorsOf({ ...payload(), version: 4 }), ['version must be "4", got 4']);
    assert.deepEqual(errorsOf({ ...payload(), version: undefined }), ['version is missing']);
  });

  it('requires alerts to be an array', () => {
    assert.deepEqual(errorsOf({ ...payload(), alerts: {} }), ['alerts must be an array, not an object']);
    assert.deepEqual(errorsOf({ ...payload(), alerts: undefined }), ['alerts is missing']);
  });

  it('names the alert and field at fault, collecting every problem', () => {
    const body = payload();
    const alerts = body.alerts as Record<string, unknown>[];
    alerts[0] = { ...alerts[0], fingerprint: undefined };
    alerts[1] = { ...alerts[1], status: 'pending', startsAt: 'soon', labels: [] };
    alerts[2] = { ...alerts[2], fingerprint: 42, endsAt: '2026-13-01T00:00:00Z', generatorURL: 7 };
    assert.deepEqual(errorsOf(body), [
      'alerts[0].fingerprint is missing',
      'alerts[1].status must be "firing" or "resolved"',
      'alerts[1].labels must be an object',
      'alerts[1].startsAt must be an RFC 3339 timestamp',
      'alerts[2].fingerprint must be a string',
      'alerts[2].endsAt must be an RFC 3339 timestamp',
      'alerts[2].generatorURL must be a string',
    ]);
  });

  it('rejects an empty fingerprint, a non-object alert and a non-object body', () => {
    assert.deepEqual(errorsOf(withAlert(2, { fingerprint: '' })), ['alerts[2].fingerprint is missing']);
    assert.deepEqual(errorsOf({ ...payload(), alerts: ['x'] }), [
      'alerts[0] must be an object, not a string',
    ]);
    assert.deepEqual(errorsOf([]), ['payload must be a JSON object, not an array']);
    assert.deepEqual(errorsOf({ ...payload(), receiver: 1, groupKey: {} }), [
      'groupKey must be a string',
      'receiver must be a string',
    ]);
  });
});
