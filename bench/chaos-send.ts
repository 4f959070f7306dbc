/**
 * Sends the chaos run's triggers as a monitoring system with a retry queue does: each one when due, and
 * again on anything but a 2xx (no answer, a 5xx, a 503 with Retry-After) with the same body and dedup key,
 * until it is accepted or the sender gives up. A bounded number are in flight at once, so a backlog built
 * while the API was down drains at that pace.
 */
import { sleep } from './service';
import type { PlannedTrigger, Via } from './chaos-plan';

export interface TriggerOutcome {
  key: string;
  via: Via;
  /** Milliseconds from the run's start: when due, first sent, and accepted (null: the sender gave up). */
  dueAt: number;
  firstSentAt: number;
  acceptedAt: number | null;
  attempts: number;
  /** The 2xx status that accepted it. */
  status: number | null;
  /** Every attempt that was not accepted, by HTTP status, or `network` when no answer came. */
  failures: Record<string, number>;
  lastError?: string;
}

export interface SendTarget {
  api: string;
  adminKey: string;
  routingKey: string;
  service: string;
}

export interface SendOptions {
  inFlight: number;
  /** One attempt's timeout (POST /alerts itself waits up to 10 s for the record). */
  requestTimeoutMs: number;
  /** Give up on a trigger this long after it was due. */
  giveUpMs: number;
}

const BACKOFF = { initialMs: 250, maxMs: 5_000 };

/** Returns the request for one attempt of a trigger: the same on every retry. */
function request(t: PlannedTrigger, target: SendTarget): { url: string; init: RequestInit } {
  const summary = `chaos ${t.key}`;
  if (t.via === 'pagerduty') {
    const body = {
      routing_key: target.routingKey,
      event_action: 'trigger',
      dedup_key: t.key,
      payload: { summary, source: 'chaos-bench', severity: 'info' },
    };
    return {
      url: `${target.api}/v2/enqueue`,
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    };
  }
  const body = {
    summary,
    severity: 'info',
    service: target.service,
    source: 'chaos-bench',
    dedup_key: t.key,
  };
  return {
    url: `${target.api}/alerts`,
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.adminKey}` },
      body: JSON.stringify(body),
    },
  };
}

/** Sends one trigger until accepted or given up; `start` is Date.now() of the run's time zero. */
async function sendOne(
  t: PlannedTrigger,
  target: SendTarget,
  start: number,
  o: SendOptions,
): Promise<TriggerOutcome> {
  const { url, init } = request(t, target);
  const out: TriggerOutcome = {
    key: t.key,
    via: t.via,
    dueAt: t.at,
    firstSentAt: Date.now() - start,
    acceptedAt: null,
    attempts: 0,
    status: null,
    failures: {},
  };
  let delay = BACKOFF.initialMs;
  for (;;) {
    out.attempts++;
    let wait = delay;
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(o.requestTimeoutMs) });
      const text = await res.text();
      if (res.ok) {
        out.acceptedAt = Date.now() - start;
        out.status = res.status;
        return out;
      }
      out.failures[res.status] = (out.failures[res.status] ?? 0) + 1;
      out.lastError = `${res.status} ${text.slice(0, 200)}`;
      const after = Number(res.headers.get('retry-after'));
      if (Number.isFinite(after) && after > 0) wait = Math.min(after * 1000, 10_000);
    } catch (err) {
      out.failures.network = (out.failures.network ?? 0) + 1;
      out.lastError = `network: ${String((err as Error).cause ?? (err as Error).message).slice(0, 200)}`;
    }
    if (Date.now() - start - t.at > o.giveUpMs) return out;
    await sleep(wait);
    delay = Math.min(delay * 2, BACKOFF.maxMs);
  }
}

/** Returns every trigger's outcome, in plan order. */
export async function sendTriggers(
  triggers: readonly PlannedTrigger[],
  target: SendTarget,
  start: number,
  o: SendOptions,
  onOutcome: (t: TriggerOutcome) => void = () => {},
): Promise<TriggerOutcome[]> {
  const outcomes: TriggerOutcome[] = new Array(triggers.length);
  let next = 0;
  const runner = async () => {
    while (next < triggers.length) {
      const i = next++;
      const t = triggers[i]!;
      await sleep(start + t.at - Date.now());
      outcomes[i] = await sendOne(t, target, start, o);
      onOutcome(outcomes[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.inFlight) }, runner));
  return outcomes;
}
