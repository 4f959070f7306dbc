/**
 * Escalation dry-run: the timeline an alert would follow under a policy if nobody acknowledges (or if
 * someone acknowledges once, N minutes in). It replays the alert workflow's four duties — escalation,
 * SLA marks, ack timeout, auto-resolve, and pages held back by users' notification rules — as a discrete-event simulation over the same pure rules the
 * workflow calls (fireTier, afterTierPaged, pendingMarks, responsibleTier, ackTimeoutDeadline, ...), and
 * resolves targets through a callback that answers like the resolveTargets activity. It has no timing
 * rule of its own; what it adds is only the order of events that fall on the same instant:
 *
 *   a tier firing, then a page held back by notification rules, then an SLA mark, then the acknowledge,
 *   then the ack timeout, then the auto-resolve.
 *
 * So an SLA mark pages a tier that fires at its very deadline, and a tier or mark due at the instant of
 * the acknowledge still goes out. (In the workflow, timers due at one instant race by a few ms.)
 */
import {
  ackTimeoutDeadline,
  ackTimeoutReason,
  afterTierPaged,
  autoResolveDeadline,
  autoResolveReason,
  fireTier,
  fireTime,
  responsibleTier,
  startEscalation,
  type EscalationCursor,
  type EscalationPolicy,
  type Target,
} from './escalation';
import { decideTransition, type AlertState } from './lifecycle';
import { splitTargets, type Recipient } from './recipients';
import { pendingMarks, slaDeadlines, slaMarkReason, slaPageOf, type SlaMark, type SlaTargets } from './sla';

export type SimEntryKind = 'page' | 'escalation_gap' | 'sla_mark' | 'acknowledged' | 'ack_timeout' | 'exhausted' | 'auto_resolved';

/** One thing that would happen. Pages mirror the notification log: kind, cycle, loop, tier, recipient, `at`. */
export interface SimEntry {
  at: number;
  kind: SimEntryKind;
  /** Bumped each time the alert returns to `new` (the ack timeout): escalation restarts from tier 1. */
  cycle: number;
  /** Escalation pages and their gaps: the loop and tier (0-based); null for SLA pages and other entries. */
  loop: number | null;
  tier: number | null;
  /** Pages: the notification kind the workflow would log ('page' for escalation, or an SLA page). */
  pageKind?: 'page' | 'sla_at_risk' | 'sla_breached';
  /** SLA marks and the pages they send. */
  mark?: SlaMark;
  recipient?: Recipient;
  note?: string;
}

export interface SimulationInput {
  policy: EscalationPolicy;
  /** When the alert is triggered (epoch ms). */
  start: number;
  sla: { targets: SlaTargets; atRiskFraction: number };
  /** Someone acknowledges this long after the start (once); null: nobody ever acknowledges. */
  acknowledgeAfterMs: number | null;
  /** Nothing later than start + horizonMs is simulated. */
  horizonMs: number;
  /**
   * Who user and schedule targets reach at `at` — the resolveTargets activity's answer. Webhook
   * targets never reach it: like the workflow, the simulator pages them directly, first.
   */
  resolve(targets: Target[], at: number): { recipients: Recipient[]; gaps: string[] };
  /** Stops (truncated) after this many entries; default 10 000. */
  maxEntries?: number;
}

export interface SimulationResult {
  entries: SimEntry[];
  /** start + horizonMs. */
  end: number;
  /** True when maxEntries cut the timeline short. */
  truncated: boolean;
}

/** Returns the timeline the alert workflow would follow, in time order. */
export function simulateEscalation(input: SimulationInput): SimulationResult {
  const { policy, start } = input;
  const end = start + input.horizonMs;
  const maxEntries = input.maxEntries ?? 10_000;
  const entries: SimEntry[] = [];

  // The workflow's runtime state, as far as the duties read it.
  let state: AlertState = 'new';
  let cycle = 0;
  let cursor: EscalationCursor | null = startEscalation(start);
  let lastFired: { loop: number; tier: number; at: number } | null = null;
  let respondedAt: number | null = null;
  let acknowledgedAt: number | null = null;
  const openedAt = start;
  const slaFired: SlaMark[] = [];
  const deadlines = slaDeadlines(start, input.sla.targets, input.sla.atRiskFraction);
  const ackAt = input.acknowledgeAfterMs === null ? null : start + input.acknowledgeAfterMs;
  let ackDone = false;
  // Pages a fired tier holds back by users' notification rules (the workflow's scheduledPages).
  let held: { at: number; cycle: number; loop: number | null; tier: number | null; recipient: Recipient }[] = [];

  /** The workflow's page(): webhooks first, then whom the lookup finds; gaps go on the timeline. Returns how many. */
  const page = (targets: Target[], at: number, base: Pick<SimEntry, 'loop' | 'tier' | 'pageKind' | 'mark'>): number => {
    const { direct, lookup } = splitTargets(targets);
    const { recipients, gaps } = lookup.length ? input.resolve(lookup, at) : { recipients: [], gaps: [] };
    for (const note of gaps) entries.push({ at, kind: 'escalation_gap', cycle, loop: base.loop, tier: base.tier, ...(base.mark ? { mark: base.mark } : {}), note });
    // Only a tier's pages wait for their rules' delays; an SLA mark's go to every method at once.
    const later = base.pageKind === 'page' ? recipients.filter((r) => (r.delayMinutes ?? 0) > 0) : [];
    const now = recipients.filter((r) => !later.includes(r)).map(({ delayMinutes: _d, ...r }) => r);
    for (const recipient of [...direct, ...now]) entries.push({ at, kind: 'page', cycle, ...base, recipient });
    for (const recipient of later) held.push({ at: at + recipient.delayMinutes! * 60_000, cycle, loop: base.loop, tier: base.tier, recipient });
    return direct.length + recipients.length;
  };

  let truncated = false;
  for (;;) {
    const never = Number.POSITIVE_INFINITY;
    const tierAt = state === 'new' && cursor ? fireTime(policy, cursor) : never;
    const mark: { mark: SlaMark; at: number } | undefined = pendingMarks(deadlines, { respondedAt, resolved: state === 'resolved', fired: slaFired })[0];
    const markAt: number = mark?.at ?? never;
    const heldPage = state === 'new' ? held.filter((h) => h.cycle === cycle).reduce<(typeof held)[number] | undefined>((a, h) => (a === undefined || h.at < a.at ? h : a), undefined) : undefined;
    const heldAt = heldPage?.at ?? never;
    const acknowledgeAt = ackAt !== null && !ackDone ? ackAt : never;
    const timeoutAt = state === 'acknowledged' && acknowledgedAt !== null ? (ackTimeoutDeadline(policy, acknowledgedAt) ?? never) : never;
    const resolveAt = state !== 'resolved' ? (autoResolveDeadline(policy, openedAt) ?? never) : never;
    const now = Math.min(tierAt, heldAt, markAt, acknowledgeAt, timeoutAt, resolveAt);
    if (now === never || now > end) break;
    if (entries.length >= maxEntries) {
      truncated = true;
      break;
    }

    if (tierAt === now && cursor) {
      // escalationLoop: the tier fires at its instant and pages; nobody reached → the next tier at once.
      const fired: EscalationCursor = cursor;
      const { at, next } = fireTier(policy, fired);
      lastFired = { loop: fired.loop, tier: fired.tier, at };
      cursor = next;
      const paged = page(policy.tiers[fired.tier]!.targets, at, { loop: fired.loop, tier: fired.tier, pageKind: 'page' });
      const after = afterTierPaged(policy, fired, cursor, paged, at);
      if (after.gap !== null) {
        entries.push({ at, kind: 'escalation_gap', cycle, loop: fired.loop, tier: fired.tier, note: after.gap });
        cursor = after.cursor;
      }
      if (!cursor) {
        entries.push({ at, kind: 'exhausted', cycle, loop: fired.loop, tier: fired.tier, note: 'every tier of every loop has fired: no more escalation pages this cycle' });
      }
    } else if (heldAt === now && heldPage) {
      // The scheduled_page duty: a page held back by its user's rules goes out while nobody has answered.
      held = held.filter((h) => h !== heldPage);
      const { loop, tier, recipient } = heldPage;
      const note = `${recipient.delayMinutes} min after tier ${tier! + 1} fired, by the user's notification rules`;
      entries.push({ at: heldPage.at, kind: 'page', cycle, loop, tier, pageKind: 'page', recipient, note });
    } else if (markAt === now && mark) {
      // slaLoop / fireSlaMark: record the mark, page the tier that fired last (or the first).
      slaFired.push(mark.mark);
      const tierIndex = responsibleTier(lastFired);
      const tier = policy.tiers[tierIndex];
      entries.push({ at: mark.at, kind: 'sla_mark', cycle, loop: null, tier: null, mark: mark.mark, note: `${slaMarkReason(mark.mark, mark.at)}: pages tier ${tierIndex + 1}` });
      if (tier) page(tier.targets, mark.at, { loop: null, tier: null, pageKind: slaPageOf(mark.mark).kind, mark: mark.mark });
    } else if (acknowledgeAt === now) {
      ackDone = true;
      const decision = decideTransition(state, 'acknowledge');
      if (decision.ok) {
        state = decision.to;
        held = [];
        respondedAt ??= now;
        acknowledgedAt = now;
        const timeout = ackTimeoutDeadline(policy, now);
        const note = timeout === null ? 'escalation stops (the policy has no ack timeout)' : `escalation stops; back to new at ${new Date(timeout).toISOString()} unless someone moves it on`;
        entries.push({ at: now, kind: 'acknowledged', cycle, loop: null, tier: null, note });
      } else {
        entries.push({ at: now, kind: 'acknowledged', cycle, loop: null, tier: null, note: `not acknowledged: ${decision.message}` });
      }
    } else if (timeoutAt === now) {
      // ackTimeoutLoop: the system unacknowledges; the return to `new` restarts escalation from tier 1.
      const decision = decideTransition(state, 'unacknowledge');
      if (!decision.ok) throw new Error(`simulator invariant: ${decision.message}`);
      state = decision.to;
      cycle += 1;
      cursor = startEscalation(now);
      entries.push({ at: now, kind: 'ack_timeout', cycle, loop: null, tier: null, note: ackTimeoutReason(policy.ackTimeoutMinutes!) });
    } else {
      // autoResolveLoop: resolved by the system; escalation and every SLA mark stop.
      state = 'resolved';
      entries.push({ at: now, kind: 'auto_resolved', cycle, loop: null, tier: null, note: autoResolveReason(policy.autoResolveMinutes!) });
    }
  }
  return { entries, end, truncated };
}
