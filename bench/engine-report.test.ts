import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costToFirstPage, type HistoryStep } from './engine-history';
import { metricSum } from './engine-observe';
import { targetRows, type EngineReport } from './engine-render';
import {
  judgeStep,
  reachedShareAt,
  probeLateness,
  roundRates,
  saturation,
  statementsPerAlert,
  throughputRatio,
  type LatencyStep,
  type ThroughputRound,
} from './engine-report';

const round = (kind: ThroughputRound['kind'], n: number, doneAfterMs: number, cpu = {}): ThroughputRound => ({
  kind,
  round: 1,
  offeredRate: 200,
  count: n,
  start: 1_000,
  accepted: n,
  lastAcceptedAt: 1_000 + doneAfterMs / 2,
  done: n,
  doneAt: 1_000 + doneAfterMs,
  doneAtShare: 1_000 + doneAfterMs,
  cpu,
  engineRetries: 0,
});

const step = (
  rate: number,
  latenciesMs: number[],
  recordedAfterMs: number,
  count = latenciesMs.length,
): LatencyStep => ({
  rate,
  count,
  start: 0,
  accepted: count,
  recorded: count,
  recordedAt: recordedAfterMs,
  latenciesMs,
});

describe('roundRates', () => {
  it('counts rates from the first due time, and CPU per item done', () => {
    const r = roundRates(round('klaxon', 100, 10_000, { worker: 2, api: 0.5 }));
    // 95 of the 100 by the fixture's 95% time, which is its end too.
    assert.equal(r.donePerSecond, 9.5);
    assert.equal(r.allDonePerSecond, 10);
    assert.equal(r.acceptedPerSecond, 20);
    assert.deepEqual(r.cpuMsPerItem, { worker: 20, api: 5 });
  });

  it('takes the done rate at 95% of the items, so one straggler does not set it', () => {
    const series = [
      { at: 2_000, n: 50 },
      { at: 6_000, n: 95 },
      { at: 61_000, n: 100 },
    ];
    const r = roundRates({ ...round('trivial', 100, 60_000), doneAtShare: reachedShareAt(series, 100) });
    assert.equal(r.donePerSecond, 19);
    assert.equal(r.allDonePerSecond, 100 / 60);
    assert.equal(reachedShareAt(series.slice(0, 1), 100), null);
  });

  it('has no rate for a round in which nothing was done', () => {
    assert.equal(
      roundRates({ ...round('trivial', 0, 0), doneAt: null, doneAtShare: null }).donePerSecond,
      undefined,
    );
  });
});

describe('throughputRatio', () => {
  it('divides the median B rate by the median A rate', () => {
    const rounds = [
      round('trivial', 100, 5_000),
      round('klaxon', 100, 10_000),
      round('trivial', 100, 4_000),
      round('klaxon', 100, 8_000),
    ];
    // A: 20 and 25 a second (median 20, nearest rank); B: 10 and 12.5 (median 10).
    assert.equal(throughputRatio(rounds), 0.5);
  });

  it('is undefined without both kinds', () => {
    assert.equal(throughputRatio([round('klaxon', 10, 1_000)]), undefined);
  });
});

describe('judgeStep and saturation', () => {
  it('keeps up when p99 is low and recording follows the offered rate', () => {
    const v = judgeStep(step(10, Array(100).fill(300), 10_500));
    assert.equal(v.saturated, false);
    assert.equal(v.why, undefined);
  });

  it('does not keep up when p99 passes 5 s, recording falls behind or pages are missing', () => {
    assert.match(judgeStep(step(10, [...Array(98).fill(300), 6_000, 6_000], 10_000)).why!, /p99/);
    assert.match(judgeStep(step(10, Array(100).fill(300), 12_000)).why!, /recorded 8\.3\/s/);
    assert.match(judgeStep(step(10, Array(99).fill(300), 10_000, 100)).why!, /1 alerts not paged/);
  });

  it('finds the first rate that did not keep up and the highest below it that did', () => {
    const verdicts = [
      step(30, [200], 10),
      step(10, [200], 10),
      step(50, [9_000], 10),
      step(40, [200], 10),
    ].map(judgeStep);
    assert.deepEqual(saturation(verdicts), { at: 50, sustained: 40 });
    assert.deepEqual(saturation(verdicts.filter((v) => v.rate !== 50)), { at: undefined, sustained: 40 });
  });
});

describe('probeLateness', () => {
  it('times arrivals against their due time and counts probes never paged', () => {
    const r = probeLateness([
      { dueAt: 1_000, arrivedAt: 1_400 },
      { dueAt: 2_000, arrivedAt: 2_100 },
      { dueAt: 3_000, arrivedAt: null },
    ]);
    assert.equal(r.missing, 1);
    assert.equal(r.lateness?.p50, 100);
    assert.equal(r.lateness?.max, 400);
  });
});

describe('statementsPerAlert', () => {
  it('splits the statements by process over the alerts', () => {
    assert.deepEqual(statementsPerAlert({ alerts: 10, api: 30, worker: 50 }), { all: 8, api: 3, worker: 5 });
    assert.equal(statementsPerAlert({ alerts: 0, api: 3, worker: 0 }), undefined);
  });
});

describe('costToFirstPage', () => {
  const s = (id: number, type: HistoryStep['type'], extra: Partial<HistoryStep> = {}): HistoryStep => ({
    id,
    type,
    ...extra,
  });
  // Started, signalled, task 1 schedules the record and the page; the page completes, task 2, a timer.
  const history: HistoryStep[] = [
    s(1, 'other'),
    s(2, 'other'),
    s(3, 'other'),
    s(4, 'other'),
    s(5, 'task-completed'),
    s(6, 'activity-scheduled', { activity: 'recordAlert' }),
    s(7, 'activity-scheduled', { activity: 'pageTargets' }),
    s(8, 'other'),
    s(9, 'activity-completed', { scheduledId: 6 }),
    s(10, 'other'),
    s(11, 'activity-completed', { scheduledId: 7 }),
    s(12, 'other'),
    s(13, 'other'),
    s(14, 'task-completed'),
    s(15, 'other'),
  ];

  it('counts up to the task completed after the first page activity completed', () => {
    assert.deepEqual(costToFirstPage(history), { events: 14, workflowTasks: 2 });
  });

  it('is undefined while no page activity has completed and been handled', () => {
    assert.equal(costToFirstPage(history.slice(0, 12)), undefined);
    assert.equal(costToFirstPage(history, ['sendEmail']), undefined);
  });
});

describe('metricSum', () => {
  it('adds up every labelled sample of the metric and only of that metric', () => {
    const text = [
      '# TYPE temporal_sticky_cache_size gauge',
      'temporal_sticky_cache_size{namespace="default",task_queue="a"} 12',
      'temporal_sticky_cache_size{namespace="default",task_queue="b"} 30',
      'temporal_sticky_cache_size_other 99',
      'temporal_sticky_cache_total_forced_eviction_total 4',
    ].join('\n');
    assert.equal(metricSum(text, 'temporal_sticky_cache_size'), 42);
    assert.equal(metricSum(text, 'temporal_sticky_cache_total_forced_eviction_total'), 4);
    assert.equal(metricSum(text, 'temporal_sticky_cache_total_forced_eviction'), undefined);
  });
});

describe('targetRows', () => {
  const report: EngineReport = {
    conditions: [],
    rounds: [round('trivial', 100, 5_000), round('klaxon', 100, 2_500)],
    steps: [
      step(10, Array(100).fill(400), 10_000),
      step(30, Array(300).fill(700), 10_000),
      step(40, [9_000], 100),
    ],
    statements: { paging: { alerts: 10, api: 30, worker: 60 } },
    history: { paging: [{ events: 13, workflowTasks: 2 }], quiet: [{ events: 6, workflowTasks: 2 }] },
    open: [
      {
        open: 10_000,
        workerRssKb: 1024 * 1024,
        apiRssKb: 1,
        temporalRssKb: 1,
        cacheSize: 1000,
        evictions: 9000,
      },
    ],
    probes: [{ dueAt: 0, arrivedAt: 800 }],
    probesEvicted: true,
    tier2Minutes: 3,
    rssTargetOpen: 10_000,
  };

  it('says which measures met their target', () => {
    const rows = targetRows(report);
    assert.deepEqual(
      rows.map((r) => r.met),
      [true, true, true, true, true, true, false, false],
    );
    assert.equal(rows[0]!.value, '2.00×');
    assert.match(rows[2]!.value, /^40\/s \(kept up at 30\/s\)$/);
    assert.equal(rows[7]!.value, '9.0 (3.0 + 6.0)');
  });

  it('leaves a measure unjudged when the run did not reach it', () => {
    const small = {
      ...report,
      open: [{ ...report.open[0]!, open: 600 }],
      probes: [],
      steps: [step(30, [100], 1)],
    };
    const rows = targetRows(small);
    assert.equal(rows[1]!.met, undefined);
    assert.equal(rows[3]!.met, undefined);
    assert.equal(rows[4]!.met, undefined);
  });

  it('does not judge the tier of probes the cache still held', () => {
    const row = targetRows({ ...report, probesEvicted: false })[4]!;
    assert.equal(row.met, undefined);
    assert.match(row.value, /not evicted/);
  });
});
