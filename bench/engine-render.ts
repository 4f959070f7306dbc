/** The engine benchmark's report as markdown: the measures against their targets, then each round. Pure. */
import { count } from './format';
import type { EngineCost } from './engine-history';
import {
  PROCESSES,
  judgeStep,
  median,
  probeLateness,
  roundRates,
  saturation,
  statementsPerAlert,
  throughputRatio,
  worstCost,
  type LatencyStep,
  type OpenSample,
  type Probe,
  type StatementSample,
  type ThroughputRound,
} from './engine-report';

export interface EngineReport {
  /** What ran and where: the command's options, the machine's load before and after. */
  conditions: string[];
  rounds: ThroughputRound[];
  steps: LatencyStep[];
  statements: { paging?: StatementSample; quiet?: StatementSample };
  history: { paging: (EngineCost | undefined)[]; quiet: (EngineCost | undefined)[] };
  open: OpenSample[];
  probes: Probe[];
  /** Whether the probes were out of the worker's cache when their tier fired (bench/engine-open.ts). */
  probesEvicted: boolean | undefined;
  tier2Minutes: number;
  /** The open-alert count the memory target is stated for. */
  rssTargetOpen: number;
}

export interface TargetRow {
  measure: string;
  value: string;
  target: string;
  /** undefined: not measured in this run. */
  met: boolean | undefined;
}

export const TARGETS = {
  ratio: 2,
  p99At10Ms: 1_000,
  saturationAtLeast: 40,
  rssGiB: 1.5,
  latenessP99Ms: 5_000,
  pagingTasks: 2,
  pagingEvents: 14,
  quietTasks: 1,
  statements: 8,
} as const;

const fixed = (n: number | undefined, digits = 1) => (n === undefined ? '—' : n.toFixed(digits));
const ms = (n: number | undefined) =>
  n === undefined ? '—' : n < 10_000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`;
const mib = (kb: number | undefined) => (kb === undefined ? '—' : `${Math.round(kb / 1024)} MiB`);
const check = (value: number | undefined, ok: (v: number) => boolean) =>
  value === undefined ? undefined : ok(value);

/** Returns every measure with a target, its value in this run and whether it met the target. */
export function targetRows(r: EngineReport): TargetRow[] {
  const ratio = throughputRatio(r.rounds);
  const verdicts = r.steps.map(judgeStep);
  const at10 = verdicts.find((v) => v.rate === 10);
  const sat = saturation(verdicts);
  const maxRate = Math.max(0, ...r.steps.map((s) => s.rate));
  const satMet =
    sat.at === undefined
      ? maxRate >= TARGETS.saturationAtLeast
        ? true
        : undefined
      : sat.at >= TARGETS.saturationAtLeast;
  const big = r.open.find((o) => o.open >= r.rssTargetOpen);
  const late = probeLateness(r.probes);
  const paging = worstCost(r.history.paging);
  const quiet = worstCost(r.history.quiet);
  const stmts = statementsPerAlert(r.statements.paging);
  return [
    {
      measure: 'Klaxon recorded/s ÷ trivial completed/s (to 95%, median of rounds)',
      value: ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
      target: `≥ ${TARGETS.ratio}×`,
      met: check(ratio, (v) => v >= TARGETS.ratio),
    },
    {
      measure: 'ingest → first page p99 at 10 alerts/s',
      value: ms(at10?.latency?.p99),
      target: `< ${TARGETS.p99At10Ms / 1000} s`,
      met: at10?.latency ? at10.latency.p99 < TARGETS.p99At10Ms && at10.unpaged === 0 : undefined,
    },
    {
      measure: 'saturation (first rate that did not keep up)',
      value:
        sat.at === undefined
          ? `none up to ${maxRate}/s`
          : `${sat.at}/s (kept up at ${sat.sustained ?? '—'}/s)`,
      target: `≥ ${TARGETS.saturationAtLeast}/s`,
      met: satMet,
    },
    {
      measure: `worker RSS at ${count(r.rssTargetOpen)} open alerts`,
      value: big
        ? mib(big.workerRssKb)
        : `not reached (most: ${count(Math.max(0, ...r.open.map((o) => o.open)))})`,
      target: `< ${TARGETS.rssGiB} GiB`,
      met: big ? check(big.workerRssKb, (kb) => kb < TARGETS.rssGiB * 1024 * 1024) : undefined,
    },
    {
      measure: `tier 2 (${r.tier2Minutes} min) of evicted alerts: lateness p50 / p99 (${r.probes.length} alerts)`,
      value:
        `${ms(late.lateness?.p50)} / ${ms(late.lateness?.p99)}${late.missing ? `, ${late.missing} never paged` : ''}` +
        (r.probesEvicted
          ? ''
          : r.probesEvicted === false
            ? '; not evicted: the cache held them'
            : '; eviction unknown'),
      target: `p99 ≤ ${TARGETS.latenessP99Ms / 1000} s, none missing`,
      met:
        r.probes.length === 0 || !r.probesEvicted
          ? undefined
          : late.missing === 0 && (late.lateness?.p99 ?? Infinity) <= TARGETS.latenessP99Ms,
    },
    {
      measure: `paging alert: workflow tasks / history events to first page (worst of ${r.history.paging.length})`,
      value: paging ? `${paging.workflowTasks} / ${paging.events}` : '—',
      target: `≤ ${TARGETS.pagingTasks} / ≤ ${TARGETS.pagingEvents}`,
      met: paging
        ? paging.workflowTasks <= TARGETS.pagingTasks && paging.events <= TARGETS.pagingEvents
        : undefined,
    },
    {
      measure: `quiet alert: workflow tasks / history events once recorded (worst of ${r.history.quiet.length})`,
      value: quiet ? `${quiet.workflowTasks} / ${quiet.events}` : '—',
      target: `${TARGETS.quietTasks} task`,
      met: quiet ? quiet.workflowTasks <= TARGETS.quietTasks : undefined,
    },
    {
      measure: 'Postgres statements per paging alert (API + worker)',
      value: stmts ? `${fixed(stmts.all)} (${fixed(stmts.api)} + ${fixed(stmts.worker)})` : '—',
      target: `≤ ${TARGETS.statements}`,
      met: check(stmts?.all, (v) => v <= TARGETS.statements),
    },
  ];
}

const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

/** Returns the whole report as markdown. */
export function renderEngine(r: EngineReport): string {
  const status = (m: boolean | undefined) => (m === undefined ? '—' : m ? 'PASS' : '**MISS**');
  const targets = table(
    ['Measure', 'This run', 'Target', ''],
    targetRows(r).map((t) => [t.measure, t.value, t.target, status(t.met)]),
  );
  const rounds = table(
    [
      'Round',
      'Offered',
      'Accepted (started) /s',
      'Done /s to 95% (to the last)',
      'Dev server task retries',
      ...PROCESSES.map((p) => `CPU ms/item ${p}`),
    ],
    r.rounds.map((x) => {
      const rates = roundRates(x);
      return [
        `${x.kind === 'trivial' ? 'A trivial' : 'B Klaxon'} #${x.round}`,
        `${count(x.count)} at ${x.offeredRate}/s`,
        fixed(rates.acceptedPerSecond),
        `${fixed(rates.donePerSecond)} (${fixed(rates.allDonePerSecond)}, ${count(x.done)} done)`,
        count(x.engineRetries),
        ...PROCESSES.map((p) => fixed(rates.cpuMsPerItem[p])),
      ];
    }),
  );
  const steps = table(
    ['Offered /s', 'Alerts', 'Recorded /s', 'First page p50 / p99 / max', 'Kept up'],
    r.steps.map((s) => {
      const v = judgeStep(s);
      return [
        String(s.rate),
        count(s.count),
        fixed(v.recordedPerSecond),
        `${ms(v.latency?.p50)} / ${ms(v.latency?.p99)} / ${ms(v.latency?.max)}`,
        v.saturated ? `no: ${v.why}` : 'yes',
      ];
    }),
  );
  const quiet = statementsPerAlert(r.statements.quiet);
  const costs = table(
    ['Per alert', 'Paging (first tier at once)', 'Quiet (no policy)'],
    [
      [
        'Postgres statements, API + worker',
        fixed(statementsPerAlert(r.statements.paging)?.all),
        quiet ? `${fixed(quiet.all)} (${fixed(quiet.api)} + ${fixed(quiet.worker)})` : '—',
      ],
      [
        'workflow tasks, median / worst',
        `${fixed(median(r.history.paging.map((c) => c?.workflowTasks)), 0)} / ${worstCost(r.history.paging)?.workflowTasks ?? '—'}`,
        `${fixed(median(r.history.quiet.map((c) => c?.workflowTasks)), 0)} / ${worstCost(r.history.quiet)?.workflowTasks ?? '—'}`,
      ],
      [
        'history events, median / worst',
        `${fixed(median(r.history.paging.map((c) => c?.events)), 0)} / ${worstCost(r.history.paging)?.events ?? '—'}`,
        `${fixed(median(r.history.quiet.map((c) => c?.events)), 0)} / ${worstCost(r.history.quiet)?.events ?? '—'}`,
      ],
    ],
  );
  const open = table(
    ['Open alerts', 'Worker RSS', 'API RSS', 'Dev server RSS', 'Worker cache (SDK) / forced evictions'],
    r.open.map((o) => [
      count(o.open),
      mib(o.workerRssKb),
      mib(o.apiRssKb),
      mib(o.temporalRssKb),
      `${o.cacheSize === undefined ? '—' : count(o.cacheSize)} / ${o.evictions === undefined ? '—' : count(o.evictions)}`,
    ]),
  );
  return [
    '## Engine benchmark',
    '',
    ...r.conditions.map((c) => `- ${c}`),
    '',
    targets,
    '',
    '### A/B rounds (interleaved, same dev server)',
    '',
    rounds,
    '',
    '### Latency ramp (paging alerts, first tier pages a webhook at once)',
    '',
    steps,
    '',
    '### Engine and Postgres cost per alert',
    '',
    costs,
    '',
    '### Open alerts',
    '',
    open,
  ].join('\n');
}
