/**
 * The engine benchmark's measured rounds: A (trivial workflows started by signal-with-start from this
 * process) and B (new quiet alerts through the PagerDuty ingest) at a saturating rate, and the latency
 * steps (paging alerts at a fixed rate, each timed from its request to its first page at the receiver).
 */
import type { Client } from '@temporalio/client';
import { alertWorkflowId } from '../workflows/messages';
import { costOf, costToFirstPage, historySteps, type EngineCost } from './engine-history';
import { cpuBetween, cpuNow, untilCount } from './engine-observe';
import {
  reachedShareAt,
  type LatencyStep,
  type StatementSample,
  type ThroughputRound,
} from './engine-report';
import { ingestSender, paced, trivialStarter, type Sent } from './engine-send';
import type { EngineStack } from './engine-stack';
import { readStatements, resetStatements } from './engine-statements';
import { TRIVIAL_WORKFLOW_TYPE } from './engine-trivial-messages';
import type { PageReceiver } from './page-receiver';
import { sleep } from './service';

/** Each kind of alert has a service of its own, and an integration routing to it. */
export const SERVICES = {
  quiet: 'engine-quiet',
  page: 'engine-page',
  open: 'engine-open',
  probe: 'engine-probe',
} as const;
export type AlertKind = keyof typeof SERVICES;

export interface EngineContext {
  stack: EngineStack;
  client: Client;
  receiver: PageReceiver;
  routingKeys: Record<AlertKind, string>;
  say: (line: string) => void;
}

export interface RoundOptions {
  count: number;
  rate: number;
  inFlight: number;
  /** Give up waiting once the count has not grown for this long. */
  stallMs: number;
}

// How often a round reads its done count: A asks the dev server (visibility), B asks Postgres; twice a
// second keeps the readings' own load small beside the round's and dates its end within half a second.
const POLL_MS = 500;

const accepted = (sent: readonly Sent[]) => sent.filter((s) => s.acceptedAt !== null);
const lastAccepted = (sent: readonly Sent[]) =>
  accepted(sent).reduce<number | null>((m, s) => Math.max(m ?? 0, s.acceptedAt!), null);

/** Returns the alerts of a service recorded in Postgres whose dedup key starts with the prefix. */
export async function recordedCount(ctx: EngineContext, kind: AlertKind, prefix: string): Promise<number> {
  const { rows } = await ctx.stack.pool.query<{ n: number }>(
    'select count(*)::int as n from alerts where service = $1 and dedup_key like $2',
    [SERVICES[kind], `${prefix}%`],
  );
  return rows[0]!.n;
}

const completedTrivial = async (client: Client) =>
  client.workflow
    .count(`WorkflowType = '${TRIVIAL_WORKFLOW_TYPE}' AND ExecutionStatus = 'Completed'`)
    .then((c) => c.count);

/** Runs round A: `count` trivial workflows offered at `rate`; done when each has completed. */
export async function trivialRound(
  ctx: EngineContext,
  round: number,
  o: RoundOptions,
): Promise<ThroughputRound> {
  const base = await completedTrivial(ctx.client);
  const cpu0 = cpuNow(ctx.stack);
  const retries0 = ctx.stack.devServerRetries();
  const start = Date.now() + 100;
  const start1 = trivialStarter(ctx.client);
  const [sent, done] = await Promise.all([
    paced({ count: o.count, rate: o.rate, inFlight: o.inFlight, start }, (i) =>
      start1(`trivial-${round}-${i}`),
    ),
    untilCount(async () => (await completedTrivial(ctx.client)) - base, o.count, o.stallMs, POLL_MS),
  ]);
  return {
    kind: 'trivial',
    round,
    offeredRate: o.rate,
    count: o.count,
    start,
    accepted: accepted(sent).length,
    lastAcceptedAt: lastAccepted(sent),
    done: done.n,
    doneAt: done.at,
    doneAtShare: reachedShareAt(done.series, o.count),
    cpu: cpuBetween(cpu0, cpuNow(ctx.stack)),
    engineRetries: ctx.stack.devServerRetries() - retries0,
  };
}

/** Sends `count` alerts of a kind at `rate`, keys `<prefix><i>`; resolves with each one's outcome. */
export function sendAlerts(
  ctx: EngineContext,
  kind: AlertKind,
  prefix: string,
  o: Omit<RoundOptions, 'stallMs'>,
  start: number,
) {
  const send = ingestSender(ctx.stack.apiUrl, ctx.routingKeys[kind]);
  return paced({ count: o.count, rate: o.rate, inFlight: o.inFlight, start }, (i) => send(`${prefix}${i}`));
}

/** Runs round B: `count` new quiet alerts offered at `rate`; done when each is recorded. Counts statements. */
export async function klaxonRound(
  ctx: EngineContext,
  round: number,
  o: RoundOptions,
): Promise<{ round: ThroughputRound; statements: StatementSample; keys: string[] }> {
  const prefix = `b${round}-`;
  await resetStatements(ctx.stack.pool);
  const cpu0 = cpuNow(ctx.stack);
  const retries0 = ctx.stack.devServerRetries();
  const start = Date.now() + 100;
  const [sent, done] = await Promise.all([
    sendAlerts(ctx, 'quiet', prefix, o, start),
    untilCount(() => recordedCount(ctx, 'quiet', prefix), o.count, o.stallMs, POLL_MS),
  ]);
  const cpu = cpuBetween(cpu0, cpuNow(ctx.stack));
  const statements = { ...(await readStatements(ctx.stack.pool)), alerts: done.n };
  return {
    round: {
      kind: 'klaxon',
      round,
      offeredRate: o.rate,
      count: o.count,
      start,
      accepted: accepted(sent).length,
      lastAcceptedAt: lastAccepted(sent),
      done: done.n,
      doneAt: done.at,
      doneAtShare: reachedShareAt(done.series, o.count),
      cpu,
      engineRetries: ctx.stack.devServerRetries() - retries0,
    },
    statements,
    keys: Array.from({ length: o.count }, (_, i) => `${prefix}${i}`),
  };
}

/** Returns the first arrival at `path` of a page whose alert's summary is each key. */
export function firstPages(receiver: PageReceiver, path: string): Map<string, number> {
  const first = new Map<string, number>();
  for (const r of receiver.received) {
    const b = r.body as { event?: unknown; alert?: { summary?: unknown } } | undefined;
    if (r.path !== path || b?.event !== 'page' || typeof b.alert?.summary !== 'string') continue;
    if (!first.has(b.alert.summary)) first.set(b.alert.summary, r.at);
  }
  return first;
}

export interface StepOptions {
  rate: number;
  seconds: number;
  inFlight: number;
  /** After the last send, how long to wait for the records and pages still missing. */
  drainMs: number;
  countStatements: boolean;
}

/** Runs one latency step: paging alerts at `rate` for `seconds`, then waits for their records and pages. */
export async function latencyStep(
  ctx: EngineContext,
  o: StepOptions,
): Promise<{ step: LatencyStep; statements?: StatementSample; keys: string[] }> {
  const count = Math.max(1, Math.round(o.rate * o.seconds));
  const prefix = `p${o.rate}-`;
  if (o.countStatements) await resetStatements(ctx.stack.pool);
  const start = Date.now() + 100;
  const sending = sendAlerts(ctx, 'page', prefix, { count, rate: o.rate, inFlight: o.inFlight }, start);
  const recording = untilCount(() => recordedCount(ctx, 'page', prefix), count, o.drainMs, POLL_MS);
  const sent = await sending;
  const recorded = await recording;
  const keys = sent.map((_, i) => `${prefix}${i}`);
  const paged = () => firstPages(ctx.receiver, '/first');
  const giveUpAt = Date.now() + o.drainMs;
  while (Date.now() < giveUpAt && keys.some((k) => !paged().has(k))) await sleep(250);
  // The page is recorded sent just after the receiver answers: let those statements land.
  await sleep(1_000);
  const statements = o.countStatements
    ? { ...(await readStatements(ctx.stack.pool)), alerts: recorded.n }
    : undefined;
  const pages = paged();
  const latenciesMs = keys.flatMap((k, i) => {
    const at = pages.get(k);
    return at === undefined ? [] : [at - sent[i]!.sentAt];
  });
  return {
    step: {
      rate: o.rate,
      count,
      start,
      accepted: accepted(sent).length,
      recorded: recorded.n,
      recordedAt: recorded.at,
      latenciesMs,
    },
    ...(statements ? { statements } : {}),
    keys,
  };
}

/** Returns the engine cost of a few of the alerts: to the first page when paging, else the whole history. */
export async function sampleCosts(
  ctx: EngineContext,
  kind: AlertKind,
  keys: readonly string[],
  paging: boolean,
): Promise<(EngineCost | undefined)[]> {
  const out: (EngineCost | undefined)[] = [];
  for (const key of keys) {
    try {
      const steps = await historySteps(ctx.client, alertWorkflowId(SERVICES[kind], key));
      out.push(paging ? costToFirstPage(steps) : costOf(steps));
    } catch (err) {
      ctx.say(`history of ${key}: ${String(err)}`);
      out.push(undefined);
    }
  }
  return out;
}

/** Returns up to n keys spread evenly over the list. */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}
