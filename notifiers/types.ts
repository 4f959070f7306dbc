/** The ways Klaxon reaches a responder. */
export type { Channel } from '../domain/recipients';
import type { Channel } from '../domain/recipients';

/** What a page says. */
export interface PageMessage {
  alertId: string;
  kind: 'page' | 'sla_at_risk' | 'sla_breached';
  summary: string;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  service: string;
  source: string;
  /** ISO time the alert was triggered. */
  triggeredAt: string;
  /** 0-based escalation tier, for kind 'page'. */
  tier?: number;
  /** 0-based repeat loop. */
  loop?: number;
  /** For sla_* kinds. */
  slaKind?: 'tta' | 'ttr';
  /** ISO, for sla_* kinds. */
  deadline?: string;
  /** Where the responder acknowledges (API URL of the alert). */
  ackUrl: string;
  /** SMS pages to a user: the code a reply names ("ACK 4821"); same for every page of the alert to that phone. */
  replyCode?: string;
  /** Email pages to a user: one-click links bound to the alert, the action and the user; each asks to confirm, works once, expires. */
  respondLinks?: { acknowledge: string; resolve: string; snooze?: string; expiresAt: string };
  /** Voice pages to a user: where the call posts the key pressed, and its final status (both carry a signed token). */
  voiceCallbacks?: { gather: string; status: string };
  details?: Record<string, unknown>;
}

/** "You are now on call": sent to whoever comes on call at a schedule's handoff. */
export interface HandoffMessage {
  kind: 'handoff';
  scheduleId: string;
  scheduleName: string;
  userName: string;
  /** ISO: when the shift starts (the handoff). */
  start: string;
  /** ISO: the next handoff, if there is one within a year. */
  until: string | null;
  /** Where the shifts can be seen. */
  scheduleUrl: string;
}

/** "This is a test": sent on request to one contact method, so its owner knows a page would reach them. */
export interface TestMessage {
  kind: 'test';
  userName: string;
  /** Who asked for it: the signed-in person, or the API key. */
  requestedBy: string;
  /** Where the console is, to say where the test came from. */
  consoleUrl: string;
  /** Set when the test verifies the contact method: the code to type back. */
  verificationCode?: string;
}

/** Returns true for the messages about an alert (a page, an SLA mark), as opposed to notices about people. */
export function isAlertMessage(m: PageMessage | HandoffMessage | TestMessage): m is PageMessage {
  return m.kind !== 'handoff' && m.kind !== 'test';
}

export interface Delivery {
  channel: Channel;
  /** Email address, E.164 phone number, or webhook URL. */
  address: string;
  /** Business-id key; same key = same page. */
  idempotencyKey: string;
  message: PageMessage | HandoffMessage | TestMessage;
  /** Webhook HMAC key override. */
  secret?: string;
}

export interface SendResult {
  providerId?: string;
}

export interface Notifier {
  send(d: Delivery): Promise<SendResult>;
}

interface DeliveryErrorOptions {
  code?: string | number;
  cause?: unknown;
}

/** Retrying cannot help: a bad number, a rejected address, a 4xx, missing configuration. */
export class PermanentDeliveryError extends Error {
  readonly code?: string | number;
  constructor(message: string, opts: DeliveryErrorOptions = {}) {
    super(message, { cause: opts.cause });
    // Temporal and logs identify the failure by name; a subclass name survives serialization.
    this.name = 'PermanentDeliveryError';
    this.code = opts.code;
  }
}

/** The provider may accept it later: a 5xx, a timeout, a refused connection. Retry with backoff. */
export class TransientDeliveryError extends Error {
  readonly code?: string | number;
  constructor(message: string, opts: DeliveryErrorOptions = {}) {
    super(message, { cause: opts.cause });
    this.name = 'TransientDeliveryError';
    this.code = opts.code;
  }
}
