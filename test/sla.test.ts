// SLA marks fire at their exact deadlines for every severity, acknowledge and resolve cancel them, and
// TTA/TTR stored on the alert match the workflow clock; the compliance report reads them back.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { SEVERITIES } from '../domain/severity';
import { DEFAULT_SLA_TARGETS } from '../domain/sla';
import { startHarness, type Harness } from './helpers/harness';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

const trigger = async (severity: string, service = 'sla') =>
  (await h.request('POST', '/alerts', { summary: `${severity} alert`, severity, service, source: 'test' })).body.id as string;

async function marks(id: string): Promise<{ mark: string; deadline: Date; fired_at: Date }[]> {
  const { rows } = await h.db.pool.query('select mark, deadline, fired_at from sla_events where alert_id = $1 order by deadline, id', [id]);
  return rows;
}

it('fires at-risk (75%) and breached (100%) for TTA and TTR at the exact deadline of each severity', async () => {
  const ids = Object.fromEntries(await Promise.all(SEVERITIES.map(async (s) => [s, await trigger(s)] as const)));
  await h.env.sleep('8 days');
  for (const severity of SEVERITIES) {
    const id = ids[severity]!;
    const { rows } = await h.db.pool.query('select triggered_at from alerts where id = $1', [id]);
    const t0 = rows[0].triggered_at.getTime();
    const { ttaMs, ttrMs } = DEFAULT_SLA_TARGETS[severity];
    const got = (await marks(id)).map((m) => [m.mark, m.deadline.getTime() - t0, m.fired_at.getTime() - t0]);
    assert.deepEqual(
      got,
      [
        ['tta_at_risk', ttaMs * 0.75, ttaMs * 0.75],
        ['tta_breached', ttaMs, ttaMs],
        ['ttr_at_risk', ttrMs * 0.75, ttrMs * 0.75],
        ['ttr_breached', ttrMs, ttrMs],
      ].sort((a, b) => (a[1] as number) - (b[1] as number)),
      severity,
    );
  }
});

it('acknowledge cancels the TTA marks; resolve cancels everything; TTA/TTR match the workflow clock', async () => {
  const acked = await trigger('critical');
  const resolved = await trigger('critical');
  await h.env.sleep('2 minutes');
  const ack = await h.request('POST', `/alerts/${acked}/acknowledge`, {});
  const res = await h.request('POST', `/alerts/${resolved}/resolve`, {});
  await h.env.sleep('3 hours');

  assert.deepEqual((await marks(acked)).map((m) => m.mark), ['ttr_at_risk', 'ttr_breached']);
  assert.deepEqual(await marks(resolved), []);

  const { rows } = await h.db.pool.query('select id, triggered_at, tta_ms, ttr_ms from alerts where id = any($1)', [[acked, resolved]]);
  const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
  const ackAfter = Date.parse(ack.body.at) - byId[acked].triggered_at.getTime();
  assert.equal(byId[acked].tta_ms, ackAfter);
  assert.ok(ackAfter >= 120_000 && ackAfter < 125_000, `acknowledged ${ackAfter} ms after trigger`);
  assert.equal(byId[acked].ttr_ms, null);
  const resolveAfter = Date.parse(res.body.at) - byId[resolved].triggered_at.getTime();
  assert.equal(byId[resolved].ttr_ms, resolveAfter);
  assert.equal(byId[resolved].tta_ms, resolveAfter, 'a direct resolve is the first response too');
});

it('uses per-service targets and reports compliance per day, service and severity', async () => {
  const put = await h.request('PUT', '/sla/targets/payments/high', { tta_minutes: 2, ttr_minutes: 10 });
  assert.equal(put.status, 200);
  const met = await trigger('high', 'payments');
  const breached = await trigger('high', 'payments');
  await h.env.sleep('1 minute');
  await h.request('POST', `/alerts/${met}/acknowledge`, {});
  await h.env.sleep('5 minutes');
  await h.request('POST', `/alerts/${met}/resolve`, {});
  await h.request('POST', `/alerts/${breached}/acknowledge`, {});
  await h.env.sleep('10 minutes');
  assert.deepEqual((await marks(breached)).map((m) => m.mark), ['tta_at_risk', 'tta_breached', 'ttr_at_risk', 'ttr_breached']);

  const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const to = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const report = await h.request('GET', `/sla/compliance?from=${from}&to=${to}&service=payments&severity=high`);
  assert.equal(report.status, 200, JSON.stringify(report.body));
  const [total] = report.body.totals;
  assert.deepEqual(
    { alerts: total.alerts, tta_met: total.tta_met, tta_breached: total.tta_breached, ttr_met: total.ttr_met, ttr_breached: total.ttr_breached },
    { alerts: 2, tta_met: 1, tta_breached: 1, ttr_met: 1, ttr_breached: 1 },
  );
  assert.ok(total.tta_p50_ms > 60_000);
  assert.equal(report.body.daily.reduce((n: number, r: { alerts: number }) => n + r.alerts, 0), 2);

  const bad = await h.request('GET', `/sla/compliance?from=${to}&to=${from}`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.errors[0].field, 'query.to');
  assert.equal((await h.request('GET', '/sla/compliance?severity=urgent')).status, 400);
});
