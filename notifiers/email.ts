import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { renderMessage } from './message';
import {
  isAlertMessage,
  PermanentDeliveryError,
  TransientDeliveryError,
  type Delivery,
  type Notifier,
  type SendResult,
} from './types';

export interface EmailNotifierOptions {
  smtpUrl?: string;
  from: string;
}

// A page that waits minutes on a dead mail server is a page that arrives too late: fail and let retries run.
const TIMEOUT_MS = 10_000;

/** Returns the Message-ID a page with this idempotency key always carries, so a retried send is recognisable. */
export function messageIdFor(idempotencyKey: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@klaxon>`;
}

/** Returns a Notifier that sends pages by SMTP through nodemailer. */
export function createEmailNotifier({ smtpUrl, from }: EmailNotifierOptions): Notifier {
  const transport = smtpUrl
    ? createTransport({
        url: smtpUrl,
        connectionTimeout: TIMEOUT_MS,
        greetingTimeout: TIMEOUT_MS,
        socketTimeout: TIMEOUT_MS,
      })
    : undefined;
  return {
    async send(d: Delivery): Promise<SendResult> {
      if (!transport)
        throw new PermanentDeliveryError('email is not configured: set SMTP_URL', { code: 'ENOTCONFIGURED' });
      const rendered = renderMessage(d.message);
      try {
        const info = await transport.sendMail({
          from,
          to: d.address,
          subject: rendered.subject,
          text: rendered.text,
          messageId: messageIdFor(d.idempotencyKey),
          headers: {
            'X-Klaxon-Idempotency-Key': d.idempotencyKey,
            ...(d.message.kind === 'handoff' ? { 'X-Klaxon-Schedule-Id': d.message.scheduleId } : {}),
            ...(isAlertMessage(d.message) ? { 'X-Klaxon-Alert-Id': d.message.alertId } : {}),
          },
        });
        return { providerId: info.messageId };
      } catch (err) {
        throw classifySmtpError(err, d.address);
      }
    },
  };
}

function classifySmtpError(err: unknown, address: string): Error {
  const e = (err ?? {}) as { responseCode?: unknown; code?: unknown; response?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const detail = typeof e.response === 'string' ? e.response : String(e.message ?? err);
  if (typeof e.responseCode === 'number') {
    const message = `smtp ${e.responseCode} for ${address}: ${detail}`;
    // 5xx is the server's final word (unknown mailbox, policy); 4xx asks the sender to come back later.
    if (e.responseCode >= 500 && e.responseCode <= 599) {
      return new PermanentDeliveryError(message, { code: e.responseCode, cause: err });
    }
    return new TransientDeliveryError(message, { code: e.responseCode, cause: err });
  }
  // Connection refused, timeouts, DNS and socket errors, and anything unrecognised may clear up: retry.
  return new TransientDeliveryError(`smtp delivery to ${address} failed: ${detail}`, { code, cause: err });
}
