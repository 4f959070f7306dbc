/** Who a page goes to: one address on one channel, and the escalation target it came from. */
import { targetKey, type Target } from './escalation';

export const CHANNELS = ['email', 'sms', 'webhook', 'voice'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Recipient {
  target: Target;
  targetKey: string;
  userId: string | null;
  channel: Channel;
  address: string;
  /** The webhook secret's id: the sending activity reads the secret from Postgres, so Temporal never holds it. */
  secretId?: string;
  /** The secret itself: only in runs from before secrets moved out of Temporal. */
  secret?: string;
  /** Set when the user was found through an on-call schedule: which one. */
  scheduleId?: string;
  /** Minutes after the tier fires that this page goes out, by its user's notification rules (absent: at once). */
  delayMinutes?: number;
}

/** Returns the recipient of a webhook target: its URL needs no lookup, so the workflow resolves it itself. */
export function webhookRecipient(target: Extract<Target, { type: 'webhook' }>): Recipient {
  return { target, targetKey: targetKey(target), userId: null, channel: 'webhook', address: target.url, secretId: target.secretId, secret: target.secret };
}

/** Splits a tier's targets: webhooks carry their address (paged first), users and schedules need a lookup. */
export function splitTargets(targets: readonly Target[]): { direct: Recipient[]; lookup: Target[] } {
  return {
    direct: targets.flatMap((t) => (t.type === 'webhook' ? [webhookRecipient(t)] : [])),
    lookup: targets.filter((t) => t.type !== 'webhook'),
  };
}
