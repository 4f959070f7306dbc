/** /schedules and /users/:id/on-call: request and response schemas and route definitions. */
import { IANAZone } from 'luxon';
import { parseLocalDateTime } from '../../domain/oncall/rotation';
import { ROTATION_TYPES } from '../../domain/oncall/types';
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse, idParams, instant, instantInput, locationHeader, nameField } from './common';

/** The widest range /shifts and the iCalendar feed answer: a quarter and a bit. */
export const MAX_SHIFT_RANGE_DAYS = 93;

/** Returns true when the rotation's parser takes the text as a local date and time. */
function isLocalDateTime(text: string): boolean {
  try {
    parseLocalDateTime(text, 'start');
    return true;
  } catch {
    return false;
  }
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 09:00');
const layerBody = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'Keep to preserve the layer across edits; generated when absent' }),
    name: nameField().default('layer'),
    rotation: z.strictObject({
      type: z.enum(ROTATION_TYPES),
      length: z
        .number()
        .int()
        .min(1)
        .max(365)
        .openapi({
          description:
            'hourly: N hours, daily: N days, weekly: N weeks (wall clock), custom: N hours elapsed',
        }),
    }),
    start: z
      .string()
      .regex(
        /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/,
        "a local date and time such as '2026-03-02T09:00'",
      )
      // The pattern lets '2026-02-30T09:00' through; the rotation's own parser is the rule, since a layer
      // stored with a start it refuses makes every read of the schedule (and every page to it) fail.
      .refine((start) => isLocalDateTime(start), 'no such date: a local date and time such as 2026-03-02T09:00')
      .openapi({
        description:
          "Local start of the first shift in the schedule's zone; its time of day is the handoff time",
        example: '2026-03-02T09:00',
      }),
    participants: z.array(z.uuid()).min(1).max(200).openapi({ description: 'User ids in rotation order' }),
    restrictions: z
      .array(
        z.strictObject({
          weekday: z
            .number()
            .int()
            .min(1)
            .max(7)
            .openapi({ description: 'ISO weekday: 1 = Monday … 7 = Sunday' }),
          start: hhmm,
          end: z
            .union([hhmm, z.literal('24:00')])
            .openapi({ description: 'At or before start: runs past midnight' }),
        }),
      )
      .max(50)
      .default([])
      .openapi({ description: 'Empty: all hours. Otherwise the layer covers only these local windows' }),
  })
  .openapi('LayerRequest');

export const scheduleBody = z
  .strictObject({
    name: nameField(),
    time_zone: z
      .string()
      .refine((tz) => IANAZone.isValidZone(tz), 'not an IANA time zone (e.g. America/New_York)')
      .openapi({ description: 'An IANA time zone', example: 'America/New_York' }),
    layers: z
      .array(layerBody)
      .max(20)
      .default([])
      .openapi({ description: 'Later layers win where they have someone on call' }),
    handoff_notifications: z
      .boolean()
      .default(false)
      .openapi({ description: 'Tell people when their shift starts' }),
  })
  .openapi('ScheduleRequest');

export const overrideBody = z
  .strictObject({
    kind: z.enum(['replace', 'add', 'remove']),
    start: instantInput(),
    end: instantInput(),
    user_id: z.uuid().optional().openapi({ description: 'replace/add: who goes on call' }),
    replaces: z
      .uuid()
      .optional()
      .openapi({ description: 'replace/remove: who comes off (replace without it replaces everyone)' }),
  })
  .superRefine((o, ctx) => {
    if (Date.parse(o.end) <= Date.parse(o.start))
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
    if (o.kind !== 'remove' && !o.user_id)
      ctx.addIssue({ code: 'custom', path: ['user_id'], message: `required for a ${o.kind} override` });
    if (o.kind === 'remove' && !o.replaces)
      ctx.addIssue({
        code: 'custom',
        path: ['replaces'],
        message: 'required for a remove override: who is off',
      });
    if (o.kind === 'add' && o.replaces)
      ctx.addIssue({ code: 'custom', path: ['replaces'], message: 'an add override replaces nobody' });
  })
  .openapi('OverrideRequest');
export const overrideParams = z.object({ id: z.uuid(), overrideId: z.uuid() });
export const atQuery = z.strictObject({
  at: instantInput().optional().openapi({ description: 'Default: now' }),
});
export const rangeQuery = z.strictObject({
  from: instantInput(),
  to: instantInput().openapi({ description: `After from, at most ${MAX_SHIFT_RANGE_DAYS} days later` }),
});
export const userOnCallQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(MAX_SHIFT_RANGE_DAYS).default(14),
});

const Layer = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    rotation: z.strictObject({ type: z.enum(ROTATION_TYPES), length: z.number().int() }),
    start: z.string(),
    participants: z.array(z.uuid()),
    restrictions: z.array(z.strictObject({ weekday: z.number().int(), start: z.string(), end: z.string() })),
  })
  .openapi('Layer');
export const Schedule = z
  .strictObject({
    id: z.uuid(),
    name: z.string(),
    time_zone: z.string(),
    layers: z.array(Layer),
    handoff_notifications: z.boolean(),
    created_at: instant,
    updated_at: instant,
  })
  .openapi('Schedule');
const Override = z
  .strictObject({
    id: z.uuid(),
    kind: z.enum(['replace', 'add', 'remove']),
    start: instant,
    end: instant,
    user_id: z.uuid().nullable(),
    replaces: z.uuid().nullable(),
  })
  .openapi('Override');

const tags = ['schedules'] as const;
const scheduleNotFound = errorResponse('No schedule with this id');
const duplicate = errorResponse('A schedule with this name exists (`duplicate`)');

export const scheduleRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/schedules',
    operationId: 'createSchedule',
    summary: 'Create an on-call schedule',
    tags,
    request: { body: scheduleBody },
    responses: { 201: { description: 'Created', body: Schedule, headers: locationHeader }, 409: duplicate },
  }),
  list: defineRoute({
    method: 'get',
    path: '/schedules',
    operationId: 'listSchedules',
    summary: 'List schedules',
    tags,
    responses: { 200: { description: 'Schedules', body: z.strictObject({ schedules: z.array(Schedule) }) } },
  }),
  ics: defineRoute({
    method: 'get',
    path: '/schedules/:id.ics',
    operationId: 'scheduleCalendar',
    summary: 'iCalendar feed of the shifts from a week ago to 93 days ahead',
    tags,
    request: { params: idParams },
    responses: {
      200: {
        description: 'The calendar',
        body: z.string().openapi({ description: 'RFC 5545 iCalendar' }),
        contentType: 'text/calendar',
      },
      404: scheduleNotFound,
    },
  }),
  get: defineRoute({
    method: 'get',
    path: '/schedules/:id',
    operationId: 'getSchedule',
    summary: 'A schedule',
    tags,
    request: { params: idParams },
    responses: { 200: { description: 'The schedule', body: Schedule }, 404: scheduleNotFound },
  }),
  update: defineRoute({
    method: 'put',
    path: '/schedules/:id',
    operationId: 'replaceSchedule',
    summary: 'Replace a schedule',
    tags,
    request: { params: idParams, body: scheduleBody },
    responses: {
      200: { description: 'The schedule as stored', body: Schedule },
      404: scheduleNotFound,
      409: duplicate,
    },
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/schedules/:id',
    operationId: 'deleteSchedule',
    summary: 'Delete a schedule',
    tags,
    request: { params: idParams },
    responses: { 204: { description: 'Deleted' }, 404: scheduleNotFound },
  }),
  addOverride: defineRoute({
    method: 'post',
    path: '/schedules/:id/overrides',
    operationId: 'addOverride',
    summary: 'Override who is on call for a time range',
    tags,
    request: { params: idParams, body: overrideBody },
    responses: { 201: { description: 'Added', body: Override }, 404: scheduleNotFound },
  }),
  listOverrides: defineRoute({
    method: 'get',
    path: '/schedules/:id/overrides',
    operationId: 'listOverrides',
    summary: "A schedule's overrides",
    tags,
    request: { params: idParams },
    responses: {
      200: { description: 'Overrides', body: z.strictObject({ overrides: z.array(Override) }) },
      404: scheduleNotFound,
    },
  }),
  deleteOverride: defineRoute({
    method: 'delete',
    path: '/schedules/:id/overrides/:overrideId',
    operationId: 'deleteOverride',
    summary: 'Remove an override',
    tags,
    request: { params: overrideParams },
    responses: { 204: { description: 'Removed' }, 404: errorResponse('No such override on this schedule') },
  }),
  onCall: defineRoute({
    method: 'get',
    path: '/schedules/:id/on-call',
    operationId: 'whoIsOnCall',
    summary: 'Who is on call at an instant',
    tags,
    request: { params: idParams, query: atQuery },
    responses: {
      200: {
        description: 'Everyone on call (several where layers or add overrides overlap)',
        body: z.strictObject({
          at: instant,
          on_call: z.array(
            z.strictObject({
              user_id: z.uuid(),
              layer_id: z.string().nullable(),
              override_id: z.uuid().nullable(),
            }),
          ),
        }),
      },
      404: scheduleNotFound,
    },
  }),
  shifts: defineRoute({
    method: 'get',
    path: '/schedules/:id/shifts',
    operationId: 'listShifts',
    summary: 'Shifts in a range, overrides applied',
    tags,
    request: { params: idParams, query: rangeQuery },
    responses: {
      200: {
        description: 'Shifts in order',
        body: z.strictObject({
          shifts: z.array(
            z.strictObject({
              user_id: z.uuid(),
              start: instant,
              end: instant,
              layer_id: z.string().nullable().openapi({ description: 'The source of the first part (see sources)' }),
              override_id: z.uuid().nullable(),
              sources: z
                .array(
                  z.strictObject({
                    layer_id: z.string().nullable(),
                    override_id: z.uuid().nullable(),
                    start: instant,
                    end: instant,
                  }),
                )
                .openapi({
                  description:
                    'What put the user on call, in order, and the part of the shift each covers: a shift runs on across layers and overrides while the same person carries the pager',
                }),
            }),
          ),
        }),
      },
      404: scheduleNotFound,
    },
  }),
  userOnCall: defineRoute({
    method: 'get',
    path: '/users/:id/on-call',
    operationId: 'userOnCall',
    summary: "A user's upcoming shifts across every schedule",
    tags: ['users', 'schedules'],
    request: { params: idParams, query: userOnCallQuery },
    responses: {
      200: {
        description: 'Shifts in order',
        body: z.strictObject({
          user_id: z.uuid(),
          shifts: z.array(
            z.strictObject({ schedule_id: z.uuid(), schedule: z.string(), start: instant, end: instant }),
          ),
        }),
      },
      404: errorResponse('No user with this id'),
    },
  }),
};
