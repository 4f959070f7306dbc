import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkWebhookUrl, NO_ALLOWLIST, type OutboundAllowlist } from '../domain/outbound-address';
import { guardedLookup, OutboundRefusedError, type HostResolver } from './outbound-guard';
import {
  PermanentDeliveryError,
  TransientDeliveryError,
  type Delivery,
  type Notifier,
  type SendResult,
} from './types';

export interface WebhookNotifierOptions {
  defaultSecret?: string;
  /** For the whole exchange: connecting, sending, and the answer's status. */
  timeoutMs?: number;
  /** Internal receivers the operator permits (OUTBOUND_ALLOWLIST); without it only public addresses are contacted. */
  allowlist?: OutboundAllowlist;
  /** Resolves host names (default: the system resolver); every answer is checked before connecting. */
  resolve?: HostResolver;
}

const SIGNATURE_PREFIX = 'sha256=';
// Statuses that say "not now" rather than "never": timeout, too early, rate limited.
const TRANSIENT_4XX = new Set([408, 425, 429]);
// The answer's body is read and thrown away, so the connection closes cleanly; past this much it is cut.
const MAX_DISCARDED_BYTES = 64 * 1024;

/** Returns the X-Klaxon-Signature value: `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>`. */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * Returns true when `header` is the signature of `<timestamp>.<body>` under `secret` and the timestamp is
 * within `toleranceSec` of `now` (which bounds replays).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  timestamp: number | string | null | undefined,
  body: string,
  toleranceSec = 300,
  now: Date = new Date(),
): boolean {
  if (!header || timestamp === null || timestamp === undefined) return false;
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(now.getTime() / 1000 - ts) > toleranceSec) return false;
  const expected = Buffer.from(signWebhook(secret, String(timestamp), body));
  const given = Buffer.from(header);
  // timingSafeEqual throws on unequal lengths; the length of a well-formed signature is no secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Returns a Notifier that POSTs signed JSON to the delivery's URL, if the URL's host is permitted by the
 * outbound rule (domain/outbound-address.ts) at the moment of connecting.
 *
 * It sends with node:http / node:https rather than the global fetch: fetch cannot take a DNS `lookup`, and
 * the guard must sit in the lookup so the address it checked is the one connected to. http.request hands
 * `lookup` to net.connect, with no dependency added for it.
 */
export function createWebhookNotifier({
  defaultSecret,
  timeoutMs = 10_000,
  allowlist = NO_ALLOWLIST,
  resolve,
}: WebhookNotifierOptions = {}): Notifier {
  const lookup = guardedLookup(allowlist, resolve);
  return {
    async send(d: Delivery): Promise<SendResult> {
      const checked = checkWebhookUrl(d.address, allowlist);
      if (!checked.ok) {
        // Before any connection: a stored target from before the rule, or one the API never saw.
        if (checked.problem === 'refused') throw refused(d.address, checked.message);
        throw new PermanentDeliveryError(`webhook address ${checked.message}`, { code: 'EBADURL' });
      }
      const { url } = checked;
      const m = d.message;
      const body = JSON.stringify({
        event: m.kind,
        ...(m.kind === 'handoff' ? { handoff: { ...m } } : m.kind === 'test' ? { test: { ...m } } : { alert: { ...m } }),
        idempotency_key: d.idempotencyKey,
        sent_at: new Date().toISOString(),
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(body)),
        'User-Agent': 'Klaxon',
        'Idempotency-Key': d.idempotencyKey,
        'X-Klaxon-Timestamp': timestamp,
      };
      const secret = d.secret ?? defaultSecret;
      if (secret) headers['X-Klaxon-Signature'] = signWebhook(secret, timestamp, body);

      let res: Answer;
      try {
        res = await post(url, { headers, body, lookup, timeoutMs });
      } catch (err) {
        if (err instanceof OutboundRefusedError) throw refused(d.address, err.reason, err);
        throw networkError(err, url);
      }
      if (res.status >= 200 && res.status < 300) return { providerId: res.requestId };
      // The status only: the body is the receiver's, and the error is shown to every viewer of the alert.
      const text = `webhook ${url.origin}${url.pathname} answered ${res.status}`;
      if (res.status >= 500 || TRANSIENT_4XX.has(res.status))
        throw new TransientDeliveryError(text, { code: res.status });
      throw new PermanentDeliveryError(text, { code: res.status });
    },
  };
}

interface Answer {
  status: number;
  requestId: string | undefined;
}

/**
 * POSTs `body` and resolves with the answer's status once its body has been read and discarded (or cut
 * at MAX_DISCARDED_BYTES). Redirects are not followed: a POST turned into a GET would "succeed" without
 * delivering anything.
 */
function post(url: URL, o: { headers: Record<string, string>; body: string; lookup: LookupFunction; timeoutMs: number }): Promise<Answer> {
  const signal = AbortSignal.timeout(o.timeoutMs);
  return new Promise((resolve, reject) => {
    // No agent: one connection per page, so each goes through the guarded lookup and none outlives its page.
    const req = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers: o.headers, lookup: o.lookup, signal, agent: false }, (res) => {
      const requestId = res.headers['x-request-id'];
      const answer = { status: res.statusCode ?? 0, requestId: typeof requestId === 'string' ? requestId : undefined };
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read <= MAX_DISCARDED_BYTES) return;
        resolve(answer);
        res.destroy();
      });
      // The status is the answer: a body cut short, or timed out, changes nothing.
      for (const event of ['end', 'close', 'error']) res.on(event, () => resolve(answer));
    });
    // `on`, not `once`: a socket may fail again after the first error, and an unheard 'error' would throw.
    req.on('error', (err) => reject(signal.aborted ? Object.assign(new Error('timed out'), { name: 'TimeoutError', cause: err }) : err));
    req.end(o.body);
  });
}

function refused(address: string, reason: string, cause?: unknown): PermanentDeliveryError {
  return new PermanentDeliveryError(`webhook ${shownUrl(address)} refused: ${reason}`, { code: 'EOUTBOUND', cause });
}

/** Returns the URL as an error may show it: origin and path, no credentials, query or fragment. */
function shownUrl(address: string): string {
  try {
    const url = new URL(address);
    return `${url.origin}${url.pathname}`;
  } catch {
    return 'address';
  }
}

function networkError(err: unknown, url: URL): TransientDeliveryError {
  const e = err as { name?: unknown; code?: unknown; errors?: { code?: unknown }[] } | undefined;
  const timedOut = e?.name === 'TimeoutError';
  // autoSelectFamily tries each address and fails with an AggregateError of their errors.
  const code = timedOut ? 'ETIMEDOUT' : typeof e?.code === 'string' ? e.code : typeof e?.errors?.[0]?.code === 'string' ? e.errors[0].code : undefined;
  const reason = timedOut ? 'timed out' : `failed${code ? ` (${code})` : ''}`;
  return new TransientDeliveryError(`webhook ${url.origin}${url.pathname} ${reason}`, { code, cause: err });
}
