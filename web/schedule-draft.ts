/**
 * The schedule editor's draft: what the form holds (text as typed, layers with a key of their own for the
 * list), how it is changed (participants moved, added, removed; layers and restrictions added and
 * removed), and how it becomes the POST/PUT /schedules body. No checks here beyond the shape: the API's
 * 400 names the field, and the editor shows it there.
 */
import type { components } from './api/schema.js';
import { localInputValue } from './zoned-time.js';

type Schedule = components['schemas']['Schedule'];
export type ScheduleBody = components['schemas']['ScheduleRequest'];
export type RotationType = ScheduleBody['layers'][number]['rotation']['type'];

export const ROTATION_TYPES: readonly RotationType[] = ['hourly', 'daily', 'weekly', 'custom'];

export interface RestrictionDraft {
  weekday: number;
  /** 'HH:mm' as a time input holds it. */
  start: string;
  end: string;
}

export interface LayerDraft {
  /** The list's key: stays with the layer while others are added and removed. */
  key: number;
  /** The stored layer's id, kept so an edit preserves the layer. */
  id?: string;
  name: string;
  type: RotationType;
  /** As typed in the number input. */
  length: string;
  /** A datetime-local value in the schedule's zone. */
  start: string;
  participants: string[];
  restrictions: RestrictionDraft[];
}

export interface ScheduleDraft {
  name: string;
  timeZone: string;
  handoffNotifications: boolean;
  layers: LayerDraft[];
}

let nextKey = 1;

/** Returns an empty layer whose first shift starts today at 09:00 in `zone`. */
export function newLayer(now: number, zone: string, name = 'layer'): LayerDraft {
  return {
    key: nextKey++,
    name,
    type: 'weekly',
    length: '1',
    start: `${localInputValue(now, zone).slice(0, 10)}T09:00`,
    participants: [],
    restrictions: [],
  };
}

/** Returns the draft a new schedule starts from: one layer, in `zone`. */
export function emptyDraft(now: number, zone: string): ScheduleDraft {
  return { name: '', timeZone: zone, handoffNotifications: false, layers: [newLayer(now, zone)] };
}

/** Returns the draft that edits a stored schedule. */
export function draftFromSchedule(s: Schedule): ScheduleDraft {
  return {
    name: s.name,
    timeZone: s.time_zone,
    handoffNotifications: s.handoff_notifications,
    layers: s.layers.map((l) => ({
      key: nextKey++,
      id: l.id,
      name: l.name,
      type: l.rotation.type,
      length: String(l.rotation.length),
      start: layerStartToInput(l.start),
      participants: [...l.participants],
      restrictions: l.restrictions.map((r) => ({
        weekday: r.weekday,
        start: r.start,
        end: restrictionEndToInput(r.end),
      })),
    })),
  };
}

/** Returns the request body the draft stands for (text passed on as typed, for the API to judge). */
export function draftToBody(d: ScheduleDraft): ScheduleBody {
  return {
    name: d.name.trim(),
    time_zone: d.timeZone.trim(),
    handoff_notifications: d.handoffNotifications,
    layers: d.layers.map((l) => ({
      ...(l.id ? { id: l.id } : {}),
      name: l.name.trim(),
      rotation: { type: l.type, length: lengthFromInput(l.length) },
      start: layerStartFromInput(l.start),
      participants: l.participants,
      restrictions: l.restrictions.map((r) => ({
        weekday: r.weekday,
        start: r.start,
        end: restrictionEndFromInput(r.end),
      })),
    })),
  };
}

/** Returns the number typed, or NaN (sent as null, which the API refuses naming the length) when not one. */
export function lengthFromInput(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/**
 * Returns the layer's start as the API takes it ('YYYY-MM-DDTHH:mm', local to the schedule's zone) from a
 * datetime-local value, which a browser may give with seconds; anything else goes as typed.
 */
export function layerStartFromInput(value: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2}(\.\d+)?)?$/.exec(value);
  return m ? m[1]! : value;
}

/** Returns the datetime-local value for a stored layer start (the same local wall clock, no zone). */
export function layerStartToInput(start: string): string {
  return layerStartFromInput(start);
}

/** Returns a time input's value for a restriction's end: '24:00' (end of the day) is midnight, '00:00'. */
export function restrictionEndToInput(end: string): string {
  return end === '24:00' ? '00:00' : end;
}

/**
 * Returns the restriction end the API takes: a time input cannot say 24:00, so midnight is sent as the
 * day's end ('24:00'), which the API reads the same as '00:00' (an end at or before the start runs past
 * midnight) but which states what is meant.
 */
export function restrictionEndFromInput(value: string): string {
  return value === '00:00' ? '24:00' : value;
}

/** Returns the list with the item at `index` moved by `by` places (clamped to the ends); the same list when it cannot move. */
export function moveItem<T>(list: readonly T[], index: number, by: number): T[] {
  const to = Math.max(0, Math.min(list.length - 1, index + by));
  if (index < 0 || index >= list.length || to === index) return [...list];
  const next = [...list];
  const [item] = next.splice(index, 1) as [T];
  next.splice(to, 0, item);
  return next;
}

/**
 * Returns where a moved participant's buttons are after moving `index` by `by` in a list of `length`, and
 * which of its buttons keeps the keyboard focus: the same direction, or the other once it reaches the end
 * (where that button is disabled).
 */
export function focusAfterMove(
  index: number,
  by: number,
  length: number,
): { index: number; button: 'up' | 'down' } {
  const to = Math.max(0, Math.min(length - 1, index + by));
  if (by < 0) return { index: to, button: to === 0 ? 'down' : 'up' };
  return { index: to, button: to === length - 1 ? 'up' : 'down' };
}

/** Returns the list without the item at `index`. */
export function removeItem<T>(list: readonly T[], index: number): T[] {
  return list.filter((_, i) => i !== index);
}

/** Returns the draft with layer `key` changed by `change`. */
export function updateLayer(
  d: ScheduleDraft,
  key: number,
  change: (l: LayerDraft) => LayerDraft,
): ScheduleDraft {
  return { ...d, layers: d.layers.map((l) => (l.key === key ? change(l) : l)) };
}

/** Returns the id of the control a request field is edited with ('body.layers.0.participants' → 'schedule-layers-0-participants'). */
export function controlIdFor(field: string): string {
  return `schedule-${field.replace(/^body\./, '').replace(/\./g, '-')}`;
}

const FIELD_WORDS: Record<string, string> = {
  name: 'name',
  time_zone: 'time zone',
  handoff_notifications: 'handoff notifications',
  layers: 'layers',
  rotation: 'rotation',
  type: 'type',
  length: 'length',
  start: 'start',
  end: 'end',
  participants: 'participants',
  restrictions: 'restrictions',
  weekday: 'weekday',
};

/**
 * Returns an API error's field in the form's words ('body.layers.0.participants' → 'Layer 1 participants';
 * 'body.layers.1.participants.0' → 'Layer 2 participant 1'), or null when the message names none.
 */
export function fieldLabel(field: string): string | null {
  const parts = field.split('.');
  if (parts[0] !== 'body' || parts.length < 2) return null;
  const words: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    const index = /^\d+$/.test(part) ? Number(part) + 1 : null;
    const next = parts[i + 1];
    if (part === 'layers' && next !== undefined && /^\d+$/.test(next)) {
      words.push(`Layer ${Number(next) + 1}`);
      i++;
    } else if (part === 'participants' && next !== undefined && /^\d+$/.test(next)) {
      words.push(`participant ${Number(next) + 1}`);
      i++;
    } else if (part === 'restrictions' && next !== undefined && /^\d+$/.test(next)) {
      words.push(`time window ${Number(next) + 1}`);
      i++;
    } else if (index !== null) words.push(String(index));
    else words.push(FIELD_WORDS[part] ?? part);
  }
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Returns the field an API error message names ("body.time_zone: not an IANA …" → 'body.time_zone' and the
 * rest), or null when it names none.
 */
export function errorField(message: string): { field: string; text: string } | null {
  const m = /^(body(?:\.[\w-]+)*): (.*)$/s.exec(message);
  return m ? { field: m[1]!, text: m[2]! } : null;
}
