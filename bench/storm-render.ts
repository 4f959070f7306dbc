/** The storm benchmark's report as Markdown. */
import { count, percent, seconds } from './format';
import type { StormReport } from './storm-report';

/** Returns the report as Markdown: the headline numbers beside their targets, then one row per group. */
export function renderReport(r: StormReport): string {
  const c = r.counts;
  const lat = r.send.latency;
  const non2xx = Object.entries(r.send.non2xx).map(([status, n]) => `${status}: ${count(n)}`);
  const at = (ms: number | null) => (ms === null ? 'not reached' : seconds(ms));
  const lines = [
    `## Storm: ${count(c.alerts)} alerts on ${c.groups} group keys, ${count(c.payloads)} payloads of ≤ ${r.options.batch} ` +
      `(${count(c.newPayloads)} new + ${count(c.resendPayloads)} resends), ${count(c.events)} events ` +
      `(${count(c.resentEvents)} resent, ${percent(c.resentEvents / c.alerts)} extra), paced over ${r.options.seconds} s, seed ${r.options.seed}`,
    '',
    '| Check | Measured | Target | Met |',
    '|---|---|---|---|',
    ...r.targets.map((t) => `| ${t.name} | ${t.measured} | ${t.target} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    '| Measure | Value |',
    '|---|---|',
    `| storm duration (first send → last answer) | ${seconds(r.send.durationMs)} |`,
    `| POST latency per payload p50 / p99 / max | ${lat ? `${seconds(lat.p50)} / ${seconds(lat.p99)} / ${seconds(lat.max)}` : '—'} |`,
    `| non-2xx by status | ${non2xx.length > 0 ? non2xx.join(', ') : 'none'} |`,
    `| every event accepted, after storm start | ${at(r.send.allAcceptedMs)} |`,
    `| every alert recorded / grouped / occurrences added up | ${at(r.recording.recordedMs)} / ${at(r.recording.groupedMs)} / ${at(r.recording.occurrencesMs)} |`,
    `| accepted events → alerts (expected) | ${count(r.nothingLost.acceptedEvents)} → ${count(r.nothingLost.acceptedAlerts)} |`,
    `| occurrences recorded / expected | ${count(r.nothingLost.occurrencesRecorded)} / ${count(r.nothingLost.occurrencesExpected)} |`,
    `| Klaxon groups | ${count(r.nothingLost.klaxonGroups)} |`,
    `| pages: first tier / distinct alerts paged / repeated idempotency keys | ${count(r.pages.pages)} / ${count(r.pages.distinctAlertsPaged)} / ${count(r.pages.repeatedIdempotencyKeys)} |`,
    `| first-tier pages of group leaders / members / alerts without a group | ${count(r.pages.ofLeaders)} / ${count(r.pages.ofMembers)} / ${count(r.pages.ofUngrouped)} |`,
    `| SLA pages / second tier / other requests / pages of unknown alerts | ${r.pages.sla} / ${r.pages.secondTier} / ${r.pages.other} / ${r.pages.unmatched} |`,
    `| machine load (1 min) at start / max / end | ${r.load ? `${r.load.start.toFixed(2)} / ${r.load.max.toFixed(2)} / ${r.load.end.toFixed(2)}` : '—'} |`,
    '',
    '| Group key | Alerts | Events accepted | Klaxon groups | First sent | First page | First-page latency | Pages |',
    '|---|---|---|---|---|---|---|---|',
    ...r.groups.map(
      (g) =>
        `| \`${g.groupKey}\` | ${count(g.alerts)} | ${count(g.acceptedEvents)} | ${g.klaxonGroups} | ${at(g.firstSentMs)} | ` +
        `${at(g.firstPageMs)} | ${g.firstPageLatencyMs === null ? 'never paged' : seconds(g.firstPageLatencyMs)} | ${count(g.pages)} |`,
    ),
  ];
  if (r.send.firstErrors.length > 0)
    lines.push('', 'First errors:', ...r.send.firstErrors.map((e) => `- ${e}`));
  if (r.gaveUp) lines.push('', `**Gave up waiting:** ${r.gaveUp}`);
  return lines.join('\n');
}
