/** The load test's report as Markdown. */
import { count, percent, seconds } from './format';
import type { LoadReport, MemoryAt } from './load-report';
import type { Summary } from './stats';

const mb = (kb: number | undefined) => (kb === undefined ? '—' : `${Math.round(kb / 1024)} MB`);
const p50p99 = (s: Summary | undefined) =>
  s ? `${seconds(s.p50)} / ${seconds(s.p99)} / ${seconds(s.max)} (${count(s.count)})` : '—';
const rate = (x: number | null) => (x === null ? '—' : x.toFixed(1));
const byStatus = (r: Record<string, number>) => {
  const e = Object.entries(r);
  return e.length > 0 ? e.map(([status, n]) => `${status}: ${count(n)}`).join(', ') : 'none';
};
const trio = (f: (m: MemoryAt) => string, r: LoadReport['memory']) =>
  [r.holdStart, r.holdMax, r.holdEnd].map((m) => (m ? f(m) : '—')).join(' / ');

/** Returns the report as Markdown: the mix, the measures, then every error. */
export function renderLoad(r: LoadReport): string {
  const c = r.counts;
  const o = r.options;
  const m = r.memory;
  const a = r.actions;
  const ingest = (['rest', 'pagerduty', 'generic', 'alertmanager'] as const)
    .map(
      (route) =>
        `${route} ${r.send.latency[route] ? `${seconds(r.send.latency[route].p50)} / ${seconds(r.send.latency[route].p99)}` : '—'}`,
    )
    .join('; ');
  const states = Object.entries(r.records.byState)
    .map(([s, n]) => `${s} ${count(n)}`)
    .join(', ');
  const lines = [
    `## Load: ${count(c.alerts)} alerts (${count(c.openAtEnd)} left open) offered at ${o.rate}/s, ` +
      `${count(c.duplicates)} repeats, ${count(c.byFate.ack + c.pagedIncidents)} acknowledges, ` +
      `${count(c.byFate.resolve)} resolves; seed ${o.seed}; ${r.mode}`,
    '',
    `Mix: web via POST /alerts ${count(c.byRoute.rest)}, payments via PagerDuty ${count(c.byRoute.pagerduty)}, ` +
      `search via generic JSON ${count(c.byRoute.generic)}, checkout via Alertmanager ${count(c.byRoute.alertmanager)} ` +
      `(${count(c.groups)} group keys of ≤ ${o.groupSize}); critical ${count(c.bySeverity.critical)} ` +
      `(${count(c.pagedIncidents)} paged incidents: ${count(c.pagedIncidents - c.criticalGroups)} alerts, ` +
      `${count(c.criticalGroups)} groups), high ${count(c.bySeverity.high)}, medium ${count(c.bySeverity.medium)}, ` +
      `low ${count(c.bySeverity.low)}, info ${count(c.bySeverity.info)}.`,
    '',
    '| Measure | Value |',
    '|---|---|',
    `| new alerts offered / accepted per second | ${o.rate} / ${rate(r.throughput.acceptedPerSecond)} |`,
    `| alerts recorded per second: first record → last / while sending / after the last answer | ${rate(r.throughput.recordedPerSecond)} / ${rate(r.throughput.recordedWhileSendingPerSecond)} / ${rate(r.throughput.recordedAfterSendingPerSecond)} |`,
    `| every accepted alert recorded, after start | ${r.throughput.allRecordedMs === null ? 'never' : seconds(r.throughput.allRecordedMs)} |`,
    `| backlog (accepted, not yet recorded) at the last answer / at most | ${count(r.throughput.backlogAtSendEnd)} / ${count(r.throughput.maxBacklog)} |`,
    `| events sent / accepted (new + repeats), over | ${count(r.send.events)} / ${count(r.send.accepted)} (${count(r.send.newAccepted)} + ${count(r.send.duplicatesAccepted)}), ${seconds(r.send.durationMs)} |`,
    `| sender late (sent − due) p50 / p99 / max | ${r.send.lateness ? `${seconds(r.send.lateness.p50)} / ${seconds(r.send.lateness.p99)} / ${seconds(r.send.lateness.max)}` : '—'} |`,
    `| ingest answer p50 / p99 by way in | ${ingest} |`,
    `| ingest 2xx → first page, per paged incident, p50 / p99 / max (n) | ${p50p99(r.pages.firstPage)} |`,
    `| ingest 2xx → every expected page p50 / p99 / max (n) | ${p50p99(r.pages.everyPage)} |`,
    `| acknowledge (API call → 2xx) p50 / p99 / max (n) | ${p50p99(a.ack.latency)} |`,
    `| group acknowledge p50 / p99 / max (n) | ${p50p99(a['group-ack'].latency)} |`,
    `| resolve p50 / p99 / max (n) | ${p50p99(a.resolve.latency)} |`,
    `| open alerts while held (min / max), held for | ${m.openDuringHold ? `${count(m.openDuringHold.min)} / ${count(m.openDuringHold.max)}` : '—'}, ${seconds(m.holdMs)} |`,
    `| RSS of API + worker (one process under npm start), held: start / max / end | ${trio((x) => mb(x.serviceKb), m)} |`,
    `| RSS of the Temporal dev server, held: start / max / end | ${trio((x) => mb(x.temporalKb), m)} |`,
    `| Postgres, ${m.holdMax?.postgresProcesses ?? '—'} processes, RSS sum (PSS sum), held: start / max / end | ${trio((x) => `${mb(x.postgresKb)} (${mb(x.postgresPssKb)})`, m)} |`,
    `| the same before the first alert (API + worker / dev server / Postgres RSS) | ${m.baseline ? `${mb(m.baseline.serviceKb)} / ${mb(m.baseline.temporalKb)} / ${mb(m.baseline.postgresKb)}` : '—'} |`,
    `| alerts recorded / accepted; by state at the end | ${count(r.records.recorded)} / ${count(r.records.expected)}; ${states || 'none'} |`,
    `| occurrences recorded / accepted events | ${count(r.records.occurrencesRecorded)} / ${count(r.records.occurrencesExpected)} |`,
    `| Klaxon groups / group keys sent | ${count(r.records.klaxonGroups)} / ${count(r.records.plannedGroups)} |`,
    `| pages: tier pages received / expected (${count(r.pages.incidents)} incidents × ${r.pages.incidents ? r.pages.expected / r.pages.incidents : 0} contacts) | ${count(r.pages.received)} / ${count(r.pages.expected)} |`,
    `| machine load (1 min) start / max / end | ${r.load ? `${r.load.start.toFixed(2)} / ${r.load.max.toFixed(2)} / ${r.load.end.toFixed(2)}` : '—'} |`,
    `| uptime before / after | ${r.uptime.before} / ${r.uptime.after} |`,
    '',
    '| Error | Count |',
    '|---|---|',
    `| ingest attempts not accepted, by status (${count(r.send.attempts)} attempts) | ${byStatus(r.send.failures)} |`,
    `| events never accepted (sender gave up) | ${count(r.send.neverAccepted)} |`,
    `| acknowledge / group acknowledge / resolve answers not 2xx, by status | ${byStatus(a.ack.failures)} / ${byStatus(a['group-ack'].failures)} / ${byStatus(a.resolve.failures)} |`,
    `| actions never accepted (ack / group ack / resolve) | ${a.ack.planned - a.ack.accepted} / ${a['group-ack'].planned - a['group-ack'].accepted} / ${a.resolve.planned - a.resolve.accepted} |`,
    `| accepted alerts never recorded | ${count(r.records.missing)} |`,
    `| alerts short of their accepted occurrences | ${count(r.records.shortOfOccurrences)} |`,
    `| Alertmanager alerts recorded in no group | ${count(r.records.groupedWithoutGroup)} |`,
    `| pages missing (incident × contact never paged) | ${count(r.pages.missing)} (${r.pages.incidents ? percent(r.pages.missing / r.pages.expected) : '0%'}; incidents never paged: ${count(r.pages.incidentsNeverPaged)}) |`,
    `| pages duplicated (same incident and contact again) | ${count(r.pages.duplicated)} |`,
    `| pages unexpected (an alert that should not page, or a contact outside tier 1) | ${count(r.pages.unexpected)} |`,
    `| SLA pages / other requests / pages naming no alert of the run | ${count(r.pages.sla)} / ${count(r.pages.other)} / ${count(r.pages.unmatched)} |`,
  ];
  const notes = Object.entries(a.notes);
  if (notes.length > 0) lines.push('', 'Actions:', ...notes.map(([n, k]) => `- ${count(k)}× ${n}`));
  if (r.send.firstErrors.length > 0)
    lines.push('', 'First ingest errors:', ...r.send.firstErrors.map((e) => `- ${e}`));
  if (r.gaveUp) lines.push('', `**Gave up waiting:** ${r.gaveUp}`);
  return lines.join('\n');
}
