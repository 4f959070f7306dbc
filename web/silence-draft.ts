/**
 * The Silences page as plain data: the form's matcher rows, window and Repeats section and the POST
 * /silences body they stand for (text passed on for the API to judge, so its refusal names the field),
 * the service a "Silence similar" link pre-fills, how a silence reads in the list ("service =
 * payments", "every Sun at 02:00 for 2 h"), which silences are current and which ended lately, and an
 * API error's field in the form's words.
 */
import { MATCHER_FIELDS, MATCHER_OPS } from '../domain/silence.js';
import type { components } from './api/schema.js';
import { durationText } from './relative-time.js';
import { parseLocalInput } from './zoned-time.js';

export type Silence = components['schemas']['Silence'];
export type Matcher = components['schemas']['SilenceMatcher'];
export type SilenceBody = components['schemas']['CreateSilence'];
type Recurrence = NonNullable<Silence['recurrence']>;
export { MATCHER_FIELDS, MATCHER_OPS };

/** The operators as the form offers them: the API's symbol, and what it does in words. */
export const OP_LABELS: Readonly<Record<Matcher['op'], string>> = {
  '=': '= equals',
  '!=': '!= does not equal',
  '=~': '=~ matches the pattern',
  '!~': '!~ does not match the pattern',
};

export interface MatcherDraft {
  field: Matcher['field'];
  /** The label's name, for field `label` (kept while another field is chosen, in case it comes back). */
  label: string;
  op: Matcher['op'];
  value: string;
}

/** The presets a silence may last for, counted from its start; `until` reads the End field instead. */
export const DURATIONS = [
  { key: '1h', label: '1 hour', ms: 3_600_000 },
  { key: '4h', label: '4 hours', ms: 4 * 3_600_000 },
  { key: '1d', label: '1 day', ms: 86_400_000 },
] as const;
export type Lasts = (typeof DURATIONS)[number]['key'] | 'until';

/** The form's "Repeats" section, as typed: the API's recurrence once the text is read. */
export interface RepeatsDraft {
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  /** A time input's value, HH:MM, read in `timeZone`. */
  at: string;
  /** How long each occurrence lasts, in minutes, as typed. */
  minutes: string;
  timeZone: string;
}

export interface SilenceDraft {
  matchers: MatcherDraft[];
  /** A datetime-local value in the viewer's zone; '' starts it now. */
  start: string;
  lasts: Lasts;
  /**
   * A datetime-local value in the viewer's zone, read when `lasts` is 'until' or the silence repeats
   * (then no occurrence goes past it).
   */
  end: string;
  /** Off: a one-off silence, and `repeat` is kept unread in case it is turned back on. */
  repeats: boolean;
  repeat: RepeatsDraft;
  comment: string;
}

export const emptyMatcher = (): MatcherDraft => ({ field: 'service', label: '', op: '=', value: '' });

/**
 * The form as it opens: one `service =` row, its value from `?service=` (an alert's "Silence similar"),
 * one-off; should it repeat, its times are read in `zone` (the viewer's) unless another is typed.
 */
export function draftFromQuery(search: string, zone: string): SilenceDraft {
  const service = (new URLSearchParams(search).get('service') ?? '').trim();
  return {
    matchers: [{ ...emptyMatcher(), value: service }],
    start: '',
    lasts: '1h',
    end: '',
    repeats: false,
    repeat: { weekdays: [], at: '', minutes: '', timeZone: zone },
    comment: '',
  };
}

/** Returns the address of the form pre-filled for `service`, relative to the console. */
export const silenceSimilarPath = (service: string) =>
  `silences?${new URLSearchParams({ service }).toString()}`;

/** Returns the instant's ISO text for a datetime-local value, or the text itself when it names none. */
function instantText(value: string, zone: string): string {
  const ms = parseLocalInput(value, zone);
  return ms === null ? value : new Date(ms).toISOString();
}

/**
 * Returns the minutes typed as a number. Text that is not one becomes NaN, which JSON writes as null:
 * the API then refuses duration_minutes by name rather than the form guessing what was meant.
 */
const minutesOf = (text: string) => (text.trim() === '' ? Number.NaN : Number(text.trim()));

/** Returns the API's recurrence for the form's Repeats section; the days in order, each once. */
function recurrenceBody(r: RepeatsDraft): Recurrence {
  return {
    weekdays: [...new Set(r.weekdays)].sort((a, b) => a - b),
    start: r.at.trim(),
    duration_minutes: minutesOf(r.minutes),
    time_zone: r.timeZone.trim(),
  };
}

/**
 * Returns the request body the draft stands for. A preset duration counts from the start, or from `now`
 * when it starts now (the server then dates the start itself, a moment later: the silence is a moment
 * shorter, never longer). A repeating silence ignores the presets: its end is the End field, past
 * which no occurrence goes.
 */
export function silenceBody(d: SilenceDraft, now: number, zone: string): SilenceBody {
  const start = d.start.trim();
  const startMs = start ? parseLocalInput(start, zone) : null;
  const preset = d.repeats ? undefined : DURATIONS.find((p) => p.key === d.lasts);
  return {
    matchers: d.matchers.map((m) => ({
      field: m.field,
      ...(m.field === 'label' ? { label: m.label.trim() } : {}),
      op: m.op,
      value: m.value.trim(),
    })),
    ...(start ? { starts_at: instantText(start, zone) } : {}),
    ends_at: preset ? new Date((startMs ?? now) + preset.ms).toISOString() : instantText(d.end.trim(), zone),
    ...(d.repeats ? { recurrence: recurrenceBody(d.repeat) } : {}),
    reason: d.comment,
  };
}

/** Returns a matcher as it is written: `service = payments`, `env =~ prod|staging`, `host = ""`. */
export function matcherText(m: Matcher): string {
  const what = m.field === 'label' ? (m.label ?? 'label') : m.field;
  return `${what} ${m.op} ${m.value === '' ? '""' : m.value}`;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The days the Repeats section offers, Monday first as ISO counts them: its number and its name. */
export const WEEKDAY_NAMES = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
].map((name, i) => ({ day: i + 1, name }));

/** Returns a recurrence in words: "every Sat, Sun at 02:00 for 2 h (America/New_York)". */
export function recurrenceText(r: Recurrence): string {
  const days = [...r.weekdays].sort((a, b) => a - b).map((d) => WEEKDAYS[d - 1] ?? String(d));
  const every = days.length === 7 ? 'every day' : `every ${days.join(', ')}`;
  return `${every} at ${r.start} for ${durationText(r.duration_minutes * 60_000)} (${r.time_zone})`;
}

/** Returns a silence's creator or deleter as a person reads it: "rita" for `user:rita`, keys as they are. */
export const actorText = (actor: string) => actor.replace(/^user:/, '');

/** How far back the list shows silences that ended. */
export const RECENT_MS = 7 * 86_400_000;

/** When a silence stopped holding: when it was expired by hand, else its end. */
export const endedAt = (s: Silence) => Date.parse(s.deleted_at ?? s.ends_at);

/**
 * Returns the silences in force or to come (the active first, then by start) and those that ended
 * within RECENT_MS of `now`, the latest first.
 */
export function splitSilences(
  list: readonly Silence[],
  now: number,
): { current: Silence[]; ended: Silence[] } {
  const current = list
    .filter((s) => s.state === 'active' || s.state === 'pending')
    .sort(
      (a, b) =>
        Number(b.state === 'active') - Number(a.state === 'active') ||
        Date.parse(a.starts_at) - Date.parse(b.starts_at),
    );
  const ended = list
    .filter((s) => (s.state === 'expired' || s.state === 'deleted') && endedAt(s) >= now - RECENT_MS)
    .sort((a, b) => endedAt(b) - endedAt(a));
  return { current, ended };
}

const PARTS: Readonly<Record<string, string>> = {
  field: 'field',
  label: 'label',
  op: 'operator',
  value: 'value',
};

/** The recurrence's fields: what the form calls each, and the control that holds it. */
const REPEAT_FIELDS: Readonly<Record<string, { label: string; id: string }>> = {
  weekdays: { label: 'Repeats, days', id: 'silence-weekday-1' },
  start: { label: 'Repeats, start time', id: 'silence-repeat-at' },
  duration_minutes: { label: 'Repeats, each lasts', id: 'silence-repeat-minutes' },
  time_zone: { label: 'Repeats, time zone', id: 'silence-repeat-zone' },
};
const RECURRENCE = /^body\.recurrence(?:\.(\w+)(?:\.\d+)?)?$/;

/** Returns an API error's field in the form's words ("Matcher 2, value", "End"), or null for none of its fields. */
export function fieldLabel(field: string): string | null {
  const matcher = /^body\.matchers(?:\.(\d+)(?:\.(\w+))?)?$/.exec(field);
  if (matcher) {
    const [, index, part] = matcher;
    if (index === undefined) return 'Matchers';
    const row = `Matcher ${Number(index) + 1}`;
    return part ? `${row}, ${PARTS[part] ?? part}` : row;
  }
  if (field === 'body.starts_at') return 'Start';
  if (field === 'body.ends_at') return 'End';
  if (field === 'body.reason') return 'Comment';
  const recurrence = RECURRENCE.exec(field);
  if (recurrence) return REPEAT_FIELDS[recurrence[1] ?? '']?.label ?? 'Repeats';
  return null;
}

/**
 * Returns the id of the control to mark and focus for an API error's field: the matcher row's input, the
 * Add matcher button for the list as a whole, the window's fields (End only when the form shows it: a
 * preset's or a repeating silence's), the Repeats section's (its first day for the days; the End for
 * the recurrence as a whole, refused when no occurrence falls before it).
 */
export function controlIdFor(field: string, lasts: Lasts, repeats = false): string | null {
  const matcher = /^body\.matchers(?:\.(\d+)(?:\.(\w+))?)?$/.exec(field);
  if (matcher) {
    const [, index, part] = matcher;
    if (index === undefined) return 'silence-add-matcher';
    return `silence-matcher-${index}-${part && part in PARTS ? part : 'value'}`;
  }
  if (field === 'body.starts_at') return 'silence-start';
  if (field === 'body.ends_at') return lasts === 'until' || repeats ? 'silence-end' : 'silence-start';
  if (field === 'body.reason') return 'silence-comment';
  const recurrence = RECURRENCE.exec(field);
  if (recurrence) return REPEAT_FIELDS[recurrence[1] ?? '']?.id ?? 'silence-end';
  return null;
}
