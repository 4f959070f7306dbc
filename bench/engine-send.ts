/**
 * How the engine benchmark offers work: n items paced at a rate with a bounded number in flight, each
 * tried again on failure (a 429, a 5xx, no answer) a few times; and the two kinds of item, a start of
 * the trivial workflow (signal-with-start from this process) and a new Klaxon alert (PagerDuty Events
 * v2 ingest, `POST /v2/enqueue`, which answers 202 once the alert's signal-with-start is done).
 */
import type { Client } from '@temporalio/client';
import { pokeSignal, TRIVIAL_TASK_QUEUE, TRIVIAL_WORKFLOW_TYPE } from './engine-trivial-messages';
import { sleep } from './service';

export interface Sent {
  /** Date.now() when its first attempt went out, and when one was accepted (null: never). */
  sentAt: number;
  acceptedAt: number | null;
  attempts: number;
}

export interface PaceOptions {
  count: number;
  /** Items offered a second. */
  rate: number;
  inFlight: number;
  /** Date.now() of the first item's due time. */
  start: number;
}

const ATTEMPTS = 5;
const RETRY_MS = 250;

/** Returns every item's outcome, in order; `send(i)` resolves true when item i was accepted. */
export async function paced(o: PaceOptions, send: (i: number) => Promise<boolean>): Promise<Sent[]> {
  const out: Sent[] = new Array(o.count);
  let next = 0;
  const runner = async () => {
    while (next < o.count) {
      const i = next++;
      await sleep(o.start + (i * 1000) / o.rate - Date.now());
      const sent: Sent = { sentAt: Date.now(), acceptedAt: null, attempts: 0 };
      while (sent.attempts < ATTEMPTS && sent.acceptedAt === null) {
        sent.attempts++;
        const ok = await send(i).catch(() => false);
        if (ok) sent.acceptedAt = Date.now();
        else await sleep(RETRY_MS * sent.attempts);
      }
      out[i] = sent;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.inFlight, o.count)) }, runner));
  return out;
}

/** Returns a sender of new alerts through one PagerDuty integration; the summary is the dedup key. */
export function ingestSender(api: string, routingKey: string, severity = 'info') {
  return async (dedupKey: string): Promise<boolean> => {
    const res = await fetch(`${api}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: dedupKey,
        payload: { summary: dedupKey, source: 'engine-bench', severity },
      }),
      signal: AbortSignal.timeout(30_000),
    });
    await res.text();
    return res.ok;
  };
}

/** Returns a starter of trivial workflows: signal-with-start, as an alert's first event is. */
export function trivialStarter(client: Client) {
  return async (workflowId: string): Promise<boolean> => {
    await client.workflow.signalWithStart(TRIVIAL_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: TRIVIAL_TASK_QUEUE,
      signal: pokeSignal,
      signalArgs: [{ eventId: workflowId }],
    });
    return true;
  };
}
