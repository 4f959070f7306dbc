/**
 * Session cookies this process last found live, by their token's digest. A session request that
 * carries one is not a guess, so the failed-authentication throttle neither counts nor takes back a
 * failure for it (two Postgres writes saved on every console request); the session is still looked up
 * and touched each time, so a signed-out or expired one is refused at once, and then forgotten.
 * Bounded: past `limit` the oldest is forgotten first, which only costs it those two writes again.
 */
import { sha256Hex } from '../store/digests';

export class KnownSessions {
  private readonly digests = new Set<string>();

  constructor(private readonly limit = 10_000) {}

  has(token: string): boolean {
    return this.digests.has(sha256Hex(token));
  }

  /** Notes the outcome of the token's lookup: remembered if live, forgotten if not. */
  note(token: string, live: boolean): void {
    const digest = sha256Hex(token);
    this.digests.delete(digest);
    if (!live) return;
    this.digests.add(digest); // re-added last, so the set's order is least recently confirmed first
    if (this.digests.size > this.limit) this.digests.delete(this.digests.values().next().value!);
  }
}
