/**
 * What the chaos benchmark does and when: the triggers (paced evenly, half through POST /alerts and half
 * through the PagerDuty endpoint, each with its own dedup key) and the faults (SIGKILLs of the worker
 * and the API spread over the whole run, escalation included; one Postgres restart and one Temporal
 * restart while triggers are still being sent). Pure and seeded: the same options, the same run.
 */
import { prng } from '../domain/oncall/reference.test-helpers';

/** The policy's tiers, minutes from the alert's acceptance: each alert pages three times. */
export const TIER_DELAYS_MINUTES = [0, 1, 2] as const;

export interface ChaosOptions {
  seed: number;
  alerts: number;
  /** Triggers are paced evenly over this many seconds. */
  seconds: number;
  workerKills: number;
  apiKills: number;
  postgresRestarts: number;
  temporalRestarts: number;
  /** How long a restarted Postgres or Temporal stays down. */
  postgresDownSeconds: number;
  temporalDownSeconds: number;
}

export const DEFAULT_CHAOS: ChaosOptions = {
  seed: 11,
  alerts: 1_000,
  seconds: 300,
  workerKills: 10,
  apiKills: 5,
  postgresRestarts: 1,
  temporalRestarts: 1,
  postgresDownSeconds: 20,
  temporalDownSeconds: 10,
};

export type Via = 'rest' | 'pagerduty';

export interface PlannedTrigger {
  /** The alert's dedup key: every retry of this trigger sends it again, so a retry can never open a second alert. */
  key: string;
  via: Via;
  /** Milliseconds from the run's start. */
  at: number;
}

export type FaultKind = 'kill-worker' | 'kill-api' | 'restart-postgres' | 'restart-temporal';

export interface PlannedFault {
  kind: FaultKind;
  /** Milliseconds from the run's start; a fault waits for the one before it to have recovered. */
  at: number;
}

export interface ChaosPlan {
  options: ChaosOptions;
  triggers: PlannedTrigger[];
  faults: PlannedFault[];
  /** Milliseconds from the start to the last trigger's last tier. */
  lastPageDueMs: number;
}

/** Returns the plan; throws on options that make no run. */
export function chaosPlan(o: ChaosOptions = DEFAULT_CHAOS): ChaosPlan {
  if (!(Number.isInteger(o.alerts) && o.alerts > 0)) throw new Error('alerts must be a positive integer');
  if (!(o.seconds > 0)) throw new Error('seconds must be positive');
  for (const n of [o.workerKills, o.apiKills, o.postgresRestarts, o.temporalRestarts])
    if (!(Number.isInteger(n) && n >= 0)) throw new Error('fault counts must be whole numbers');
  const rnd = prng(o.seed);
  const sendMs = o.seconds * 1000;
  const spacing = sendMs / o.alerts;
  const width = String(o.alerts - 1).length;
  const triggers = Array.from({ length: o.alerts }, (_, i) => ({
    key: `chaos-${o.seed}-${String(i).padStart(width, '0')}`,
    via: (i % 2 === 0 ? 'pagerduty' : 'rest') as Via,
    at: Math.round(i * spacing),
  }));
  const lastPageDueMs = (triggers.at(-1)?.at ?? 0) + TIER_DELAYS_MINUTES.at(-1)! * 60_000;

  // Kills over the whole run, tiers included, each jittered within its own slot; restarts of the two
  // stores at fixed points of the sending, so events arrive while each is down.
  const kills: FaultKind[] = shuffle(
    [
      ...Array<FaultKind>(o.workerKills).fill('kill-worker'),
      ...Array<FaultKind>(o.apiKills).fill('kill-api'),
    ],
    rnd,
  );
  const slot = lastPageDueMs / (kills.length + 1);
  const faults: PlannedFault[] = kills.map((kind, i) => ({ kind, at: Math.round(slot * (i + 0.5 + rnd())) }));
  const restarts = (kind: FaultKind, n: number, from: number) =>
    Array.from({ length: n }, (_, i) => ({
      kind,
      at: Math.round(sendMs * (from + (0.25 * i) / Math.max(1, n))),
    }));
  faults.push(
    ...restarts('restart-postgres', o.postgresRestarts, 0.35),
    ...restarts('restart-temporal', o.temporalRestarts, 0.7),
  );
  faults.sort((a, b) => a.at - b.at);
  return { options: o, triggers, faults, lastPageDueMs };
}

function shuffle<T>(items: T[], rnd: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
