/** Personal notification rules (GET/PUT …/notification-rules): schemas and route definitions. */
import { MAX_RULE_DELAY_MINUTES, MAX_RULES } from '../../domain/notification-rules';
import { CHANNELS } from '../../domain/recipients';
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse, idParams } from './common';

const delayMinutes = z
  .number()
  .int()
  .min(0)
  .max(MAX_RULE_DELAY_MINUTES)
  .openapi({
    description: `Minutes after the tier fires that this method is paged (0: at once; at most ${MAX_RULE_DELAY_MINUTES})`,
    example: 2,
  });

export const NotificationRuleInput = z
  .strictObject({ contact_method_id: z.uuid(), delay_minutes: delayMinutes })
  .openapi('NotificationRuleInput');

export const notificationRulesBody = z
  .strictObject({
    rules: z.array(NotificationRuleInput).max(MAX_RULES).openapi({
      description:
        'In order; each names one of the user’s own contact methods, at most once. Empty: every method at once.',
    }),
  })
  .openapi('SetNotificationRules');

export const NotificationRule = z
  .strictObject({
    contact_method_id: z.uuid(),
    type: z.enum(CHANNELS),
    address: z.string(),
    delay_minutes: z.number().int(),
  })
  .openapi('NotificationRule');

export const NotificationRules = z
  .strictObject({
    rules: z.array(NotificationRule).openapi({
      description: 'In order. Empty: the user has no rules and is paged on every contact method at once.',
    }),
  })
  .openapi('NotificationRules');

const DESCRIPTION =
  'A page to the user follows these rules until the alert is acknowledged: each contact method at its delay after the tier fires (a tier reads them once, when it fires). Methods without a rule are not paged while the user has rules; with none, every method is paged at once. SLA-mark pages go to every method the rules name at once.';
const REFUSED =
  'A rule names a contact method that is not the user’s, names one twice, or has a delay below 0 or above 1440 (the field is named)';
const NOT_A_PERSON = errorResponse('The request carries an API key, not a console session (`not_a_session`)');
const tags = ['users'] as const;

export const notificationRuleRoutes = {
  get: defineRoute({
    method: 'get',
    path: '/users/:id/notification-rules',
    operationId: 'getNotificationRules',
    summary: "A user's notification rules",
    description: DESCRIPTION,
    tags,
    request: { params: idParams },
    responses: {
      200: { description: 'The rules', body: NotificationRules },
      404: errorResponse('No user with this id'),
    },
  }),
  set: defineRoute({
    method: 'put',
    path: '/users/:id/notification-rules',
    operationId: 'setNotificationRules',
    summary: "Replace a user's notification rules",
    description: DESCRIPTION,
    tags,
    request: { params: idParams, body: notificationRulesBody },
    responses: {
      200: { description: 'The rules as saved', body: NotificationRules },
      400: errorResponse(REFUSED),
      404: errorResponse('No user with this id'),
    },
  }),
  getMine: defineRoute({
    method: 'get',
    path: '/me/notification-rules',
    operationId: 'getMyNotificationRules',
    summary: 'My notification rules (signed in to the console)',
    description: DESCRIPTION,
    tags,
    responses: { 200: { description: 'The rules', body: NotificationRules }, 400: NOT_A_PERSON },
  }),
  setMine: defineRoute({
    method: 'put',
    path: '/me/notification-rules',
    operationId: 'setMyNotificationRules',
    summary: 'Replace my notification rules (signed in to the console)',
    description: DESCRIPTION,
    tags,
    request: { body: notificationRulesBody },
    responses: {
      200: { description: 'The rules as saved', body: NotificationRules },
      400: errorResponse(`${REFUSED}, or the request carries an API key (\`not_a_session\`)`),
    },
  }),
};
