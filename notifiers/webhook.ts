import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  PermanentDeliveryError,
  TransientDeliveryError,
  type Delivery,
  type Notifier,
  type SendResult,
} from './types';

export interface WebhookNotifierOptions {
  defaultSecret?: string;
  timeoutMs?: number;
}

const SIGNATURE_PREFIX = 'sha256=';
// Statuses that say "not now" rather than "never": timeout, too early, rate limited.
const TRANSIENT_4XX = new Set([408, 425, 429]);

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

/** Returns a Notifier that POSTs signed JSON to the delivery's URL. */
export function createWebhookNotifier({
  defaultSecret,
  timeoutMs = 10_000,
}: WebhookNotifierOptions = {}): Notifier {
  return {
    async send(d: Delivery): Promise<SendResult> {
      const url = parseUrl(d.address);
      const m = d.message;
      const body = JSON.stringify({
        event: m.kind,
        ...(m.kind === 'handoff' ? { handoff: { ...m } } : { alert: { ...m } }),
        idempotency_key: d.idempotencyKey,
        sent_at: new Date().toISOString(),
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'User-Agent': 'Klaxon',
        'Idempotency-Key': d.idempotencyKey,
        'X-Klaxon-Timestamp': timestamp,
      };
      const secret = d.secret ?? defaultSecret;
      if (secret) headers['X-Klaxon-Signature'] = signWebhook(secret, timestamp, body);

      let res: Response;
      try {
        // Redirects are not followed: a POST turned into a GET would "succeed" without delivering anything.
        res = await fetch(url, {
          method: 'POST',
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw networkError(err, url);
      }
      // Read the body so the connection is released, and keep a little of it for the error message.
      const reply = await res.text().catch(() => '');
      if (res.ok) return { providerId: res.headers.get('x-request-id') ?? undefined };
      const text = `webhook ${url.origin}${url.pathname} answered ${res.status}${reply ? `: ${reply.slice(0, 200)}` : ''}`;
      if (res.status >= 500 || TRANSIENT_4XX.has(res.status))
        throw new TransientDeliveryError(text, { code: res.status });
      throw new PermanentDeliveryError(text, { code: res.status });
    },
  };
}

function parseUrl(address: string): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch (err) {
    throw new PermanentDeliveryError('webhook address is not a URL', { code: 'EBADURL', cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PermanentDeliveryError(`webhook address must be http or https: ${url.protocol}`, {
      code: 'EBADURL',
    });
  }
  return url;
}

function networkError(err: unknown, url: URL): TransientDeliveryError {
  const e = err as { name?: unknown; cause?: { code?: unknown } } | undefined;
  const timedOut = e?.name === 'TimeoutError';
  const code = timedOut ? 'ETIMEDOUT' : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  const reason = timedOut ? 'timed out' : `failed${code ? ` (${code})` : ''}`;
  return new TransientDeliveryError(`webhook ${url.origin}${url.pathname} ${reason}`, { code, cause: err });
}
