import { createEmailNotifier } from './email';
import { createSmsNotifier } from './sms';
import type { Channel, Notifier } from './types';
import { createWebhookNotifier } from './webhook';

export * from './types';
export { renderMessage, humanDuration, SMS_MAX_LENGTH, type RenderedMessage } from './message';
export { createEmailNotifier, messageIdFor, type EmailNotifierOptions } from './email';
export { createSmsNotifier, type SmsNotifierOptions } from './sms';
export {
  createWebhookNotifier,
  signWebhook,
  verifyWebhookSignature,
  type WebhookNotifierOptions,
} from './webhook';

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
    webhook: createWebhookNotifier({
      defaultSecret: opts.webhookSigningSecret,
      timeoutMs: opts.webhookTimeoutMs,
    }),
  };
}
