/**
 * Flap damping: a check that clears and fires again and again (a disk hovering at its threshold) would
 * page on every return. Once an alert has been re-triggered `reopens` times within `windowMs`, a further
 * re-trigger holds its escalation for `holdMs`: if the alert clears again within the hold, nobody is
 * paged; if it is still firing when the hold ends, it pages as usual, because a flapping check that
 * settles into firing is a real problem. Pure.
 */

export interface FlapRule {
  /** Re-triggers within the window (this one included) from which the alert counts as flapping. */
  reopens: number;
  windowMs: number;
  /** How long a flapping alert must stay firing before it pages again. */
  holdMs: number;
}

const MINUTE = 60_000;

export const DEFAULT_FLAP_RULE: Readonly<FlapRule> = { reopens: 3, windowMs: 60 * MINUTE, holdMs: 15 * MINUTE };

/** Returns the re-trigger times still inside the rule's window at `now` (bounded history to carry). */
export function recentReopens(reopens: readonly number[], now: number, rule: FlapRule = DEFAULT_FLAP_RULE): number[] {
  return reopens.filter((t) => t > now - rule.windowMs && t <= now);
}

/**
 * Returns how long to hold escalation after a re-trigger at `now`, given the earlier re-trigger times:
 * 0 when the alert is not flapping.
 */
export function flapHoldMs(earlierReopens: readonly number[], now: number, rule: FlapRule = DEFAULT_FLAP_RULE): number {
  return recentReopens(earlierReopens, now, rule).length + 1 >= rule.reopens ? rule.holdMs : 0;
}
