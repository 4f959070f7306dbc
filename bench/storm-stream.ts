/**
 * The alert storm of a real outage as Alertmanager delivers it: thousands of distinct alerts on a
 * handful of group keys within a minute, in webhook payloads of at most `batch` alerts, each payload one
 * group key, plus the re-notifications Alertmanager sends for a group while its alerts keep firing. Pure
 * and seeded: the same options give the same storm, so a change is measured against the same input.
 */
import { prng } from '../domain/oncall/reference.test-helpers';

export interface StormOptions {
  seed: number;
  /** Distinct alerts (fingerprints) in the storm. */
  alerts: number;
  /** Group keys; the alerts are spread evenly over them. */
  groups: number;
  /** Most alerts in one payload. */
  batch: number;
  /** The storm is spread over this many seconds. */
  seconds: number;
  /** Resent alert events as a share of the distinct alerts (0.2: 20% extra events). */
  resend: number;
}

export const DEFAULT_STORM: StormOptions = {
  seed: 10,
  alerts: 10_000,
  groups: 10,
  batch: 50,
  seconds: 60,
  resend: 0.2,
};

export interface StormAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Milliseconds from the storm's start to the alert's first payload (its startsAt). */
  firstAt: number;
}

export interface StormPayload {
  /** Milliseconds from the storm's start when it is due. */
  at: number;
  /** Index of the group key, 0-based. */
  group: number;
  /** `new`: alerts never sent before; `resend`: a re-notification of alerts already sent. */
  kind: 'new' | 'resend';
  alerts: StormAlert[];
}

export interface Storm {
  options: StormOptions;
  /** Alertmanager's groupKey of each group. */
  groupKeys: string[];
  /** Every payload in the order it is due (by `at`, then group); a group's payloads keep their order. */
  payloads: StormPayload[];
}

/** Returns the storm's group keys and payloads; throws on options that make no storm. */
export function generateStorm(opts: StormOptions = DEFAULT_STORM): Storm {
  const { alerts, groups, batch, seconds, resend } = opts;
  if (!(Number.isInteger(groups) && groups >= 1)) throw new RangeError('groups must be a whole number ≥ 1');
  if (!(Number.isInteger(alerts) && alerts >= groups))
    throw new RangeError('alerts must be a whole number ≥ groups');
  if (!(Number.isInteger(batch) && batch >= 1)) throw new RangeError('batch must be a whole number ≥ 1');
  if (!(seconds > 0)) throw new RangeError('seconds must be > 0');
  if (!(resend >= 0)) throw new RangeError('resend must be ≥ 0');
  const rnd = prng(opts.seed);
  const fingerprints = new Set<string>();
  const fingerprint = () => {
    for (;;) {
      const hex = [rnd(), rnd()]
        .map((x) =>
          Math.floor(x * 2 ** 32)
            .toString(16)
            .padStart(8, '0'),
        )
        .join('');
      if (!fingerprints.has(hex)) {
        fingerprints.add(hex);
        return hex;
      }
    }
  };

  const groupKeys = Array.from(
    { length: groups },
    (_, g) => `{}:{alertname="NodeUnreachable", cluster="${cluster(g)}"}`,
  );
  const members = groupKeys.map((_, g) =>
    Array.from({ length: Math.floor(alerts / groups) + (g < alerts % groups ? 1 : 0) }, (_, i) =>
      alertOf(g, i, fingerprint()),
    ),
  );
  // Resend payloads go to the groups in turns, from a seeded start, so they spread evenly.
  const resendPayloads = Math.round((resend * alerts) / batch);
  const resendsOf = groupKeys.map(() => 0);
  const first = Math.floor(rnd() * groups);
  for (let r = 0; r < resendPayloads; r++) resendsOf[(first + r) % groups]! += 1;

  const payloads: StormPayload[] = [];
  members.forEach((list, g) => {
    const chunks = chunk(list, batch);
    // The group's first payload is new (nothing to resend yet); the rest come in a seeded order.
    const rest = shuffle(
      [
        ...chunks.slice(1).map(() => 'new' as const),
        ...Array.from({ length: resendsOf[g]! }, () => 'resend' as const),
      ],
      rnd,
    );
    const order = ['new' as const, ...rest];
    const sent: StormAlert[] = [];
    let next = 0;
    order.forEach((kind, j) => {
      // A seeded point within slot j of the group's share of the storm, so a group's payloads stay in order.
      const at = Math.floor(((j + rnd()) / order.length) * seconds * 1000);
      if (kind === 'new') {
        const fresh = chunks[next++]!.map((a) => ({ ...a, firstAt: at }));
        sent.push(...fresh);
        payloads.push({ at, group: g, kind, alerts: fresh });
      } else {
        // Alertmanager re-notifies with the group's firing alerts; at most a batch of them.
        const picked = shuffle([...sent.keys()], rnd)
          .slice(0, batch)
          .sort((a, b) => a - b);
        payloads.push({ at, group: g, kind, alerts: picked.map((i) => sent[i]!) });
      }
    });
  });
  payloads.sort((a, b) => a.at - b.at || a.group - b.group);
  return { options: opts, groupKeys, payloads };
}

export interface StormCounts {
  groups: number;
  alerts: number;
  payloads: number;
  newPayloads: number;
  resendPayloads: number;
  /** Alert events over all payloads: each alert's first event plus its resends. */
  events: number;
  resentEvents: number;
}

/** Returns the storm's size: groups, distinct alerts, payloads and events, new and resent. */
export function describeStorm(storm: Storm): StormCounts {
  const resends = storm.payloads.filter((p) => p.kind === 'resend');
  const events = storm.payloads.reduce((n, p) => n + p.alerts.length, 0);
  const resentEvents = resends.reduce((n, p) => n + p.alerts.length, 0);
  return {
    groups: storm.groupKeys.length,
    alerts: new Set(storm.payloads.flatMap((p) => p.alerts.map((a) => a.fingerprint))).size,
    payloads: storm.payloads.length,
    newPayloads: storm.payloads.length - resends.length,
    resendPayloads: resends.length,
    events,
    resentEvents,
  };
}

/** Returns the Alertmanager webhook body (version 4) of a payload, for a storm that started at `start`. */
export function webhookBody(storm: Storm, payload: StormPayload, start: number): Record<string, unknown> {
  const c = cluster(payload.group);
  return {
    version: '4',
    groupKey: storm.groupKeys[payload.group],
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'klaxon',
    groupLabels: { alertname: 'NodeUnreachable', cluster: c },
    commonLabels: { alertname: 'NodeUnreachable', cluster: c, job: 'node', severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: payload.alerts.map((a) => ({
      status: 'firing',
      labels: a.labels,
      annotations: a.annotations,
      startsAt: new Date(start + a.firstAt).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up%3D%3D0',
      fingerprint: a.fingerprint,
    })),
  };
}

/** Returns the cluster label of group g, which is also how a page is traced back to its group. */
export function cluster(g: number): string {
  return `cluster-${String(g + 1).padStart(2, '0')}`;
}

function alertOf(g: number, i: number, fingerprint: string): StormAlert {
  const instance = `node-${String(i + 1).padStart(4, '0')}.${cluster(g)}:9100`;
  return {
    fingerprint,
    // `severity: warning` is medium in Klaxon: its SLA targets (TTA 1 h) lie far beyond the storm.
    labels: { alertname: 'NodeUnreachable', cluster: cluster(g), instance, job: 'node', severity: 'warning' },
    annotations: { summary: `${instance} is unreachable` },
    firstAt: 0,
  };
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(list.length / size) }, (_, i) =>
    list.slice(i * size, (i + 1) * size),
  );
}

/** Fisher–Yates with the seeded generator; shuffles in place and returns the array. */
function shuffle<T>(list: T[], rnd: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}
