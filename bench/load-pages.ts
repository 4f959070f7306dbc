/**
 * The load test's responders and where their pages arrive: a real SMTP server, a Twilio-shaped server
 * for the real twilio SDK, and the webhook receiver, all on loopback. Every page, whatever its channel,
 * comes out as one shape: when it arrived, to which contact, whether it is a tier page or an SLA page,
 * and the dedup key its summary starts with.
 */
import { startFakeTwilio, type FakeTwilio } from '../test/helpers/fake-twilio';
import { startSmtpServer, type TestSmtpServer } from '../test/helpers/smtp';
import { startPageReceiver, type PageReceiver } from './page-receiver';

export type Channel = 'email' | 'sms' | 'webhook';

export interface Contact {
  channel: Channel;
  /** Email address, E.164 number, or the webhook receiver's path. */
  address: string;
}

export interface Responder {
  name: string;
  contacts: Contact[];
}

/** Alice and Bob are the first tier; Carol is the second, an hour on, which no page of the run reaches. */
export const RESPONDERS: readonly Responder[] = [
  {
    name: 'alice',
    contacts: [
      { channel: 'email', address: 'alice@load.example' },
      { channel: 'sms', address: '+15550100001' },
      { channel: 'webhook', address: '/alice' },
    ],
  },
  {
    name: 'bob',
    contacts: [
      { channel: 'email', address: 'bob@load.example' },
      { channel: 'sms', address: '+15550100002' },
    ],
  },
  {
    name: 'carol',
    contacts: [
      { channel: 'email', address: 'carol@load.example' },
      { channel: 'webhook', address: '/carol' },
    ],
  },
];
export const FIRST_TIER = ['alice', 'bob'] as const;
export const SECOND_TIER = ['carol'] as const;
export const SECOND_TIER_DELAY_MINUTES = 60;

/** Returns a contact as one string, the way pages are matched: `email:alice@load.example`. */
export const contactId = (c: Contact): string => `${c.channel}:${c.address}`;

/** Returns the contacts every paged incident must reach once each: the first tier's. */
export function firstTierContacts(): string[] {
  return RESPONDERS.filter((r) => (FIRST_TIER as readonly string[]).includes(r.name)).flatMap((r) =>
    r.contacts.map(contactId),
  );
}

export interface ReceivedPage {
  /** Date.now() when it arrived. */
  at: number;
  contact: string;
  kind: 'page' | 'sla' | 'other';
  /** The dedup key the alert's summary starts with; undefined when none was found. */
  key: string | undefined;
}

export interface Receivers {
  webhook: PageReceiver;
  smtp: TestSmtpServer;
  twilio: FakeTwilio;
  /** What the service needs to page through them. */
  env: Record<string, string>;
  /** Every page received so far, in no particular order across channels. */
  pages(keyPattern: RegExp): ReceivedPage[];
  /** How many pages have arrived so far, on every channel. */
  count(): number;
  close(): Promise<void>;
}

const TWILIO_FROM = '+15550100000';

/** Returns the three receivers, listening. */
export async function startReceivers(): Promise<Receivers> {
  const [webhook, smtp, twilio] = await Promise.all([
    startPageReceiver(),
    startSmtpServer(),
    startFakeTwilio(),
  ]);
  return {
    webhook,
    smtp,
    twilio,
    env: {
      SMTP_URL: smtp.url,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM_NUMBER: TWILIO_FROM,
      TWILIO_API_URL: twilio.url,
    },
    pages: (keyPattern) => [
      ...webhook.received.map((r) => webhookPage(r.at, r.path, r.body, keyPattern)),
      ...smtp.messages.map((m) =>
        textPage(m.receivedAt, `email:${m.envelope.rcptTo[0] ?? '?'}`, m.subject ?? '', keyPattern),
      ),
      ...twilio.messages.map((m) => textPage(m.at, `sms:${m.to}`, m.body, keyPattern)),
    ],
    count: () => webhook.received.length + smtp.messages.length + twilio.messages.length,
    close: async () => {
      await Promise.all([webhook.close(), smtp.close(), twilio.close()]);
    },
  };
}

interface WebhookBody {
  event?: unknown;
  alert?: { summary?: unknown };
}

/** Returns a webhook request as a page: its event names the kind, its alert's summary the key. */
export function webhookPage(at: number, path: string, body: unknown, keyPattern: RegExp): ReceivedPage {
  const b = (body ?? {}) as WebhookBody;
  const event = String(b.event);
  return {
    at,
    contact: `webhook:${path}`,
    kind: event === 'page' ? 'page' : event.startsWith('sla_') ? 'sla' : 'other',
    key: typeof b.alert?.summary === 'string' ? keyPattern.exec(b.alert.summary)?.[0] : undefined,
  };
}

/**
 * Returns an email (its subject) or an SMS as a page: an SLA page starts with its `[SLA …]` tag, a tier
 * page with the severity (`[CRITICAL] web: <key> …`).
 */
export function textPage(at: number, contact: string, text: string, keyPattern: RegExp): ReceivedPage {
  const kind = text.startsWith('[SLA ') ? 'sla' : /^\[[A-Z]+\] /.test(text) ? 'page' : 'other';
  return { at, contact, kind, key: keyPattern.exec(text)?.[0] };
}

/** Returns the pattern of the run's dedup keys, as planned: `<runId>-<digits>`. */
export function keyPatternOf(runId: string): RegExp {
  return new RegExp(`\\b${runId}-\\d+\\b`);
}
