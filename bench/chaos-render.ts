/** The chaos benchmark's report as Markdown. */
import { count, seconds } from './format';
import type { ChaosReport } from './chaos-report';
import type { Summary } from './stats';

const FAULT_NAMES = {
  'kill-worker': 'worker SIGKILL',
  'kill-api': 'API SIGKILL',
  'restart-postgres': 'Postgres restart',
  'restart-temporal': 'Temporal restart',
} as const;

const drift = (s: Summary | undefined) =>
  s ? `${seconds(s.p50)} / ${seconds(s.p99)} / ${seconds(s.max)}` : '—';
const byKey = (r: Record<string, number>) => {
  const parts = Object.entries(r).map(([k, n]) => `${k}: ${count(n)}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
};
const listed = (keys: readonly string[], max = 10) =>
  keys.length === 0 ? '' : ` (${keys.slice(0, max).join(', ')}${keys.length > max ? ', …' : ''})`;

/** Returns the report as Markdown: the targets, then the measures, then what each fault and process did. */
export function renderChaos(r: ChaosReport): string {
  const o = r.options;
  const done = (kind: keyof typeof FAULT_NAMES) => r.faults.filter((f) => f.kind === kind);
  const recovery = (kind: keyof typeof FAULT_NAMES) => {
    const ms = done(kind).map((f) => f.recoveredAt - f.at);
    return ms.length === 0 ? '' : ` (back after ${ms.map((m) => seconds(m)).join(', ')})`;
  };
  const lines = [
    `## Chaos: ${count(r.alerts.sent)} alerts over ${o.seconds} s (seed ${o.seed}), tiers at ${r.tierDelaysMinutes.join('/')} min, ` +
      `${done('kill-worker').length} worker SIGKILLs, ${done('kill-api').length} API SIGKILLs, ` +
      `${done('restart-postgres').length} Postgres restarts${done('restart-postgres').length > 0 ? ` (${o.postgresDownSeconds} s down)` : ''}, ` +
      `${done('restart-temporal').length} Temporal restarts${done('restart-temporal').length > 0 ? ` (${o.temporalDownSeconds} s down)` : ''}`,
    '',
    '| Check | Measured | Target | Met |',
    '|---|---|---|---|',
    ...r.targets.map(
      (t) => `| ${t.name} | ${count(t.measured)} | ${t.target} | ${t.met ? 'yes' : '**no**'} |`,
    ),
    '',
    '| Measure | Value |',
    '|---|---|',
    `| alerts sent / accepted (2xx) / recorded / recorded twice | ${count(r.alerts.sent)} / ${count(r.alerts.accepted)} / ${count(r.alerts.recorded)} / ${count(r.alerts.recordedTwice.length)}${listed(r.alerts.recordedTwice)} |`,
    `| triggers retried / attempts / not accepted in the end | ${count(r.triggers.retried)} / ${count(r.triggers.attempts)} / ${count(r.alerts.notAccepted.length)}${listed(r.alerts.notAccepted)} |`,
    `| failed attempts by status | ${byKey(r.triggers.failures)} |`,
    `| due → accepted p50 / p99 / max | ${drift(r.triggers.acceptLatencyMs)} |`,
    `| pages expected / received / delivered at least once | ${count(r.pages.expected)} / ${count(r.pages.received)} / ${count(r.pages.delivered)} |`,
    `| pages resent with the same Idempotency-Key (extra requests) | ${count(r.pages.resent.pages)} (${count(r.pages.resent.extraRequests)}) |`,
    `| pages doubled under distinct keys (extra requests) | ${count(r.pages.doubledDistinct.pages)} (${count(r.pages.doubledDistinct.extraRequests)}) |`,
    `| other requests at the receiver (SLA pages, unknown alerts) | ${count(r.pages.unexpected)} |`,
    ...r.drift.tiers.map(
      (s, i) => `| tier ${i + 1} (${r.tierDelaysMinutes[i]} min) drift p50 / p99 / max | ${drift(s)} |`,
    ),
    `| all tiers drift p50 / p99 / max | ${drift(r.drift.all)} |`,
    `| page rows in Postgres by status | ${byKey(r.notifications)} |`,
    ...(['kill-worker', 'kill-api', 'restart-postgres', 'restart-temporal'] as const).map(
      (k) =>
        `| ${FAULT_NAMES[k]}s at | ${
          done(k)
            .map((f) => seconds(f.at))
            .join(', ') || '—'
        }${recovery(k)} |`,
    ),
    ...r.processes.map(
      (p) =>
        `| ${p.name}: starts / kills / exits on its own | ${p.starts} / ${p.kills} / ${p.unexpectedExits}${p.exitReasons.length > 0 ? ` (last: ${p.exitReasons.at(-1)!.replace(/\|/g, '/')})` : ''} |`,
    ),
    `| machine load (1 min) at start / max / end | ${r.load ? `${r.load.start.toFixed(2)} / ${r.load.max.toFixed(2)} / ${r.load.end.toFixed(2)}` : '—'} |`,
  ];
  if (r.alerts.lost.length > 0) lines.push('', `Lost alerts: ${r.alerts.lost.join(', ')}`);
  if (r.pages.lost.length > 0)
    lines.push(
      '',
      `Lost pages: ${r.pages.lost
        .slice(0, 50)
        .map((p) => `${p.dedupKey} tier ${p.tier + 1} (${p.reason})`)
        .join(', ')}${r.pages.lost.length > 50 ? ', …' : ''}`,
    );
  if (r.gaveUp) lines.push('', `**Gave up waiting:** ${r.gaveUp}`);
  return lines.join('\n');
}
