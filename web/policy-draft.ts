/**
 * An escalation policy while it is being edited: form text in, the PUT/POST body out. Numbers stay the
 * text typed until the body is made, so the API (not the form) says what is wrong with them.
 */
import type { components } from './api/schema.js';

export type Policy = components['schemas']['Policy'];
export type PolicyRequest = components['schemas']['PolicyRequest'];
type RequestTarget = PolicyRequest['tiers'][number]['targets'][number];

/** A target being edited; a webhook's stored secret is kept unless a new one is typed or it is dropped. */
export type DraftTarget =
  | { type: 'user'; id: string }
  | { type: 'schedule'; id: string }
  | { type: 'webhook'; url: string; hasSecret: boolean; newSecret: string; dropSecret: boolean };

export interface DraftTier {
  delay: string;
  targets: DraftTarget[];
}

export interface PolicyDraft {
  name: string;
  tiers: DraftTier[];
  repeat: string;
  repeatDelay: string;
  /** Empty: never. */
  ackTimeout: string;
  /** Empty: never. */
  autoResolve: string;
  isDefault: boolean;
}

const text = (n: number | null) => (n === null ? '' : String(n));

/** Returns the draft of a stored policy, or of a new one (one tier, no targets) when there is none. */
export function draftOf(policy: Policy | null): PolicyDraft {
  if (!policy) {
    return {
      name: '',
      tiers: [{ delay: '0', targets: [] }],
      repeat: '0',
      repeatDelay: '5',
      ackTimeout: '',
      autoResolve: '',
      isDefault: false,
    };
  }
  return {
    name: policy.name,
    tiers: policy.tiers.map((t) => ({
      delay: String(t.delay_minutes),
      targets: t.targets.map((x): DraftTarget =>
        x.type === 'webhook'
          ? { type: 'webhook', url: x.url, hasSecret: x.has_secret, newSecret: '', dropSecret: false }
          : x,
      ),
    })),
    repeat: String(policy.repeat),
    repeatDelay: String(policy.repeat_delay_minutes),
    ackTimeout: text(policy.ack_timeout_minutes),
    autoResolve: text(policy.auto_resolve_minutes),
    isDefault: policy.is_default,
  };
}

/** Returns the list with the item at `i` moved by `by` places (clamped to the ends). */
export function moved<T>(list: readonly T[], i: number, by: number): T[] {
  const to = Math.max(0, Math.min(list.length - 1, i + by));
  if (i < 0 || i >= list.length || to === i) return [...list];
  const out = [...list];
  const [item] = out.splice(i, 1);
  out.splice(to, 0, item!);
  return out;
}

/** Returns the list without the item at `i`. */
export const without = <T>(list: readonly T[], i: number): T[] => list.filter((_, j) => j !== i);

/** Returns the list with the item at `i` replaced by `change(item)`. */
export const changed = <T>(list: readonly T[], i: number, change: (item: T) => T): T[] =>
  list.map((item, j) => (j === i ? change(item) : item));

/** Returns the draft with a tier added at the end, as late as the last one (delays may not decrease). */
export function addTier(draft: PolicyDraft): PolicyDraft {
  const last = draft.tiers[draft.tiers.length - 1];
  return { ...draft, tiers: [...draft.tiers, { delay: last?.delay ?? '0', targets: [] }] };
}

export const removeTier = (draft: PolicyDraft, i: number): PolicyDraft => ({
  ...draft,
  tiers: without(draft.tiers, i),
});

/** Returns the draft with tier `i` moved by `by` places; the delays stay with their positions, so the order of times holds. */
export function moveTier(draft: PolicyDraft, i: number, by: number): PolicyDraft {
  const delays = draft.tiers.map((t) => t.delay);
  return { ...draft, tiers: moved(draft.tiers, i, by).map((t, j) => ({ ...t, delay: delays[j]! })) };
}

export const changeTier = (
  draft: PolicyDraft,
  i: number,
  change: (tier: DraftTier) => DraftTier,
): PolicyDraft => ({
  ...draft,
  tiers: changed(draft.tiers, i, change),
});

// Text that is not a number goes as null, which the API refuses naming the field; blank optional text is null.
const number = (s: string): number | null => {
  const n = s.trim() === '' ? NaN : Number(s);
  return Number.isFinite(n) ? n : null;
};
const optionalNumber = (s: string) => (s.trim() === '' ? null : number(s));

function targetBody(t: DraftTarget): RequestTarget {
  if (t.type !== 'webhook') return { type: t.type, id: t.id };
  const url = t.url.trim();
  if (t.newSecret !== '') return { type: 'webhook', url, secret: t.newSecret };
  return t.hasSecret && !t.dropSecret
    ? { type: 'webhook', url, keep_secret: true }
    : { type: 'webhook', url };
}

/** Returns the body PUT and POST /escalation-policies (and the dry-run's `policy`) take for the draft. */
export function policyBody(draft: PolicyDraft): PolicyRequest {
  return {
    name: draft.name,
    tiers: draft.tiers.map((t) => ({
      delay_minutes: number(t.delay) as number,
      targets: t.targets.map(targetBody),
    })),
    repeat: number(draft.repeat) as number,
    repeat_delay_minutes: number(draft.repeatDelay) as number,
    ack_timeout_minutes: optionalNumber(draft.ackTimeout),
    auto_resolve_minutes: optionalNumber(draft.autoResolve),
    is_default: draft.isDefault,
  };
}

const FIELD_NAMES: Record<string, string> = {
  name: 'Name',
  tiers: 'Tiers',
  delay_minutes: 'delay',
  targets: 'targets',
  repeat: 'Repeats',
  repeat_delay_minutes: 'Minutes between repeats',
  ack_timeout_minutes: 'Acknowledgement timeout',
  auto_resolve_minutes: 'Resolve after',
  is_default: 'Default policy',
  url: 'URL',
  id: 'who',
  secret: 'secret',
  keep_secret: 'secret',
};

/**
 * Returns what the form calls an API error's field ('body.tiers.1.delay_minutes' → 'Tier 2, delay';
 * 'body.policy.name' → 'Name'), or the field itself when the form has no name for it.
 */
export function fieldLabel(field: string): string {
  const parts = field.replace(/^body\.(policy\.)?/, '').split('.');
  if (parts[0] !== 'tiers' || parts.length === 1) return FIELD_NAMES[parts[0]!] ?? field;
  const tier = `Tier ${Number(parts[1]) + 1}`;
  if (parts[2] !== 'targets' || parts.length <= 3)
    return parts[2] ? `${tier}, ${FIELD_NAMES[parts[2]] ?? parts[2]}` : tier;
  const target = `${tier}, target ${Number(parts[3]) + 1}`;
  return parts[4] ? `${target}, ${FIELD_NAMES[parts[4]] ?? parts[4]}` : target;
}
