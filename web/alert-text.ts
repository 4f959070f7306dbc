/** What the alert page says for timeline entries, pages sent and SLA marks: plain sentences, no markup. */

const DID: Readonly<Record<string, string>> = {
  trigger: 'triggered the alert',
  acknowledge: 'acknowledged',
  investigate: 'started investigating',
  resolve: 'resolved',
  unacknowledge: 'unacknowledged',
  reopen: 'reopened',
  escalate: 'escalated now',
  snooze: 'snoozed',
  note: 'added a note',
  pages_nobody: 'found nobody to page',
  escalation_gap: 'could not page a tier',
  sla_tta_at_risk: 'marked the acknowledge SLA at risk',
  sla_tta_breached: 'marked the acknowledge SLA breached',
  sla_ttr_at_risk: 'marked the resolve SLA at risk',
  sla_ttr_breached: 'marked the resolve SLA breached',
};

/** Returns who did what in one timeline entry: "rita acknowledged (new → acknowledged)". */
export function timelineHeadline(entry: {
  action: string;
  actor: string;
  from: string | null;
  to: string | null;
}): string {
  const did = DID[entry.action] ?? entry.action.replace(/_/g, ' ');
  const moved = entry.from && entry.to && entry.from !== entry.to ? ` (${entry.from} → ${entry.to})` : '';
  return `${entry.actor} ${did}${moved}`;
}

/** Returns a page's outcome as a word a responder reads at a glance. */
export function pageOutcome(status: 'sending' | 'sent' | 'failed' | 'cancelled'): string {
  return { sending: 'sending', sent: 'sent', failed: 'failed', cancelled: 'cancelled' }[status];
}

/** Returns which tier a page was for: "tier 2, loop 1" (counted from 1), or what else sent it. */
export function pageSource(page: { kind: string; tier: number | null; loop: number | null }): string {
  if (page.kind === 'sla_at_risk') return 'SLA at risk';
  if (page.kind === 'sla_breached') return 'SLA breached';
  if (page.tier === null) return page.kind.replace(/_/g, ' ');
  return `tier ${page.tier + 1}${page.loop === null ? '' : `, loop ${page.loop + 1}`}`;
}

export type SlaStanding = 'met' | 'breached' | 'at_risk' | 'ok';

/** Returns an SLA standing as words: "met", "breached", "at risk", "on track". */
export function slaStandingText(standing: SlaStanding): string {
  return { met: 'met', breached: 'breached', at_risk: 'at risk', ok: 'on track' }[standing];
}

/**
 * Returns the standing of an SLA once the alert's workflow has ended (no live view to ask): met or
 * breached by how long it took against the target, or breached when it never happened.
 */
export function settledSla(tookMs: number | null, targetMs: number | null): SlaStanding | null {
  if (targetMs === null) return null;
  if (tookMs === null) return 'breached';
  return tookMs <= targetMs ? 'met' : 'breached';
}
