/** Shared PagerDuty Events v2 test bodies and helpers (test-only). */
import assert from 'node:assert/strict';
import { parsePagerDutyEvent } from './pagerduty';

export const KEY = 'R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y12';

/** A trigger as PagerDuty's documentation shows it, every optional field present. */
export function fullTrigger(): Record<string, unknown> {
  return {
    routing_key: KEY,
    event_action: 'trigger',
    dedup_key: 'srv01/disk',
    payload: {
      summary: 'DISK at 99% on machine prod-datapipe03.example.com',
      timestamp: '2015-07-17T08:42:58.315+0000',
      severity: 'critical',
      source: 'prod-datapipe03.example.com',
      component: 'mysql',
      group: 'prod-datapipe',
      class: 'disk',
      custom_details: { free_space: '1%', ping_time: '1500ms' },
    },
    images: [{ src: 'https://chart.example.com/disk.png', href: 'https://example.com/', alt: 'Disk chart' }],
    links: [{ href: 'https://example.com/runbook', text: 'Runbook' }],
    client: 'Sample Monitoring Service',
    client_url: 'https://monitoring.example.com',
  };
}

/** Returns the errors of a body that must be rejected. */
export function errorsOf(body: unknown): string[] {
  const r = parsePagerDutyEvent(body);
  assert.equal(r.ok, false, `expected a rejection of ${JSON.stringify(body)}`);
  return r.ok ? [] : r.errors;
}

export function withPayload(changes: Record<string, unknown>): Record<string, unknown> {
  const body = fullTrigger();
  body.payload = { ...(body.payload as Record<string, unknown>), ...changes };
  return body;
}
