/**
 * What the storm benchmark concludes from what it observed: latencies, acceptance, recording, "nothing
 * lost", pages per group and each group's first-page latency, against the targets. Pure.
 */
import type { ReceivedRequest } from './page-receiver';
import { count, seconds } from './format';
import { summarize, type Summary } from './stats';
import { isAccepted, type SentPayload } from './storm-send';
import { cluster, type StormCounts, type StormOptions } from './storm-stream';

/** Where the policy's tiers page: the first at once, the second long after the storm. */
export const TIER_PATHS = { first: '/tier-1', second: '/tier-2' } as const;

export const TARGETS = { firstPageMs: 5_000, postP99Ms: 2_000, recordedMs: 180_000 } as const;

/** Counts in Postgres at one moment; `at` in milliseconds from the storm's start. */
export interface DbSample {
  at: number;
  alerts: number;
  grouped: number;
  occurrences: number;
}

export interface AlertRow {
  id: string;
  dedup_key: string;
  occurrences: number;
  group_id: string | null;
  cluster: string | null;
}

export interface GroupRow {
  id: string;
  group_key: string;
  alerts: number;
  leader_id: string | null;
}

export interface Observation {
  options: StormOptions;
  counts: StormCounts;
  groupKeys: string[];
  /** Date.now() of the storm's time zero; `requests[].at` and load samples are Date.now() values too. */
  start: number;
  sent: SentPayload[];
  samples: DbSample[];
  requests: ReceivedRequest[];
  alerts: AlertRow[];
  groups: GroupRow[];
  load: { at: number; load1: number }[];
  /** What was still missing when the wait gave up; undefined when everything settled. */
  gaveUp?: string;
}

export interface GroupResult {
  groupKey: string;
  alerts: number;
  acceptedEvents: number;
  firstSentMs: number | null;
  firstPageMs: number | null;
  firstPageLatencyMs: number | null;
  pages: number;
  klaxonGroups: number;
}

export interface Target {
  name: string;
  measured: string;
  target: string;
  met: boolean;
}

export interface StormReport {
  options: StormOptions;
  counts: StormCounts;
  send: {
    durationMs: number;
    latency: Summary | undefined;
    non2xx: Record<string, number>;
    allAcceptedMs: number | null;
    firstErrors: string[];
  };
  recording: {
    expectedAlerts: number;
    recordedMs: number | null;
    groupedMs: number | null;
    occurrencesMs: number | null;
  };
  nothingLost: {
    acceptedEvents: number;
    acceptedAlerts: number;
    missingAlerts: number;
    occurrencesExpected: number;
    occurrencesRecorded: number;
    alertsShortOfOccurrences: number;
    alertsWithoutGroup: number;
    klaxonGroups: number;
  };
  pages: {
    pages: number;
    distinctAlertsPaged: number;
    repeatedIdempotencyKeys: number;
    /** First-tier pages by the paged alert's place: its group's leader, a member, or in no group. */
    ofLeaders: number;
    ofMembers: number;
    ofUngrouped: number;
    sla: number;
    secondTier: number;
    other: number;
    unmatched: number;
  };
  groups: GroupResult[];
  load: { start: number; max: number; end: number } | undefined;
  gaveUp?: string;
  targets: Target[];
}

interface PageBody {
  event?: unknown;
  alert?: { alertId?: unknown };
  idempotency_key?: unknown;
}

/** Returns the report of an observed storm. */
export function analyze(o: Observation): StormReport {
  const accepted = o.sent.filter(isAccepted);
  const expected = new Map<string, number>();
  for (const s of accepted) for (const fp of s.fingerprints) expected.set(fp, (expected.get(fp) ?? 0) + 1);
  const acceptedEvents = accepted.reduce((n, s) => n + s.fingerprints.length, 0);
  const non2xx: Record<string, number> = {};
  for (const s of o.sent)
    if (!isAccepted(s)) non2xx[s.status || 'no answer'] = (non2xx[s.status || 'no answer'] ?? 0) + 1;
  const lastAnswer = Math.max(0, ...o.sent.map((s) => s.answeredAt));
  const firstAt = (done: (s: DbSample) => boolean) => o.samples.find(done)?.at ?? null;

  const rows = new Map(o.alerts.map((a) => [a.dedup_key, a]));
  const byId = new Map(o.alerts.map((a) => [a.id, a]));
  let missingAlerts = 0;
  let short = 0;
  for (const [fp, n] of expected) {
    const row = rows.get(fp);
    if (!row) missingAlerts += 1;
    else if (row.occurrences < n) short += 1;
  }

  const pagesOf = (path: string, event: string) =>
    o.requests.filter((r) => r.path === path && (r.body as PageBody | undefined)?.event === event);
  const firstTier = pagesOf(TIER_PATHS.first, 'page');
  const pagedAlert = (r: ReceivedRequest) => {
    const id = (r.body as PageBody).alert?.alertId;
    return typeof id === 'string' ? byId.get(id) : undefined;
  };
  const pageCluster = (r: ReceivedRequest) => pagedAlert(r)?.cluster;
  const pagedAlerts = firstTier.map(pagedAlert);
  const leaders = new Set(o.groups.map((g) => g.leader_id));
  const sla = o.requests.filter((r) => /^sla_/.test(String((r.body as PageBody | undefined)?.event)));
  const known = new Set([...firstTier, ...sla]);
  const keys = firstTier.map((r) => String((r.body as PageBody).idempotency_key));

  const groups: GroupResult[] = o.groupKeys.map((groupKey, g) => {
    const mine = o.sent.filter((s) => s.group === g);
    const firstSentMs = mine.length > 0 ? Math.min(...mine.map((s) => s.sentAt)) : null;
    const pages = firstTier.filter((r) => pageCluster(r) === cluster(g));
    const firstPageMs = pages.length > 0 ? Math.min(...pages.map((r) => r.at)) - o.start : null;
    return {
      groupKey,
      alerts: new Set(mine.flatMap((s) => s.fingerprints)).size,
      acceptedEvents: mine.filter(isAccepted).reduce((n, s) => n + s.fingerprints.length, 0),
      firstSentMs,
      firstPageMs,
      firstPageLatencyMs: firstPageMs !== null && firstSentMs !== null ? firstPageMs - firstSentMs : null,
      pages: pages.length,
      klaxonGroups: o.groups.filter((k) => k.group_key === groupKey).length,
    };
  });

  const report: Omit<StormReport, 'targets'> = {
    options: o.options,
    counts: o.counts,
    send: {
      durationMs: lastAnswer,
      latency: summarize(o.sent.map((s) => s.answeredAt - s.sentAt)),
      non2xx,
      allAcceptedMs: accepted.length === o.sent.length ? lastAnswer : null,
      firstErrors: [
        ...new Set(o.sent.flatMap((s) => (s.error ? [`${s.status || 'no answer'}: ${s.error}`] : []))),
      ].slice(0, 5),
    },
    recording: {
      expectedAlerts: expected.size,
      recordedMs: firstAt((s) => s.alerts >= expected.size),
      groupedMs: firstAt((s) => s.grouped >= expected.size),
      occurrencesMs: firstAt((s) => s.occurrences >= acceptedEvents),
    },
    nothingLost: {
      acceptedEvents,
      acceptedAlerts: expected.size,
      missingAlerts,
      occurrencesExpected: acceptedEvents,
      occurrencesRecorded: o.alerts.reduce((n, a) => n + a.occurrences, 0),
      alertsShortOfOccurrences: short,
      alertsWithoutGroup: o.alerts.filter((a) => a.group_id === null).length,
      klaxonGroups: o.groups.length,
    },
    pages: {
      pages: firstTier.length,
      distinctAlertsPaged: new Set(firstTier.map((r) => (r.body as PageBody).alert?.alertId)).size,
      repeatedIdempotencyKeys: keys.length - new Set(keys).size,
      ofLeaders: pagedAlerts.filter((a) => a && a.group_id !== null && leaders.has(a.id)).length,
      ofMembers: pagedAlerts.filter((a) => a && a.group_id !== null && !leaders.has(a.id)).length,
      ofUngrouped: pagedAlerts.filter((a) => a && a.group_id === null).length,
      sla: sla.length,
      secondTier: o.requests.filter((r) => r.path === TIER_PATHS.second).length,
      other: o.requests.filter((r) => !known.has(r) && r.path !== TIER_PATHS.second).length,
      unmatched: firstTier.filter((r) => pageCluster(r) === undefined).length,
    },
    groups,
    load:
      o.load.length > 0
        ? { start: o.load[0]!.load1, max: Math.max(...o.load.map((l) => l.load1)), end: o.load.at(-1)!.load1 }
        : undefined,
    ...(o.gaveUp ? { gaveUp: o.gaveUp } : {}),
  };
  return { ...report, targets: targets(report) };
}

function targets(r: Omit<StormReport, 'targets'>): Target[] {
  const n = r.counts.groups;
  const latencies = r.groups.map((g) => g.firstPageLatencyMs);
  const unpaged = latencies.filter((l) => l === null).length;
  const worst = Math.max(...latencies.map((l) => l ?? -Infinity));
  const lost = r.nothingLost;
  return [
    {
      name: 'pages (first tier)',
      measured: count(r.pages.pages),
      target: `= groups (${n}): one each`,
      met: r.pages.pages === n && r.groups.every((g) => g.pages === 1),
    },
    {
      name: "slowest group's first page after its first alert",
      measured: unpaged > 0 ? `${unpaged} of ${n} groups never paged` : seconds(worst),
      target: `every group ≤ ${seconds(TARGETS.firstPageMs)}`,
      met: unpaged === 0 && worst <= TARGETS.firstPageMs,
    },
    {
      name: 'POST latency p99 (per payload)',
      measured: r.send.latency ? seconds(r.send.latency.p99) : '—',
      target: `< ${seconds(TARGETS.postP99Ms)}`,
      met: (r.send.latency?.p99 ?? Infinity) < TARGETS.postP99Ms,
    },
    {
      name: 'every alert recorded, after storm start',
      measured: r.recording.recordedMs === null ? 'not all' : seconds(r.recording.recordedMs),
      target: `≤ ${seconds(TARGETS.recordedMs)}`,
      met: r.recording.recordedMs !== null && r.recording.recordedMs <= TARGETS.recordedMs,
    },
    {
      name: 'nothing lost: accepted alerts missing / short of occurrences / without group',
      measured: `${lost.missingAlerts} / ${lost.alertsShortOfOccurrences} / ${lost.alertsWithoutGroup}`,
      target: '0 / 0 / 0',
      met: lost.missingAlerts + lost.alertsShortOfOccurrences + lost.alertsWithoutGroup === 0,
    },
    {
      name: 'non-2xx answers',
      measured: count(Object.values(r.send.non2xx).reduce((a, b) => a + b, 0)),
      target: '0',
      met: Object.keys(r.send.non2xx).length === 0,
    },
    {
      name: 'SLA pages / second-tier pages',
      measured: `${r.pages.sla} / ${r.pages.secondTier}`,
      target: '0 / 0',
      met: r.pages.sla + r.pages.secondTier === 0,
    },
  ];
}
