/**
 * Failed authentications, limited per client address: an unknown or revoked API key, a request without
 * one on a keyed route, a routing key no integration has, a bad Twilio signature or email-link signature.
 * Past `failuresPerMinute` of them from one address, that address's requests carrying a credential not
 * already known to be good are answered 429 with Retry-After, before any lookup: guessing keys costs the
 * guesser a minute per few dozen guesses, and Postgres nothing.
 *
 * Each check of a credential that is not known good counts first, and is taken back if it turns out good
 * (or could not be checked): one atomic count per attempt, so a burst of concurrent guesses is held to
 * the limit too, not only a sequence. Known good means its last check succeeded (the plan cache's last
 * known values, api/plan-cache.ts): such a key neither counts nor waits, so a sender sharing an address
 * with a misconfigured one keeps working. Once this process has seen an address over its limit it
 * answers 429 from memory until the window ends, without even the count.
 *
 * The address is req.ip: the socket's peer, unless `trust proxy` (TRUST_PROXY) names the proxies whose
 * X-Forwarded-For to believe. IPv6 addresses count by their /56, as express-rate-limit's ipKeyGenerator
 * does, since one host commonly holds a whole /64.
 */
import { ipKeyGenerator } from 'express-rate-limit';
import type { Request } from 'express';
import type { Logger } from '../runtime/logger';
import type { Queryable } from '../store/db';
import { HttpError } from './errors';
import { RATE_WINDOW_MS } from './rate-limit';
import { SharedRateLimitStore } from './rate-limit-store';

/** What checking a credential came to: what the lookup found (undefined: nothing), or that it was not checked. */
export type Verdict<T> = { found: T | undefined; retryAfter?: undefined } | { found?: undefined; retryAfter: number };

// Addresses remembered as over their limit; past this many the memory starts over (each address then
// costs one count again), so a flood from many addresses cannot grow it without bound.
const MAX_BLOCKED = 10_000;

export class AuthThrottle {
  private readonly store: SharedRateLimitStore;
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    db: Queryable,
    readonly failuresPerMinute: number,
    log: Logger,
  ) {
    this.store = new SharedRateLimitStore({ db, prefix: 'auth-failures:', log });
    this.store.init({ windowMs: RATE_WINDOW_MS });
  }

  /**
   * Checks a credential with lookup unless req's address is over its limit of failures. known: the
   * credential was good when last checked, so checking it again is no guess. A lookup that finds nothing
   * is a failure; one that throws (Postgres unreachable) is not, and its error goes on.
   */
  async verify<T>(req: Request, known: boolean, lookup: () => Promise<T | undefined>): Promise<Verdict<T>> {
    if (!known) {
      const retryAfter = await this.count(req);
      if (retryAfter !== undefined) return { retryAfter };
    }
    let found: T | undefined;
    try {
      found = await lookup();
    } catch (err) {
      if (!known) await this.uncount(req);
      throw err;
    }
    if (found !== undefined && !known) await this.uncount(req);
    // A key that was good and is not any more (revoked, disabled) fails like any other.
    if (found === undefined && known) await this.count(req);
    return { found };
  }

  /**
   * Counts one failure from req's address (a missing credential, a bad signature); returns the seconds
   * to wait when the address is now over its limit.
   */
  async failed(req: Request): Promise<number | undefined> {
    return this.count(req);
  }

  private async count(req: Request): Promise<number | undefined> {
    const address = addressOf(req);
    const now = Date.now();
    const until = this.blockedUntil.get(address);
    if (until !== undefined && until > now) return secondsUntil(until, now);
    const { totalHits, resetTime } = await this.store.increment(address);
    if (totalHits <= this.failuresPerMinute) return undefined;
    const end = resetTime?.getTime() ?? now + RATE_WINDOW_MS;
    if (this.blockedUntil.size >= MAX_BLOCKED) this.blockedUntil.clear();
    this.blockedUntil.set(address, end);
    return secondsUntil(end, now);
  }

  private async uncount(req: Request): Promise<void> {
    await this.store.decrement(addressOf(req));
  }
}

const addressOf = (req: Request) => ipKeyGenerator(req.ip ?? '');
const secondsUntil = (end: number, now: number) => Math.max(1, Math.ceil((end - now) / 1000));

export const AUTH_THROTTLED_MESSAGE = 'too many failed authentications from this address; retry after the Retry-After seconds';

/** Returns the 429 the JSON routes answer an address over its limit of failed authentications with. */
export function authThrottled(retryAfter: number): HttpError {
  return new HttpError(429, 'auth_throttled', AUTH_THROTTLED_MESSAGE, {}, { 'Retry-After': String(retryAfter) });
}
