/**
 * The on-call model: a schedule in one IANA time zone, ordered layers of rotations (a higher layer wins
 * where it has someone on call), and overrides for time ranges. All instants are epoch milliseconds;
 * wall-clock values are strings in the schedule's zone.
 */

export const ROTATION_TYPES = ['hourly', 'daily', 'weekly', 'custom'] as const;
export type RotationType = (typeof ROTATION_TYPES)[number];

export interface Rotation {
  type: RotationType;
  /**
   * Shift length multiplier: hourly → N hours, daily → N days, weekly → N weeks (days and weeks are
   * wall-clock: a 09:00 handoff stays at 09:00 local across DST), custom → N hours of elapsed time.
   */
  length: number;
}

/** A time-of-day window on one weekday, local time. `end` ≤ `start` runs past midnight into the next day. */
export interface Restriction {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** 'HH:mm' */
  start: string;
  /** 'HH:mm', or '24:00' for the end of the day. */
  end: string;
}

export interface Layer {
  id: string;
  name: string;
  rotation: Rotation;
  /** Local wall-clock start of the first shift, 'YYYY-MM-DDTHH:mm'; its time of day is the handoff time. */
  start: string;
  /** User ids in rotation order; shift k goes to participants[k mod n]. */
  participants: string[];
  /** Empty: the layer covers all hours. Otherwise it contributes nobody outside these windows. */
  restrictions: Restriction[];
}

export type OverrideKind = 'replace' | 'add' | 'remove';

export interface Override {
  id: string;
  kind: OverrideKind;
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  /** replace/add: who goes on call. */
  userId?: string;
  /** replace/remove: who comes off (replace without it replaces everyone on call). */
  replaces?: string;
  /** Tie-break for overrides starting at the same instant: creation order. */
  createdAt: number;
}

export interface Schedule {
  id: string;
  timeZone: string;
  /** Lowest first: a later layer wins where it has someone on call. */
  layers: Layer[];
  overrides: Override[];
}

/** Why a user is on call: the layer that put them there, or the override. */
export interface OnCallEntry {
  userId: string;
  layerId?: string;
  overrideId?: string;
}

/** What put someone on call for part of a shift: one layer or one override, and for when. */
export interface ShiftSource {
  layerId?: string;
  overrideId?: string;
  start: number;
  end: number;
}

export interface Shift {
  userId: string;
  start: number;
  end: number;
  /** The source of the shift's first piece (what `sources[0]` names). */
  layerId?: string;
  overrideId?: string;
  /** Every source in order, with the part of the shift each covers: they tile [start, end). */
  sources: ShiftSource[];
}
