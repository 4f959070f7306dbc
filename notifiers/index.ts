import { createEmailNotifier } from './email';
import { createSmsNotifier } from './sms';
import { createVoiceNotifier } from './voice';
import type { OutboundAllowlist } from '../domain/outbound-address';
import type { HostResolver } from './outbound-guard';
import type { Channel, Notifier } from './types';
import { createWebhookNotifier } from './webhook';

export * from './types';
export { renderMessage, humanDuration, SMS_MAX_LENGTH, type RenderedMessage } from './message';
export { createEmailNotifier, messageIdFor, type EmailNotifierOptions } from './email';
export { createSmsNotifier, type SmsNotifierOptions } from './sms';
export { createVoiceNotifier, type VoiceNotifierOptions } from './voice';
export { voicePageTwiml, voiceAnswerTwiml, spokenAlert } from './voice-twiml';
export {
  createWebhookNotifier,
  signWebhook,
  verifyWebhookSignature,
  type WebhookNotifierOptions,
} from './webhook';
export { guardedLookup, systemResolver, OutboundRefusedError, type HostResolver } from './outbound-guard';

/** Configuration values for every channel; the caller reads them from its validated config, not process.env. */
export interface NotifiersOptions {
  smtpUrl?: string;
  smtpFrom?: string;
  twilioAccountSid?: string;
  twilioAuthToken?: string;
  twilioFromNumber?: string;
  /** Replaces https://api.twilio.com (tests, proxies). */
  twilioApiUrl?: string;
  webhookSigningSecret?: string;
  webhookTimeoutMs?: number;
  /** OUTBOUND_ALLOWLIST: internal webhook receivers permitted beyond public addresses. */
  outboundAllowlist?: OutboundAllowlist;
  /** Test seam: resolves webhook host names instead of the system resolver. */
  webhookResolve?: HostResolver;
}

const DEFAULT_FROM = 'Klaxon <klaxon@localhost>';

/** Returns one Notifier per channel; an unconfigured channel's send fails with PermanentDeliveryError. */
export function createNotifiers(opts: NotifiersOptions = {}): Record<Channel, Notifier> {
  return {
    email: createEmailNotifier({ smtpUrl: opts.smtpUrl, from: opts.smtpFrom ?? DEFAULT_FROM }),
    sms: createSmsNotifier({
      accountSid: opts.twilioAccountSid,
      authToken: opts.twilioAuthToken,
      from: opts.twilioFromNumber,
      apiUrl: opts.twilioApiUrl,
    }),
    // The same Twilio account and number as SMS.
    voice: createVoiceNotifier({
      accountSid: opts.twilioAccountSid,
      authToken: opts.twilioAuthToken,
      from: opts.twilioFromNumber,
      apiUrl: opts.twilioApiUrl,
    }),
    webhook: createWebhookNotifier({
      defaultSecret: opts.webhookSigningSecret,
      timeoutMs: opts.webhookTimeoutMs,
      allowlist: opts.outboundAllowlist,
      resolve: opts.webhookResolve,
    }),
  };
}
