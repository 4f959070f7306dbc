import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ActionOutcome } from './load-actions';
import type { MemorySample } from './load-observe';
import { firstTierContacts, type ReceivedPage } from './load-pages';
import { DEFAULT_LOAD, planLoad } from './load-plan';
import { analyzeLoad, indexOfKey, type AlertRow, type LoadObservation } from './load-report';
import { renderLoad } from './load-render';
import type { EventOutcome } from './load-send';

const plan = planLoad({ ...DEFAULT_LOAD, alerts: 200, criticalShare: 0.1, criticalGroupShare: 0.5 }, 'Lrep');
const start = 5_000_000;
const contacts = firstTierContacts();

/** Every event sent when due and accepted 100 ms later, except those `refused` picks (503, given up). */
function eventsOf(refused: (i: number) => boolean): EventOutcome[] {
  return plan.events.map((e, i) => ({
    alert: e.alert,
    kind: e.kind,
    route: plan.alerts[e.alert]!.route,
    dueAt: e.at,
    sentAt: e.at,
    answeredAt: e.at + 100,
    acceptedAt: refused(i) ? null : e.at + 100,
    status: refused(i) ? 503 : 202,
    attempts: refused(i) ? 5 : 1,
    failures: (refused(i) ? { 503: 5 } : {}) as Record<string, number>,
  }));
}

const rowsOf = (events: EventOutcome[]): AlertRow[] => {
  const rows = new Map<string, AlertRow>();
  for (const e of events.filter((x) => x.acceptedAt !== null)) {
    const a = plan.alerts[e.alert]!;
    const row = rows.get(a.key) ?? {
      dedup_key: a.key,
      state: 'new',
      occurrences: 0,
      group_id: a.group === undefined ? null : `g${a.group}`,
    };
    row.occurrences++;
    rows.set(a.key, row);
  }
  return [...rows.values()];
};

/** A page of the alert `i` to `contact`, `after` ms past its acceptance. */
const pageOf = (
  i: number,
  contact: string,
  after: number,
  kind: ReceivedPage['kind'] = 'page',
): ReceivedPage => ({
  at: start + plan.alerts[i]!.at + 100 + after,
  contact,
  kind,
  key: plan.alerts[i]!.key,
});

const memory = (at: number, phase: MemorySample['phase'], serviceKb: number): MemorySample => ({
  at,
  phase,
  open: 200,
  serviceKb,
  temporal: { processes: 1, rssKb: 100_000, pssKb: 90_000 },
  postgres: { processes: 10, rssKb: 150_000, pssKb: 50_000 },
});

function observation(over: Partial<LoadObservation>): LoadObservation {
  const events = eventsOf(() => false);
  return {
    plan,
    mode: 'npm start',
    start,
    events,
    actions: [],
    pages: [],
    contacts,
    samples: [],
    memory: [],
    rows: rowsOf(events),
    klaxonGroups: plan.groups.length,
    load: [{ at: 0, load1: 1 }],
    uptime: { before: 'up 1 min', after: 'up 20 min' },
    ...over,
  };
}

const ungroupedPaged = plan.alerts.flatMap((a, i) =>
  a.fate === 'paged' && a.group === undefined ? [i] : [],
);
const criticalGroup = plan.groups.find((g) => g.critical)!;

it('reads the plan index back from a key, and nothing from a key of another run', () => {
  assert.equal(indexOfKey(plan, plan.alerts[42]!.key), 42);
  assert.equal(indexOfKey(plan, 'Lother-042'), undefined);
  assert.equal(indexOfKey(plan, `Lrep-${plan.alerts.length}`), undefined);
});

it('expects one page per paged incident and contact; tells missing, doubled and unexpected pages apart', () => {
  assert.ok(ungroupedPaged.length >= 2 && criticalGroup, 'the plan has paged alerts and a critical group');
  const [first, second] = ungroupedPaged as [number, number];
  const quiet = plan.alerts.findIndex((a) => a.fate === 'open' && a.group === undefined);
  const member = criticalGroup.alerts.at(-1)!;
  const pages: ReceivedPage[] = [
    // The first paged alert: every contact, one of them twice, plus an SLA page.
    ...contacts.map((c, k) => pageOf(first, c, 1_000 * (k + 1))),
    pageOf(first, contacts[0]!, 9_000),
    pageOf(first, contacts[0]!, 9_500, 'sla'),
    // The second: one contact only.
    pageOf(second, contacts[1]!, 4_000),
    // The critical group: every contact, through a member (the leader is whichever Klaxon chose).
    ...contacts.map((c) => pageOf(member, c, 2_500)),
    // Pages that should not be: a quiet alert, and a contact outside the first tier.
    pageOf(quiet, contacts[0]!, 1_000),
    pageOf(first, 'email:carol@load.example', 1_000),
    { at: start, contact: contacts[0]!, kind: 'page', key: undefined },
  ];
  const r = analyzeLoad(observation({ pages }));
  const incidents = ungroupedPaged.length + plan.groups.filter((g) => g.critical).length;
  assert.equal(r.pages.incidents, incidents);
  assert.equal(r.pages.expected, incidents * contacts.length);
  assert.equal(r.pages.missing, r.pages.expected - contacts.length - 1 - contacts.length);
  assert.equal(r.pages.duplicated, 1);
  assert.equal(r.pages.unexpected, 2);
  assert.equal(r.pages.unmatched, 1);
  assert.equal(r.pages.sla, 1);
  assert.equal(r.pages.incidentsNeverPaged, incidents - 3);
  // First page per incident: 1 s, 4 s and (the group) 2.5 s after the paged alert's 202.
  assert.deepEqual(
    [r.pages.firstPage!.min, r.pages.firstPage!.p50, r.pages.firstPage!.max],
    [1_000, 2_500, 4_000],
  );
  assert.equal(r.pages.everyPage!.count, contacts.length + 1 + contacts.length);
});

it('counts refused events, alerts never recorded, short occurrences and the backlog', () => {
  const events = eventsOf((i) => i === 0);
  const rows = rowsOf(events);
  const lost = rows.pop()!;
  rows[0]!.occurrences = 0;
  const lastAnswer = Math.max(...events.map((e) => e.answeredAt));
  const accepted = new Set(
    events.filter((e) => e.kind === 'new' && e.acceptedAt !== null).map((e) => e.alert),
  ).size;
  const r = analyzeLoad(
    observation({
      events,
      rows,
      samples: [
        {
          at: lastAnswer,
          recorded: accepted - 30,
          open: 0,
          acknowledged: 0,
          resolved: 0,
          grouped: 0,
          occurrences: 0,
        },
        {
          at: lastAnswer + 10_000,
          recorded: accepted,
          open: 0,
          acknowledged: 0,
          resolved: 0,
          grouped: 0,
          occurrences: 0,
        },
      ],
    }),
  );
  assert.equal(r.send.neverAccepted, 1);
  assert.deepEqual(r.send.failures, { 503: 5 });
  assert.equal(r.records.expected, accepted);
  assert.equal(r.records.missing, 1, `${lost.dedup_key} has no row`);
  assert.equal(r.records.shortOfOccurrences, 1);
  assert.equal(r.throughput.backlogAtSendEnd, 30);
  assert.equal(r.throughput.maxBacklog, 30);
  assert.equal(r.throughput.allRecordedMs, lastAnswer + 10_000);
  const firstSent = Math.min(...events.map((e) => e.sentAt));
  assert.equal(
    r.throughput.recordedWhileSendingPerSecond,
    ((accepted - 30) * 1000) / (lastAnswer - firstSent),
  );
  assert.equal(r.throughput.recordedAfterSendingPerSecond, 3, '30 alerts in the 10 s after the last answer');
});

it('times actions to their 2xx, counts their refusals, and reads memory over the hold only', () => {
  const action = (kind: ActionOutcome['kind'], latencyMs: number | null, failures = {}): ActionOutcome => ({
    kind,
    key: 'Lrep-1',
    sentAt: 0,
    answeredAt: latencyMs,
    latencyMs,
    status: latencyMs === null ? 409 : 200,
    attempts: 1,
    failures,
  });
  const r = analyzeLoad(
    observation({
      actions: [
        action('ack', 100),
        action('ack', 300),
        action('ack', null, { 409: 1 }),
        action('resolve', 200),
      ],
      memory: [
        memory(0, 'idle', 300_000),
        memory(10, 'sending', 900_000),
        memory(20, 'holding', 400_000),
        memory(30, 'holding', 500_000),
        memory(40, 'holding', 450_000),
      ],
      samples: [25, 35].map((at) => ({
        at,
        recorded: 200,
        open: at,
        acknowledged: 0,
        resolved: 0,
        grouped: 0,
        occurrences: 0,
      })),
    }),
  );
  assert.equal(r.actions.ack.planned, 3);
  assert.equal(r.actions.ack.accepted, 2);
  assert.deepEqual([r.actions.ack.latency!.p50, r.actions.ack.latency!.max], [100, 300]);
  assert.deepEqual(r.actions.ack.failures, { 409: 1 });
  assert.equal(r.actions['group-ack'].latency, undefined);
  assert.equal(r.memory.baseline!.serviceKb, 300_000);
  assert.equal(r.memory.holdStart!.serviceKb, 400_000);
  assert.equal(r.memory.holdMax!.serviceKb, 500_000, 'the sending peak is not the hold');
  assert.equal(r.memory.holdEnd!.serviceKb, 450_000);
  assert.equal(r.memory.holdMs, 20);
  assert.deepEqual(r.memory.openDuringHold, { min: 25, max: 35 });

  const md = renderLoad(r);
  assert.match(
    md,
    /\| acknowledge \(API call → 2xx\) p50 \/ p99 \/ max \(n\) \| 0\.10 s \/ 0\.30 s \/ 0\.30 s \(2\) \|/,
  );
  assert.match(md, /held: start \/ max \/ end \| 391 MB \/ 488 MB \/ 439 MB \|/);
  assert.match(
    md,
    /\| acknowledge \/ group acknowledge \/ resolve answers not 2xx, by status \| 409: 1 \/ none \/ none \|/,
  );
  assert.match(md, /\| actions never accepted \(ack \/ group ack \/ resolve\) \| 1 \/ 0 \/ 0 \|/);
});
