/**
 * Repeats of one open alert share signals. While a signal to an alert is in flight, further repeats of
 * it wait and go out together as the next signal, carrying their count. A storm of ten thousand repeats
 * of one alert then costs its workflow a few hundred signals rather than ten thousand, so it keeps up and
 * reaches the quiet point where it continues as new. Each caller still answers only once the signal
 * carrying its repeat has returned: nothing is acknowledged before it is durable.
 */
import type { TriggerRepeat } from '../workflows/messages';

/** Sends one signal; resolves false when the alert is not open (its workflow has closed). */
export type SendRepeat = (workflowId: string, repeat: TriggerRepeat) => Promise<boolean>;

interface Batch {
  repeat: TriggerRepeat;
  count: number;
  settle: Promise<boolean>;
  resolve(open: boolean): void;
  reject(err: unknown): void;
}

export class RepeatBatcher {
  private readonly inFlight = new Set<string>();
  private readonly waiting = new Map<string, Batch>();

  constructor(private readonly send: SendRepeat) {}

  /**
   * Delivers the repeat to the open alert, alone or with others; resolves false if the alert turned
   * out not to be open (the caller then starts it), rejects if the signal failed otherwise.
   */
  deliver(workflowId: string, repeat: TriggerRepeat): Promise<boolean> {
    if (!this.inFlight.has(workflowId)) return this.flight(workflowId, repeat);
    const batch = this.waiting.get(workflowId);
    if (batch) {
      batch.count += 1;
      // The batch is dated by its earliest repeat (a reopen it causes counts from then) and says the latest.
      batch.repeat = { ...batch.repeat, summary: repeat.summary, severity: repeat.severity };
      return batch.settle;
    }
    let resolve!: (open: boolean) => void;
    let reject!: (err: unknown) => void;
    const settle = new Promise<boolean>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.waiting.set(workflowId, { repeat, count: 1, settle, resolve, reject });
    return settle;
  }

  private async flight(workflowId: string, repeat: TriggerRepeat): Promise<boolean> {
    this.inFlight.add(workflowId);
    try {
      return await this.send(workflowId, repeat);
    } finally {
      this.inFlight.delete(workflowId);
      this.next(workflowId);
    }
  }

  private next(workflowId: string): void {
    const batch = this.waiting.get(workflowId);
    if (!batch) return;
    this.waiting.delete(workflowId);
    const repeat: TriggerRepeat = batch.count > 1 ? { ...batch.repeat, count: batch.count } : batch.repeat;
    this.flight(workflowId, repeat).then(batch.resolve, batch.reject);
  }
}
