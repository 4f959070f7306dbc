// A day of escalation loops and SLA timers under time skipping: every page the policy schedules in 24 h
// is sent once, at its offset, and the SLA marks fire; the wall time is reported, not asserted
// (benchmarks measure speed: `npm run bench:day`).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { advance, fireTime, startEscalation, type EscalationCursor, type EscalationPolicy } from '../domain/escalation';
import { pageOffsets, startWorld, waitFor, type World } from './helpers/world';

let w: World;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

const DAY_MIN = 24 * 60;

it('runs 24 hours of escalation loops and SLA timers, every scheduled page exactly once', async (t) => {
  const tiers = [0, 5, 15].map((delay, i) => ({ delay_minutes: delay, targets: [{ type: 'webhook', url: `${w.hooks.url}/day-t${i}` }] }));
  const policyId = await w.policy({ tiers, repeat: 100, repeat_delay_minutes: 10 });
  await w.request('PUT', '/escalation-rules', { rules: [{ policy_id: policyId }] });
  // The schedule the pure cursor predicts for the first 24 hours.
  const policy: EscalationPolicy = {
    id: policyId,
    name: 'day',
    tiers: tiers.map((x) => ({ delayMinutes: x.delay_minutes, targets: [] })),
    repeat: 100,
    repeatDelayMinutes: 10,
    ackTimeoutMinutes: null,
    autoResolveMinutes: null,
  };
  const expected: number[] = [];
  for (let c: EscalationCursor | null = startEscalation(0); c && fireTime(policy, c) < DAY_MIN * 60_000; c = advance(policy, c, fireTime(policy, c))) {
    expected.push(fireTime(policy, c) / 60_000);
  }

  const wall = Date.now();
  const { id, workflowId } = await w.trigger({ severity: 'info', service: 'day-long' });
  await w.env.sleep(DAY_MIN * 60_000 - 60_000);
  await waitFor('every page of the day', async () => pageOffsets(await w.view(id)).length === expected.length, 60_000);
  await w.request('POST', `/alerts/${id}/resolve`, { reason: 'end of the day' });
  await w.env.client.workflow.getHandle(workflowId).result();
  const wallMs = Date.now() - wall;
  t.diagnostic(`24 h scenario: ${expected.length} pages, wall time ${(wallMs / 1000).toFixed(1)} s`);

  const final = await w.request('GET', `/alerts/${id}`);
  const pages = final.body.notifications.filter((n: { kind: string }) => n.kind === 'page');
  assert.equal(pages.length, expected.length);
  assert.deepEqual(
    pages.map((n: { at: string }) => (Date.parse(n.at) - Date.parse(final.body.triggered_at)) / 60_000),
    expected,
  );
  assert.equal(w.hits('/day-t0') + w.hits('/day-t1') + w.hits('/day-t2'), expected.length, 'each page reached the receiver once');
  // info: TTA 24 h → at risk at 18 h; the alert was resolved just before the TTA breach and TTR marks.
  assert.deepEqual(final.body.sla_events.map((e: { mark: string }) => e.mark), ['tta_at_risk']);
});
