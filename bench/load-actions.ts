/**
 * The responders of the load test, acting through the API as people do: an alert is acknowledged or
 * resolved a while after it is recorded, and a paged alert (or group) is acknowledged a few seconds
 * after its pages came. Each call is timed from the request to its 2xx answer, and repeated on a 429,
 * a 503 (no worker took the Update in time) or no answer under the same Idempotency-Key, so it applies once.
 */
import type { EventOutcome } from './load-send';
import type { LoadPlan } from './load-plan';
import type { Observer, RecordedAlert } from './load-observe';
import { sleep } from './service';

export type ActionKind = 'ack' | 'resolve' | 'group-ack';

export interface ActionOutcome {
  kind: ActionKind;
  /** The alert's key; for a group, the key of the alert whose page led to it. */
  key: string;
  /** Milliseconds from the start: when it was sent first and answered last. */
  sentAt: number | null;
  answeredAt: number | null;
  /** From the first request to the 2xx answer; null when never accepted. */
  latencyMs: number | null;
  status: number | null;
  attempts: number;
  failures: Record<string, number>;
  /** Why it was not sent, or was sent without what it waited for. */
  note?: string;
  lastError?: string;
}

export interface ActionOptions {
  api: string;
  adminKey: string;
  /** Date.now() of the run's time zero. */
  start: number;
  observer: Observer;
  /** Contacts a paged alert must reach before it is acknowledged. */
  contacts: readonly string[];
  /** Acknowledge a paged alert anyway this long after it was recorded, pages or not. */
  pageWaitMs: number;
  /** Give up waiting for a record this long after the alert was accepted. */
  recordWaitMs: number;
  maxAttempts: number;
  requestTimeoutMs: number;
}

const POLL_MS = 1_000;

/** Resolves once check() is true (true), or once `deadline` (Date.now()) has passed (false). */
async function until(check: () => boolean, deadline: number): Promise<boolean> {
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
}

/** Sends the action until a 2xx, a refusal (another 4xx), or out of attempts. */
async function call(
  o: ActionOptions,
  out: ActionOutcome,
  path: string,
  idempotencyKey: string,
): Promise<ActionOutcome> {
  const first = Date.now();
  out.sentAt = first - o.start;
  let delay = 500;
  for (;;) {
    out.attempts++;
    let wait = delay;
    let retry = true;
    try {
      const res = await fetch(`${o.api}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${o.adminKey}`,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
        },
        body: JSON.stringify({ actor: 'load-bench' }),
        signal: AbortSignal.timeout(o.requestTimeoutMs),
      });
      const text = await res.text();
      out.answeredAt = Date.now() - o.start;
      out.status = res.status;
      if (res.ok) {
        out.latencyMs = Date.now() - first;
        return out;
      }
      out.failures[res.status] = (out.failures[res.status] ?? 0) + 1;
      out.lastError = `${res.status} ${text.slice(0, 200)}`;
      retry = res.status === 429 || res.status === 503;
      const after = Number(res.headers.get('retry-after'));
      if (Number.isFinite(after) && after > 0) wait = Math.min(after * 1000, 10_000);
    } catch (err) {
      out.answeredAt = Date.now() - o.start;
      out.status = 0;
      out.failures.network = (out.failures.network ?? 0) + 1;
      out.lastError = `network: ${String((err as Error).cause ?? (err as Error).message).slice(0, 200)}`;
    }
    if (!retry || out.attempts >= o.maxAttempts) return out;
    await sleep(wait);
    delay = Math.min(delay * 2, 5_000);
  }
}

const outcome = (kind: ActionKind, key: string): ActionOutcome => ({
  kind,
  key,
  sentAt: null,
  answeredAt: null,
  latencyMs: null,
  status: null,
  attempts: 0,
  failures: {},
});

/**
 * Returns whether a responder acts on the alert: an ack, a resolve, a paged alert, or the first alert
 * of a critical group (a group is acknowledged once, through whichever alert its page names).
 */
export function actedOn(plan: LoadPlan, i: number): boolean {
  const a = plan.alerts[i]!;
  if (a.fate === 'open') return false;
  return a.group === undefined || plan.groups[a.group]!.alerts[0] === i;
}

/** Acts on one accepted alert as its plan says; `accepted` is when its first event was, in ms from the start. */
async function actOn(plan: LoadPlan, i: number, accepted: number, o: ActionOptions): Promise<ActionOutcome> {
  const a = plan.alerts[i]!;
  const group = a.group === undefined ? undefined : plan.groups[a.group]!;
  const kind: ActionKind = group ? 'group-ack' : a.fate === 'resolve' ? 'resolve' : 'ack';
  const out = outcome(kind, a.key);
  const acceptedAt = o.start + accepted;
  const keys = group ? group.alerts.map((m) => plan.alerts[m]!.key) : [a.key];

  // First the record: behind a backlog an alert may be recorded (and paged) many minutes after its 202,
  // and a responder cannot act on an alert nobody has seen yet.
  let record: RecordedAlert | undefined;
  const recorded = () => (record = o.observer.recordOf(a.key)) !== undefined;
  if (!(await until(recorded, acceptedAt + o.recordWaitMs))) {
    out.note = `never recorded within ${o.recordWaitMs / 1000} s of acceptance: not sent`;
    return out;
  }
  let leader = a.key;
  if (a.fate === 'paged') {
    // A responder acts once paged: every first-tier contact reached (on any alert of the group). The
    // wait counts from the record, after which the first tier fires at once, so a backlog does not make
    // the responder acknowledge before the pages go out.
    const paged = () => {
      for (const k of keys) {
        const got = o.observer.pagedContacts(k);
        if (o.contacts.every((c) => got.has(c))) return ((leader = k), true);
      }
      return false;
    };
    if (!(await until(paged, Date.now() + o.pageWaitMs)))
      out.note = `not every first-tier page came within ${o.pageWaitMs / 1000} s of the record: acknowledged anyway`;
    out.key = leader;
    await sleep(group ? group.actionDelayMs : a.actionDelayMs);
  } else await sleep(a.actionDelayMs);
  if (kind === 'group-ack') {
    if (!record!.groupId) {
      out.note = 'recorded without a group: not sent';
      return out;
    }
    // The first alert's record names the group, whichever alert leads it.
    return call(o, out, `/groups/${record!.groupId}/acknowledge`, `load-${a.key}-group-ack`);
  }
  return call(
    o,
    out,
    `/alerts/${record!.id}/${kind === 'ack' ? 'acknowledge' : 'resolve'}`,
    `load-${a.key}-${kind}`,
  );
}

/**
 * Returns a function to call with each event's outcome as it comes, and a promise of every action's
 * outcome once `done()` says no more events will come and the last action has finished.
 */
export function startActions(plan: LoadPlan, o: ActionOptions) {
  const running: Promise<ActionOutcome>[] = [];
  const tally = { started: 0, accepted: 0, failed: 0 };
  return {
    onEvent(e: EventOutcome): void {
      if (e.kind !== 'new' || e.acceptedAt === null || !actedOn(plan, e.alert)) return;
      tally.started++;
      running.push(
        actOn(plan, e.alert, e.acceptedAt, o).then((out) => {
          if (out.latencyMs !== null) tally.accepted++;
          else tally.failed++;
          return out;
        }),
      );
    },
    /** Actions started, accepted (2xx), and finished without a 2xx. */
    counts: (): Readonly<typeof tally> => tally,
    /** Every action's outcome, once the last has finished; call after the last event. */
    done: (): Promise<ActionOutcome[]> => Promise.all(running),
  };
}
