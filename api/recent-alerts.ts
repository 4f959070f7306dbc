/**
 * Workflow ids of alerts this process delivered an event to lately: most repeats in a storm are of an
 * alert that is still open, and for those a plain signal does (no planning, no start request). It is
 * only a guess: the alert may have closed since, and then the signal fails and the caller starts it
 * again; being absent only means taking the slower path. Bounded in count and age.
 */
export class RecentAlerts {
  // Insertion order is expiry order: every entry lives the same ttlMs from its last add.
  private readonly expiries = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: { max: number; ttlMs: number; now?: () => number }) {
    this.now = opts.now ?? Date.now;
  }

  /** Returns true if the id was added within ttlMs and not pushed out by newer ones since. */
  has(workflowId: string): boolean {
    const expires = this.expiries.get(workflowId);
    if (expires === undefined) return false;
    if (expires > this.now()) return true;
    this.expiries.delete(workflowId);
    return false;
  }

  /** Records (or refreshes) a delivery to this workflow id. */
  add(workflowId: string): void {
    const now = this.now();
    this.expiries.delete(workflowId);
    this.expiries.set(workflowId, now + this.opts.ttlMs);
    for (const [id, expires] of this.expiries) {
      if (this.expiries.size <= this.opts.max && expires > now) break;
      this.expiries.delete(id);
    }
  }

  /** Forgets an id (its alert turned out to be closed). */
  delete(workflowId: string): void {
    this.expiries.delete(workflowId);
  }

  get size(): number {
    return this.expiries.size;
  }
}
