/**
 * Rotation math: which shift of a layer contains an instant, and the shift starts inside a range. Shift k
 * starts at the layer start advanced by k × length units. Hourly and custom rotations advance in elapsed
 * time; daily and weekly ones advance in local calendar days at the handoff wall-clock time, so a 09:00
 * handoff stays at 09:00 local on both sides of a DST change (the day in between is 23 or 25 hours).
 */
import type { Layer } from './types';
import { DAY, HOUR, wallAt, wallToInstant, zoneFor, type Zone } from './zone';

/** A layer's rotation reduced to numbers; built per call (cheap) so edited layers are never stale. */
export interface RotationPlan {
  zone: Zone;
  participants: readonly string[];
  /** Wall-clock start of shift 0 as UTC-style ms: start day × DAY + handoff time of day. */
  startWall: number;
  /** Instant shift 0 starts (after the DST rule). */
  startInstant: number;
  /** Calendar days per shift for daily/weekly; 0 for elapsed-time rotations. */
  stepDays: number;
  /** Elapsed ms per shift for hourly/custom; 0 for calendar rotations. */
  stepMs: number;
}

const LOCAL_START = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** Returns the wall-clock ms of a 'YYYY-MM-DDTHH:mm' string; throws RangeError for anything else. */
export function parseLocalDateTime(text: string, what: string): number {
  const m = LOCAL_START.exec(text);
  const [y, mo, d, h, mi] = m ? m.slice(1).map(Number) : [];
  if (
    y === undefined ||
    mo === undefined ||
    d === undefined ||
    h === undefined ||
    mi === undefined ||
    h > 23 ||
    mi > 59
  ) {
    throw new RangeError(`${what}: expected a local 'YYYY-MM-DDTHH:mm', got '${text}'`);
  }
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  // Date.UTC rolls 2026-02-30 over into March; a round trip catches impossible dates.
  const back = new Date(wall);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new RangeError(`${what}: no such date '${text}'`);
  }
  return wall;
}

/** Returns the layer's rotation as numbers; throws RangeError for a bad zone, start or length. */
export function planRotation(layer: Layer, timeZone: string): RotationPlan {
  const zone = zoneFor(timeZone);
  const { type, length } = layer.rotation;
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`layer ${layer.id}: rotation length must be a positive integer, got ${length}`);
  }
  const startWall = parseLocalDateTime(layer.start, `layer ${layer.id} start`);
  const calendar = type === 'daily' || type === 'weekly';
  return {
    zone,
    participants: layer.participants,
    startWall,
    startInstant: wallToInstant(zone, startWall),
    stepDays: type === 'daily' ? length : type === 'weekly' ? 7 * length : 0,
    stepMs: calendar ? 0 : length * HOUR,
  };
}

/** Returns the instant shift k (k ≥ 0) starts. */
export function shiftStart(plan: RotationPlan, k: number): number {
  if (plan.stepMs > 0) return plan.startInstant + k * plan.stepMs;
  // The start string's time of day is the handoff time on every day, even when shift 0 itself fell in a
  // gap and so began later: each handoff is resolved from its own wall-clock time.
  return k === 0 ? plan.startInstant : wallToInstant(plan.zone, plan.startWall + k * plan.stepDays * DAY);
}

/** Returns the index of the shift containing the instant, or -1 before the first shift. */
export function shiftIndexAt(plan: RotationPlan, instant: number): number {
  if (instant < plan.startInstant) return -1;
  if (plan.stepMs > 0) return Math.floor((instant - plan.startInstant) / plan.stepMs);
  // Estimate from the wall clock, then correct: near a DST change or a gap-shifted handoff the estimate
  // can be one shift off either way, never more (a shift is at least a day; offsets move under a day).
  const elapsedDays = Math.floor((wallAt(plan.zone, instant) - plan.startWall) / DAY);
  let k = Math.max(0, Math.floor(elapsedDays / plan.stepDays));
  while (k > 0 && shiftStart(plan, k) > instant) k--;
  while (shiftStart(plan, k + 1) <= instant) k++;
  return k;
}

/** Returns the rotation shift (ignoring restrictions) containing the instant; null before the layer's start or with no participants. */
export function layerShiftAt(
  layer: Layer,
  timeZone: string,
  instant: number,
): { userId: string; start: number; end: number; index: number } | null {
  const plan = planRotation(layer, timeZone);
  const n = plan.participants.length;
  if (n === 0) return null;
  const k = shiftIndexAt(plan, instant);
  if (k < 0) return null;
  return {
    userId: plan.participants[k % n]!,
    start: shiftStart(plan, k),
    end: shiftStart(plan, k + 1),
    index: k,
  };
}

/** Returns the instants in [from, to) at which a shift of the layer starts (including shift 0). */
export function shiftStartsBetween(plan: RotationPlan, from: number, to: number): number[] {
  const out: number[] = [];
  if (plan.participants.length === 0) return out;
  let k = Math.max(0, shiftIndexAt(plan, from));
  for (let s = shiftStart(plan, k); s < to; s = shiftStart(plan, ++k)) if (s >= from) out.push(s);
  return out;
}
