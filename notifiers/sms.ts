import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import { renderMessage } from './message';
import {
  PermanentDeliveryError,
  TransientDeliveryError,
  type Delivery,
  type Notifier,
  type SendResult,
} from './types';

export interface SmsNotifierOptions {
  accountSid?: string;
  authToken?: string;
  from?: string;
  /** Base URL that replaces https://api.twilio.com, e.g. a local Twilio-shaped server in tests. */
  apiUrl?: string;
}

// The SDK's default is 30 s; a page should fail fast and be retried instead.
const TIMEOUT_MS = 10_000;

/**
 * Twilio's RequestClient with every request sent to another origin; path and query are kept, so the
 * SDK's own URL building, auth and form encoding are exercised unchanged.
 */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: URL,
    opts: RequestClient.RequestClientOptions,
  ) {
    super(opts);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request({ ...opts, uri: rebaseTwilioUri(opts.uri, this.base) });
  }
}

/** Returns `uri` with a *.twilio.com origin replaced by `base` (path prefix of `base` kept); other URIs unchanged. */
export function rebaseTwilioUri(uri: string, base: URL): string {
  const u = new URL(uri);
  // Any twilio.com host: TWILIO_REGION / TWILIO_EDGE turn api.twilio.com into api.<edge>.<region>.twilio.com.
  if (u.protocol !== 'https:' || !(u.hostname === 'twilio.com' || u.hostname.endsWith('.twilio.com')))
    return uri;
  return base.origin + base.pathname.replace(/\/$/, '') + u.pathname + u.search;
}

/** Returns the twilio client for these settings, or why there is none (configuration, named for `channel`). */
export function twilioClientFor(
  { accountSid, authToken, from, apiUrl }: SmsNotifierOptions,
  channel: 'sms' | 'voice',
): { client?: twilio.Twilio; configError?: string } {
  const missing = [!accountSid && 'account SID', !authToken && 'auth token', !from && 'from number'].filter(
    Boolean,
  );
  if (missing.length) return { configError: `${channel} is not configured: missing ${missing.join(', ')}` };
  try {
    const httpClient = apiUrl
      ? new RebasedRequestClient(new URL(apiUrl), { timeout: TIMEOUT_MS })
      : undefined;
    return { client: twilio(accountSid, authToken, httpClient ? { httpClient } : { timeout: TIMEOUT_MS }) };
  } catch (err) {
    // The SDK refuses a SID not starting with "AC"; a bad apiUrl throws here too. Both are configuration.
    return {
      configError: `${channel} is not configured: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** Returns a Notifier that sends pages as SMS through the twilio SDK. */
export function createSmsNotifier(opts: SmsNotifierOptions): Notifier {
  const { from } = opts;
  const { client, configError } = twilioClientFor(opts, 'sms');

  return {
    async send(d: Delivery): Promise<SendResult> {
      if (!client || configError)
        throw new PermanentDeliveryError(configError ?? 'sms is not configured', { code: 'ENOTCONFIGURED' });
      if (!d.address)
        throw new PermanentDeliveryError('sms delivery has no phone number', { code: 'ENOADDRESS' });
      const body = renderMessage(d.message).sms;
      try {
        const message = await client.messages.create({ to: d.address, from, body });
        return { providerId: message.sid };
      } catch (err) {
        throw classifyTwilioError(err, d.address);
      }
    },
  };
}

/** Returns a twilio SDK failure as a permanent (4xx but 429) or transient (5xx, 429, network) delivery error. */
export function classifyTwilioError(err: unknown, to: string): Error {
  if (
    err instanceof twilio.RestException ||
    (isObject(err) && typeof err.status === 'number' && !err.isAxiosError)
  ) {
    const { status, code, message } = err as { status: number; code?: number; message?: string };
    const text = `twilio ${status}${code ? ` (code ${code})` : ''} for ${to}: ${message ?? ''}`;
    // 4xx means Twilio will never accept this request (bad number, unverified sender, bad credentials);
    // 429 is the exception: rate limited, try again later.
    if (status >= 400 && status < 500 && status !== 429) {
      return new PermanentDeliveryError(text, { code: code ?? status, cause: err });
    }
    return new TransientDeliveryError(text, { code: code ?? status, cause: err });
  }
  // Network failures (axios: ECONNREFUSED, ETIMEDOUT, ECONNABORTED ...) may clear up: retry.
  const code = isObject(err) && typeof err.code === 'string' ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return new TransientDeliveryError(`twilio request for ${to} failed: ${message}`, { code, cause: err });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
