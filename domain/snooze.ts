/**
 * Snooze: "not now, ask me again in N minutes". A snoozed alert is acknowledged (a person answered, so
 * time to acknowledge stops at the snooze) and goes back to `new` when the snooze ends, escalating from
 * its first tier as if just triggered; time to resolve runs throughout. Any other transition meanwhile
 * (acknowledge, investigate, resolve, unacknowledge) ends the snooze: the person has taken it from there.
 */
import type { AlertState } from './lifecycle';

export const MIN_SNOOZE_MINUTES = 1;
/** What an SMS reply without minutes asks for. */
export const DEFAULT_SNOOZE_MINUTES = 30;
/** A day: longer than that is not a snooze but a silence (or a resolve). */
export const MAX_SNOOZE_MINUTES = 24 * 60;

/** Returns why an alert in this state cannot be snoozed, or null when it can. */
export function snoozeRefusal(state: AlertState): string | null {
  if (state === 'new' || state === 'acknowledged') return null;
  return `cannot snooze an alert that is ${state}: only new and acknowledged alerts can be snoozed`;
}

/** Returns why the minutes are not a snooze, or null when they are. */
export function snoozeMinutesProblem(minutes: unknown): string | null {
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < MIN_SNOOZE_MINUTES || minutes > MAX_SNOOZE_MINUTES)
    return `minutes must be a whole number from ${MIN_SNOOZE_MINUTES} to ${MAX_SNOOZE_MINUTES}`;
  return null;
}

export const snoozeReason = (minutes: number, until: number) => `snoozed for ${minutes} min, until ${new Date(until).toISOString()}`;
export const snoozeEndedReason = (minutes: number) => `snooze of ${minutes} min ended: escalating again from the first tier`;
