/** /groups and /stats/noise: request and response schemas and route definitions. */
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse, idParams, instant } from './common';

export const listGroupsQuery = z.strictObject({
  open: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'Only open (true) or closed (false) groups' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const noiseQuery = z.strictObject({
  from: z.iso.date().optional().openapi({ description: 'First UTC day (default: six days before `to`)' }),
  to: z.iso
    .date()
    .optional()
    .openapi({ description: 'Last UTC day (default: today); at most 366 days after `from`' }),
});

const groupFields = {
  id: z.uuid(),
  service: z.string(),
  group_key: z.string(),
  leader_id: z.uuid().nullable().openapi({ description: 'The alert that paged for the group' }),
  alerts: z.number().int(),
  opened_at: instant,
  last_at: instant,
  closed_at: instant.nullable(),
  close_reason: z.enum(['resolved', 'quiet']).nullable(),
};
export const Group = z.strictObject(groupFields).openapi('Group');
export const GroupDetail = z
  .strictObject({ ...groupFields, alert_ids: z.array(z.uuid()) })
  .openapi('GroupDetail');

const counts = {
  raw_events: z.number().int(),
  alerts: z.number().int(),
  groups: z.number().int(),
  pages: z.number().int(),
  pages_nobody: z.number().int().openapi({
    description:
      'Alerts nobody is paged for: no escalation policy matched and there is no default (marked `pages_nobody` on their timeline)',
  }),
  noise_reduction: z
    .number()
    .nullable()
    .openapi({ description: '1 − pages / raw_events; null without events' }),
};
export const NoiseStats = z
  .strictObject({
    days: z.array(
      z.strictObject({ day: instant.openapi({ description: 'The UTC day, at midnight' }), ...counts }),
    ),
    total: z.strictObject(counts),
    integrations: z.array(
      z.strictObject({ integration_id: z.uuid(), name: z.string(), service: z.string(), ...counts }),
    ),
  })
  .openapi('NoiseStats');

const tags = ['groups'] as const;
const groupNotFound = errorResponse('No group with this id');

const groupAction = <A extends 'acknowledge' | 'resolve'>(action: A) =>
  defineRoute({
    method: 'post',
    path: `/groups/:id/${action}`,
    operationId: `${action}Group`,
    summary:
      action === 'acknowledge'
        ? 'Acknowledge the group: its escalation stops, its new alerts are acknowledged, alerts joining later stay quiet'
        : 'Resolve every open alert of the group',
    tags,
    request: { params: idParams },
    responses: {
      202: {
        description: 'The alerts were told to act (each through its own workflow)',
        body: z.strictObject({
          id: z.uuid(),
          action: z.literal(action),
          alerts: z.number().int().openapi({ description: 'How many alerts were told to act' }),
        }),
      },
      404: groupNotFound,
      409: errorResponse('Every alert of the group is resolved (`group_closed`)'),
    },
  });

export const groupRoutes = {
  list: defineRoute({
    method: 'get',
    path: '/groups',
    operationId: 'listGroups',
    summary: 'List alert groups, open ones first, newest first',
    tags,
    request: { query: listGroupsQuery },
    responses: { 200: { description: 'Groups', body: z.strictObject({ groups: z.array(Group) }) } },
  }),
  get: defineRoute({
    method: 'get',
    path: '/groups/:id',
    operationId: 'getGroup',
    summary: 'A group with the ids of its alerts',
    tags,
    request: { params: idParams },
    responses: { 200: { description: 'The group', body: GroupDetail }, 404: groupNotFound },
  }),
  acknowledge: groupAction('acknowledge'),
  resolve: groupAction('resolve'),
  noise: defineRoute({
    method: 'get',
    path: '/stats/noise',
    operationId: 'noiseStats',
    summary: 'Raw events, alerts, groups and pages per UTC day and per integration',
    tags: ['stats'],
    request: { query: noiseQuery },
    responses: { 200: { description: 'Noise statistics', body: NoiseStats } },
  }),
};
