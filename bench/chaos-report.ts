/**
 * What the chaos benchmark concludes from what it observed: alerts accepted against recorded, pages
 * expected against received (lost, resent under the same Idempotency-Key, doubled under distinct keys),
 * and how late each tier's page came against the time it was due. Pure.
 *
 * A page is identified by the alert's dedup key and its tier, not by the alert's id: two alerts recorded
 * for one dedup key would each page, and that is exactly a page doubled under distinct keys.
 */
import type { ReceivedRequest } from './page-receiver';
import type { ChaosOptions, FaultKind } from './chaos-plan';
import type { ProcessCounts } from './chaos-processes';
import type { TriggerOutcome } from './chaos-send';
import { summarize, type Summary } from './stats';

export interface AlertRecord {
  id: string;
  dedupKey: string;
  /** Epoch ms: when the API accepted its first event; the tiers are due from here. */
  triggeredAt: number;
}

export interface FaultDone {
  kind: FaultKind;
  /** Milliseconds from the run's start: planned, done, and when the process served again. */
  plannedAt: number;
  at: number;
  recoveredAt: number;
}

export interface ChaosObservation {
  options: ChaosOptions;
  tierDelaysMinutes: readonly number[];
  /** Epoch ms of the run's time zero. */
  start: number;
  triggers: TriggerOutcome[];
  alerts: AlertRecord[];
  /** Every request the page receiver got (epoch ms `at`). */
  pages: ReceivedRequest[];
  faults: FaultDone[];
  processes: ProcessCounts[];
  /** Page rows in Postgres' notifications table, by status. */
  notifications: Record<string, number>;
  load: { at: number; load1: number }[];
  /** What was still missing when the wait gave up; undefined when everything arrived. */
  gaveUp?: string;
}

export interface LostPage {
  dedupKey: string;
  tier: number;
  /** Why, as far as the observation tells: the alert was never recorded, or nothing came. */
  reason: 'alert not recorded' | 'never received';
}

export interface Target {
  name: string;
  measured: number;
  target: number;
  met: boolean;
}

export interface ChaosReport {
  options: ChaosOptions;
  tierDelaysMinutes: readonly number[];
  alerts: {
    sent: number;
    accepted: number;
    notAccepted: string[];
    recorded: number;
    /** Accepted, and no alert in Postgres. */
    lost: string[];
    /** Dedup keys with more than one alert. */
    recordedTwice: string[];
    /** Alerts whose dedup key the run never sent. */
    unexpected: number;
  };
  triggers: {
    attempts: number;
    retried: number;
    failures: Record<string, number>;
    /** Seconds from due to accepted, over accepted triggers. */
    acceptLatencyMs: Summary | undefined;
  };
  pages: {
    expected: number;
    /** Page requests received for the run's alerts and tiers. */
    received: number;
    delivered: number;
    lost: LostPage[];
    /** Pages that came more than once, every time with the same Idempotency-Key: what a receiver drops. */
    resent: { pages: number; extraRequests: number };
    /** Pages that came more than once under distinct keys: a receiver cannot tell them from two pages. */
    doubledDistinct: { pages: number; extraRequests: number };
    /** Requests that match no alert or tier of the run (an SLA page, an unknown alert). */
    unexpected: number;
  };
  /** Received minus due, of each page's first arrival: per tier, then all together. */
  drift: { tiers: (Summary | undefined)[]; all: Summary | undefined };
  faults: FaultDone[];
  processes: ProcessCounts[];
  notifications: Record<string, number>;
  load: { start: number; max: number; end: number } | undefined;
  targets: Target[];
  gaveUp?: string;
}

interface PageBody {
  event?: unknown;
  idempotency_key?: unknown;
  alert?: { alertId?: unknown; tier?: unknown };
}

/** Returns the report; see the module comment for how pages are matched. */
export function analyzeChaos(o: ChaosObservation): ChaosReport {
  const accepted = o.triggers.filter((t) => t.acceptedAt !== null);
  const sentKeys = new Set(o.triggers.map((t) => t.key));
  const acceptedKeys = new Set(accepted.map((t) => t.key));

  const rowsByKey = new Map<string, AlertRecord[]>();
  for (const a of o.alerts) rowsByKey.set(a.dedupKey, [...(rowsByKey.get(a.dedupKey) ?? []), a]);
  const keyOfAlert = new Map(o.alerts.map((a) => [a.id, a.dedupKey]));
  const firstRow = (key: string) =>
    rowsByKey.get(key)?.reduce((a, b) => (b.triggeredAt < a.triggeredAt ? b : a));

  // Pages by dedup key and tier, in arrival order.
  const tiers = o.tierDelaysMinutes.length;
  const byPage = new Map<string, ReceivedRequest[]>();
  let unexpected = 0;
  for (const r of o.pages) {
    const body = r.body as PageBody | undefined;
    const key = typeof body?.alert?.alertId === 'string' ? keyOfAlert.get(body.alert.alertId) : undefined;
    const tier = body?.alert?.tier;
    if (
      body?.event !== 'page' ||
      key === undefined ||
      !sentKeys.has(key) ||
      typeof tier !== 'number' ||
      tier < 0 ||
      tier >= tiers
    ) {
      unexpected++;
      continue;
    }
    const id = `${key}#${tier}`;
    byPage.set(id, [...(byPage.get(id) ?? []), r]);
  }

  const lost: LostPage[] = [];
  const drift: number[][] = Array.from({ length: tiers }, () => []);
  let delivered = 0;
  let received = 0;
  const resent = { pages: 0, extraRequests: 0 };
  const doubledDistinct = { pages: 0, extraRequests: 0 };
  for (const key of [...acceptedKeys].sort()) {
    const row = firstRow(key);
    for (let tier = 0; tier < tiers; tier++) {
      const got = byPage.get(`${key}#${tier}`) ?? [];
      received += got.length;
      if (got.length === 0) {
        lost.push({ dedupKey: key, tier, reason: row ? 'never received' : 'alert not recorded' });
        continue;
      }
      delivered++;
      if (row)
        drift[tier]!.push(
          Math.min(...got.map((r) => r.at)) - (row.triggeredAt + o.tierDelaysMinutes[tier]! * 60_000),
        );
      if (got.length > 1) {
        const keys = new Set(got.map((r) => (r.body as PageBody).idempotency_key));
        const bucket = keys.size > 1 ? doubledDistinct : resent;
        bucket.pages++;
        bucket.extraRequests += got.length - 1;
      }
    }
  }
  // Pages of sent but never accepted keys (accepted after all, unbeknown to the sender) still count.
  for (const [id, got] of byPage)
    if (!acceptedKeys.has(id.slice(0, id.lastIndexOf('#')))) received += got.length;

  const failures: Record<string, number> = {};
  for (const t of o.triggers)
    for (const [status, n] of Object.entries(t.failures)) failures[status] = (failures[status] ?? 0) + n;

  const lostAlerts = [...acceptedKeys].filter((k) => !rowsByKey.has(k)).sort();
  const loads = o.load.map((l) => l.load1);
  return {
    options: o.options,
    tierDelaysMinutes: o.tierDelaysMinutes,
    alerts: {
      sent: o.triggers.length,
      accepted: accepted.length,
      notAccepted: o.triggers.filter((t) => t.acceptedAt === null).map((t) => t.key),
      recorded: [...acceptedKeys].filter((k) => rowsByKey.has(k)).length,
      lost: lostAlerts,
      recordedTwice: [...rowsByKey]
        .filter(([, rows]) => rows.length > 1)
        .map(([k]) => k)
        .sort(),
      unexpected: o.alerts.filter((a) => !sentKeys.has(a.dedupKey)).length,
    },
    triggers: {
      attempts: o.triggers.reduce((n, t) => n + t.attempts, 0),
      retried: o.triggers.filter((t) => t.attempts > 1).length,
      failures,
      acceptLatencyMs: summarize(accepted.map((t) => t.acceptedAt! - t.dueAt)),
    },
    pages: {
      expected: acceptedKeys.size * tiers,
      received,
      delivered,
      lost,
      resent,
      doubledDistinct,
      unexpected,
    },
    drift: { tiers: drift.map((d) => summarize(d)), all: summarize(drift.flat()) },
    faults: o.faults,
    processes: o.processes,
    notifications: o.notifications,
    load: loads.length > 0 ? { start: loads[0]!, max: Math.max(...loads), end: loads.at(-1)! } : undefined,
    targets: [
      target('lost alerts (accepted, never recorded)', lostAlerts.length),
      target('lost pages (expected, never received)', lost.length),
      target('pages doubled under distinct keys', doubledDistinct.pages),
    ],
    ...(o.gaveUp ? { gaveUp: o.gaveUp } : {}),
  };
}

const target = (name: string, measured: number): Target => ({
  name,
  measured,
  target: 0,
  met: measured === 0,
});
