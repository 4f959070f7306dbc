/**
 * Secrets this process last found good (session cookies, heartbeat keys), by their digest. A request
 * that carries one is not a guess, so the failed-authentication throttle neither counts nor takes back
 * a failure for it (two Postgres writes saved on every console request and every ping); the secret is
 * still looked up each time, so a signed-out session or a deleted monitor's key is refused at once,
 * and then forgotten. Bounded: past `limit` the oldest is forgotten first, which only costs it those
 * two writes again.
 */
import { sha256Hex } from '../store/digests';

export class KnownSecrets {
  private readonly digests = new Set<string>();

  constructor(private readonly limit = 10_000) {}

  has(secret: string): boolean {
    return this.digests.has(sha256Hex(secret));
  }

  /** Notes the outcome of the secret's lookup: remembered if good, forgotten if not. */
  note(secret: string, good: boolean): void {
    const digest = sha256Hex(secret);
    this.digests.delete(digest);
    if (!good) return;
    this.digests.add(digest); // re-added last, so the set's order is least recently confirmed first
    if (this.digests.size > this.limit) this.digests.delete(this.digests.values().next().value!);
  }
}
