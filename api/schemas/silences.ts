/** /silences: maintenance windows that hold matching alerts' pages. Request and response schemas, routes. */
import { SEVERITIES } from '../../domain/severity';
import { MATCHER_FIELDS, MATCHER_OPS, matcherProblem } from '../../domain/silence';
import { MAX_PATTERN_LENGTH } from '../../domain/bounded-regex';
import { isSingleLine, SINGLE_LINE_MESSAGE } from '../../domain/single-line';
import { MAX_OCCURRENCE_MINUTES, recurrenceProblem, type Recurrence } from '../../domain/silence-recurrence';
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse, idParams, instant, instantInput, locationHeader } from './common';

export const MAX_MATCHERS = 20;

const matcher = z
  .strictObject({
    field: z
      .enum(MATCHER_FIELDS)
      .openapi({ description: "What is compared: the alert's service, its severity, or one label" }),
    label: z.string().min(1).max(200).optional().openapi({ description: 'The label, for field `label`' }),
    op: z.enum(MATCHER_OPS).openapi({
      description:
        '`=` equal, `!=` not equal, `=~` matches the pattern, `!~` does not. Patterns match the whole value, in linear time (domain/bounded-regex.ts): literals, `.`, classes, `\\d \\w \\s`, groups, `|`, `* + ?`; nested quantifiers such as `(a+)+`, back-references, lookaround, anchors and `{n,m}` are refused.',
    }),
    value: z.string().max(MAX_PATTERN_LENGTH),
  })
  .superRefine((m, ctx) => {
    const problem = matcherProblem(m);
    if (!problem) return;
    // A label missing or out of place is the label's fault; a refused pattern is the value's.
    const labelWrong = m.field === 'label' ? !m.label : m.label !== undefined;
    ctx.addIssue({ code: 'custom', path: [labelWrong ? 'label' : 'value'], message: problem });
  })
  .openapi('SilenceMatcher', { example: { field: 'label', label: 'host', op: '=~', value: 'db-[0-9]+' } });

export const recurrenceSchema = z
  .strictObject({
    weekdays: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'each weekday once')
      .openapi({ description: 'ISO weekdays an occurrence starts on: 1 = Monday … 7 = Sunday' }),
    start: z.string().openapi({ description: 'Local start time, HH:MM', example: '02:00' }),
    duration_minutes: z.number().int().min(1).max(MAX_OCCURRENCE_MINUTES).openapi({
      description:
        'How long each occurrence lasts on the local wall clock (02:00 + 120 ends at local 04:00, DST or not)',
    }),
    time_zone: z.string().openapi({ description: 'An IANA time zone', example: 'America/New_York' }),
  })
  .superRefine((r, ctx) => {
    const problem = recurrenceProblem(recurrenceOf(r));
    if (problem)
      ctx.addIssue({
        code: 'custom',
        path: [problem.field === 'timeZone' ? 'time_zone' : problem.field],
        message: problem.message,
      });
  })
  .openapi('SilenceRecurrence', {
    example: { weekdays: [7], start: '02:00', duration_minutes: 120, time_zone: 'America/New_York' },
  });

/** Returns the domain's recurrence for the API's. */
export function recurrenceOf(r: {
  weekdays: number[];
  start: string;
  duration_minutes: number;
  time_zone: string;
}): Recurrence {
  return { weekdays: r.weekdays, start: r.start, durationMinutes: r.duration_minutes, timeZone: r.time_zone };
}

/** Returns the API's recurrence for the domain's. */
export const recurrenceJson = (r: Recurrence) => ({
  weekdays: r.weekdays,
  start: r.start,
  duration_minutes: r.durationMinutes,
  time_zone: r.timeZone,
});

export const silenceBody = z
  .strictObject({
    matchers: z
      .array(matcher)
      .min(1)
      .max(MAX_MATCHERS)
      .openapi({ description: 'Every one must hold for an alert to match' }),
    starts_at: instantInput().optional().openapi({ description: 'Default: now' }),
    ends_at: instantInput().openapi({
      description:
        'A one-off silence ends here (at most 31 days on); a recurring one has no occurrence past it (at most 366 days on)',
    }),
    recurrence: recurrenceSchema.optional().openapi({
      description: 'Recurring: holds during each occurrence between starts_at and ends_at, not in between',
    }),
    reason: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .refine(isSingleLine, SINGLE_LINE_MESSAGE)
      .openapi({ description: "Why: on each silenced alert's timeline" }),
  })
  .openapi('CreateSilence', {
    example: {
      matchers: [{ field: 'service', op: '=', value: 'db' }],
      ends_at: '2026-03-08T04:00:00-05:00',
      reason: 'database upgrade',
    },
  });

/** The window a body asks for, starts_at defaulting to `now`; refines ends_at. */
export const windowOf = (b: { starts_at?: string | undefined; ends_at: string }, now: number) => ({
  startsAt: b.starts_at === undefined ? now : Date.parse(b.starts_at),
  endsAt: Date.parse(b.ends_at),
});

const SilencedAlert = z
  .strictObject({
    id: z.uuid(),
    summary: z.string(),
    service: z.string(),
    severity: z.enum(SEVERITIES),
    state: z.string(),
    triggered_at: instant,
  })
  .openapi('SilencedAlert');

const silenceFields = {
  id: z.uuid(),
  matchers: z.array(matcher),
  starts_at: instant,
  ends_at: instant,
  recurrence: recurrenceSchema.nullable(),
  reason: z.string(),
  state: z
    .enum(['pending', 'active', 'expired', 'deleted'])
    .openapi({ description: 'pending: not begun; active: holding alerts; expired: ended; deleted' }),
  created_by: z.string(),
  created_at: instant,
  deleted_by: z.string().nullable(),
  deleted_at: instant.nullable(),
};
export const Silence = z.strictObject(silenceFields).openapi('Silence');
const CreatedSilence = z
  .strictObject({
    ...silenceFields,
    alerts: z.array(SilencedAlert).openapi({ description: 'The open alerts it matched and now holds' }),
  })
  .openapi('CreatedSilence');

const tags = ['silences'] as const;

export const silenceRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/silences',
    operationId: 'createSilence',
    summary: 'Silence matching alerts from starts_at to ends_at, the ones already open included',
    description:
      'A matching alert is still recorded, deduplicated and grouped, but pages nobody (no tier, no SLA page) while silenced; its timeline says `silenced`. When the silence ends and the alert is still new, escalation starts from tier 1 as if it had been triggered then. Open alerts matching now are silenced at once and listed in `alerts`.',
    tags,
    request: { body: silenceBody },
    responses: {
      201: { description: 'Created', body: CreatedSilence, headers: locationHeader },
      400: errorResponse(
        'A field is wrong (`invalid_request`, naming it): an unknown operator, a pattern refused, an empty or inverted window',
      ),
    },
  }),
  preview: defineRoute({
    method: 'post',
    path: '/silences/preview',
    operationId: 'previewSilence',
    summary: 'The open alerts this silence would match now; silences nothing',
    tags,
    request: { body: silenceBody },
    responses: {
      200: {
        description: 'The open alerts it matches',
        body: z.strictObject({ alerts: z.array(SilencedAlert) }),
      },
      400: errorResponse('A field is wrong (`invalid_request`, naming it)'),
    },
  }),
  list: defineRoute({
    method: 'get',
    path: '/silences',
    operationId: 'listSilences',
    summary:
      'Silences, newest first, deleted and expired ones included (who created and deleted each, and why)',
    tags,
    responses: { 200: { description: 'Silences', body: z.strictObject({ silences: z.array(Silence) }) } },
  }),
  get: defineRoute({
    method: 'get',
    path: '/silences/:id',
    operationId: 'getSilence',
    summary: 'A silence',
    tags,
    request: { params: idParams },
    responses: {
      200: { description: 'The silence', body: Silence },
      404: errorResponse('No silence with this id'),
    },
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/silences/:id',
    operationId: 'deleteSilence',
    summary: 'End a silence now: the alerts it holds that are still new escalate from tier 1',
    tags,
    request: { params: idParams },
    responses: {
      204: { description: 'Deleted (kept in the list as deleted)' },
      404: errorResponse('No silence with this id, or deleted already'),
    },
  }),
};
