/** SQL for per-service SLA targets, fired SLA marks and the compliance report. */
import type { SlaMark, SlaOverride } from '../domain/sla';
import type { Severity } from '../domain/severity';
import type { Queryable } from './db';

/** Returns every per-service override. */
export async function listSlaOverrides(db: Queryable, service?: string): Promise<SlaOverride[]> {
  const { rows } = await db.query<{ service: string; severity: Severity; tta_seconds: number; ttr_seconds: number }>(
    'select * from sla_targets where ($1::text is null or service = $1) order by service, severity',
    [service ?? null],
  );
  return rows.map((r) => ({ service: r.service, severity: r.severity, ttaMs: r.tta_seconds * 1000, ttrMs: r.ttr_seconds * 1000 }));
}

/** Sets the targets of one service and severity. */
export async function upsertSlaOverride(db: Queryable, o: SlaOverride): Promise<void> {
  await db.query(
    `insert into sla_targets (service, severity, tta_seconds, ttr_seconds) values ($1, $2, $3, $4)
     on conflict (service, severity) do update set tta_seconds = excluded.tta_seconds, ttr_seconds = excluded.ttr_seconds`,
    [o.service, o.severity, Math.round(o.ttaMs / 1000), Math.round(o.ttrMs / 1000)],
  );
}

/** Removes an override; returns true if it existed. */
export async function deleteSlaOverride(db: Queryable, service: string, severity: Severity): Promise<boolean> {
  const r = await db.query('delete from sla_targets where service = $1 and severity = $2', [service, severity]);
  return (r.rowCount ?? 0) > 0;
}

/** Records a fired mark once; returns true if this call recorded it. */
export async function insertSlaEvent(
  db: Queryable,
  e: { alertId: string; mark: SlaMark; deadline: Date; firedAt: Date },
): Promise<{ severity: string } | undefined> {
  // Returns the alert's severity (for the SLA metrics) only when this call recorded the mark.
  const r = await db.query<{ severity: string }>(
    `insert into sla_events (alert_id, mark, deadline, fired_at) values ($1, $2, $3, $4)
     on conflict (alert_id, mark) do nothing
     returning (select severity from alerts where id = $1) as severity`,
    [e.alertId, e.mark, e.deadline, e.firedAt],
  );
  return r.rows[0];
}

export interface SlaEventRow {
  mark: SlaMark;
  deadline: Date;
  fired_at: Date;
}

/** Returns the marks an alert has hit, in order. */
export async function listSlaEvents(db: Queryable, alertId: string): Promise<SlaEventRow[]> {
  const { rows } = await db.query<SlaEventRow>('select mark, deadline, fired_at from sla_events where alert_id = $1 order by fired_at, id', [alertId]);
  return rows;
}

export interface ComplianceFilter {
  from: Date;
  to: Date;
  service?: string;
  severity?: Severity;
}

const FILTER = `triggered_at >= $1 and triggered_at < $2 and ($3::text is null or service = $3) and ($4::text is null or severity = $4)`;

/** Returns compliance per day/service/severity, and totals per service/severity over the whole range. */
export async function complianceReport(db: Queryable, f: ComplianceFilter) {
  const params = [f.from, f.to, f.service ?? null, f.severity ?? null];
  const aggregates = `count(*)::int as alerts,
       count(*) filter (where tta_met)::int as tta_met, count(*) filter (where tta_breached)::int as tta_breached,
       count(*) filter (where ttr_met)::int as ttr_met, count(*) filter (where ttr_breached)::int as ttr_breached,
       percentile_cont(0.5) within group (order by tta_ms) as tta_p50_ms,
       percentile_cont(0.95) within group (order by tta_ms) as tta_p95_ms,
       percentile_cont(0.5) within group (order by ttr_ms) as ttr_p50_ms,
       percentile_cont(0.95) within group (order by ttr_ms) as ttr_p95_ms`;
  // Percentiles cannot be added up across days, so totals are computed from the alerts, not the view.
  const [daily, totals] = await Promise.all([
    db.query(`select day, service, severity, ${aggregates} from alert_sla where ${FILTER} group by day, service, severity order by day, service, severity`, params),
    db.query(`select service, severity, ${aggregates} from alert_sla where ${FILTER} group by service, severity order by service, severity`, params),
  ]);
  return { daily: daily.rows, totals: totals.rows };
}
