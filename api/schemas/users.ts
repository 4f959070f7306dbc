/** /users and their contact methods: request and response schemas and route definitions. */
import { IANAZone } from 'luxon';
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse, idParams, instant, locationHeader, nameField, OUTBOUND_URL_DESCRIPTION } from './common';
import { loginField, newPassword, role } from './sessions';

const timeZone = z
  .string()
  .refine((tz) => IANAZone.isValidZone(tz), 'not an IANA time zone (e.g. Europe/London)')
  .openapi({ description: 'An IANA time zone', example: 'Europe/London' });

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number such as +14155550100');

export const contactMethodBody = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('email'), address: z.email() }),
    z.strictObject({ type: z.literal('sms'), address: e164 }),
    z.strictObject({ type: z.literal('voice'), address: e164.openapi({ description: 'Called, and answered on the keypad' }) }),
    z.strictObject({
      type: z.literal('webhook'),
      address: z.url({ protocol: /^https?$/ }).openapi({ description: OUTBOUND_URL_DESCRIPTION }),
      secret: z
        .string()
        .min(16, 'at least 16 characters')
        .max(256)
        .optional()
        .openapi({ description: 'HMAC secret for the signature header; write-only' }),
    }),
  ])
  .openapi('ContactMethodRequest', { example: { type: 'sms', address: '+14155550100' } });

export const createUserBody = z
  .strictObject({
    name: nameField(),
    time_zone: timeZone.default('UTC'),
    contact_methods: z.array(contactMethodBody).max(20).default([]),
    login: loginField().optional(),
    role: role.default('responder').openapi({ description: 'What the user may do when signed in to the console' }),
    password: newPassword().optional().openapi({ description: 'Lets the user sign in with their login; write-only' }),
  })
  .refine((u) => u.password === undefined || u.login !== undefined, {
    path: ['password'],
    message: 'a password needs a login to sign in with',
  })
  .openapi('CreateUser', {
    example: {
      name: 'Ada Lovelace',
      time_zone: 'Europe/London',
      contact_methods: [{ type: 'email', address: 'ada@example.com' }],
    },
  });
export const updateUserBody = z
  .strictObject({
    name: nameField().optional(),
    time_zone: timeZone.optional(),
    login: loginField().nullable().optional().openapi({ description: 'null: the user can no longer sign in with a password' }),
    role: role.optional(),
  })
  .openapi('UpdateUser');
export const setPasswordBody = z.strictObject({ password: newPassword() }).openapi('SetPassword');
export const methodParams = z.object({ id: z.uuid(), methodId: z.uuid() });

export const ContactMethod = z
  .strictObject({
    id: z.uuid(),
    type: z.enum(['email', 'sms', 'webhook', 'voice']),
    address: z.string(),
    has_secret: z.boolean().openapi({ description: 'Webhook secrets are write-only' }),
    verified_at: instant.nullable().openapi({ description: 'When a code sent to it was typed back; null: not verified' }),
  })
  .openapi('ContactMethod');
export const User = z
  .strictObject({
    id: z.uuid(),
    name: z.string(),
    time_zone: z.string(),
    login: z.string().nullable(),
    role,
    has_password: z.boolean().openapi({ description: 'Passwords are write-only' }),
    contact_methods: z.array(ContactMethod),
    created_at: instant,
  })
  .openapi('User');

export const TestPageOutcome = z
  .strictObject({
    status: z.enum(['sent', 'failed']),
    provider_id: z.string().nullable().openapi({ description: "The provider's id for the message (SMTP Message-ID, Twilio SID)" }),
    error: z.string().nullable().openapi({ description: 'Why it failed; never the receiver\'s answer body' }),
  })
  .openapi('TestPageOutcome');

const NOT_A_PERSON = errorResponse(
  'Invalid input, or the request carries an API key, which is not a person (`not_a_session`)',
);
const TEST_PAGE_DESCRIPTION =
  'The page goes out from a worker like any other, is retried a few times, and is recorded in the notification log. Repeating the request with the same Idempotency-Key sends nothing new.';
const testPageResponses = {
  200: { description: 'Sent, or failed for good (with why)', body: TestPageOutcome },
  202: {
    description: 'No worker answered in time: the test page is queued and goes out when one runs it',
    body: z.strictObject({ queued: z.literal(true), workflow_id: z.string(), message: z.string() }),
  },
};

const VERIFY_DESCRIPTION =
  'Sends a six-digit code (a text, a call that reads it out, or an email) that works for 15 minutes and 5 tries; typing it back (…/verify/confirm) marks the method verified. The code goes out from a worker like a test page; a repeated request with the same Idempotency-Key sends the same code again at most once. A new request replaces the code.';
const CONFIRM_REFUSED =
  'Not a six-digit code, or not the one sent: wrong, expired, tried too often, or none sent (`body.code`, with why)';
export const confirmBody = z
  .strictObject({ code: z.string().regex(/^\d{6}$/, 'the six digits of the code sent').openapi({ example: '042917' }) })
  .openapi('ConfirmContactMethod');

const tags = ['users'] as const;
const userNotFound = errorResponse('No user with this id');

export const userRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/users',
    operationId: 'createUser',
    summary: 'Create a user with their contact methods',
    tags,
    request: { body: createUserBody },
    responses: {
      201: { description: 'Created', body: User, headers: locationHeader },
      409: errorResponse('The same contact method is listed twice, or another user has this login (`duplicate`)'),
    },
  }),
  list: defineRoute({
    method: 'get',
    path: '/users',
    operationId: 'listUsers',
    summary: 'List users',
    tags,
    responses: { 200: { description: 'Users', body: z.strictObject({ users: z.array(User) }) } },
  }),
  get: defineRoute({
    method: 'get',
    path: '/users/:id',
    operationId: 'getUser',
    summary: 'A user',
    tags,
    request: { params: idParams },
    responses: { 200: { description: 'The user', body: User }, 404: userNotFound },
  }),
  update: defineRoute({
    method: 'patch',
    path: '/users/:id',
    operationId: 'updateUser',
    summary: "Change a user's name or time zone",
    tags,
    request: { params: idParams, body: updateUserBody },
    responses: {
      200: { description: 'The user', body: User },
      404: userNotFound,
      409: errorResponse('Another user already has this login (`duplicate`)'),
    },
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/users/:id',
    operationId: 'deleteUser',
    summary: 'Delete a user',
    tags,
    request: { params: idParams },
    responses: { 204: { description: 'Deleted' }, 404: userNotFound },
  }),
  setPassword: defineRoute({
    method: 'put',
    path: '/users/:id/password',
    operationId: 'setUserPassword',
    summary: "Set a user's console password; their sessions end",
    tags,
    request: { params: idParams, body: setPasswordBody },
    responses: {
      204: { description: 'Set' },
      404: userNotFound,
      409: errorResponse('The user has no login to sign in with (`no_login`)'),
    },
  }),
  addContactMethod: defineRoute({
    method: 'post',
    path: '/users/:id/contact-methods',
    operationId: 'addContactMethod',
    summary: 'Add a contact method',
    tags,
    request: { params: idParams, body: contactMethodBody },
    responses: {
      201: { description: 'Added', body: ContactMethod },
      404: userNotFound,
      409: errorResponse('The user already has this contact method (`duplicate`)'),
    },
  }),
  updateMe: defineRoute({
    method: 'patch',
    path: '/me',
    operationId: 'updateMe',
    summary: 'Change my name or time zone (signed in to the console)',
    tags,
    request: { body: z.strictObject({ name: nameField().optional(), time_zone: timeZone.optional() }).openapi('UpdateMe') },
    responses: { 200: { description: 'Me', body: User }, 400: NOT_A_PERSON },
  }),
  addMyContactMethod: defineRoute({
    method: 'post',
    path: '/me/contact-methods',
    operationId: 'addMyContactMethod',
    summary: 'Add a contact method of my own (signed in to the console)',
    tags,
    request: { body: contactMethodBody },
    responses: {
      201: { description: 'Added', body: ContactMethod },
      400: NOT_A_PERSON,
      409: errorResponse('I already have this contact method (`duplicate`)'),
    },
  }),
  deleteMyContactMethod: defineRoute({
    method: 'delete',
    path: '/me/contact-methods/:methodId',
    operationId: 'deleteMyContactMethod',
    summary: 'Remove a contact method of my own (signed in to the console)',
    tags,
    request: { params: z.object({ methodId: z.uuid() }) },
    responses: { 204: { description: 'Removed' }, 400: NOT_A_PERSON, 404: errorResponse('No such contact method of mine') },
  }),
  testContactMethod: defineRoute({
    method: 'post',
    path: '/users/:id/contact-methods/:methodId/test',
    operationId: 'sendTestPage',
    summary: "Send a test page to one of a user's contact methods and say how it went",
    description: TEST_PAGE_DESCRIPTION,
    tags,
    request: { params: methodParams },
    responses: { ...testPageResponses, 404: errorResponse('No such contact method for this user') },
  }),
  testMyContactMethod: defineRoute({
    method: 'post',
    path: '/me/contact-methods/:methodId/test',
    operationId: 'sendMyTestPage',
    summary: 'Send a test page to one of my own contact methods (signed in to the console)',
    description: TEST_PAGE_DESCRIPTION,
    tags,
    request: { params: z.object({ methodId: z.uuid() }) },
    responses: {
      ...testPageResponses,
      400: NOT_A_PERSON,
      404: errorResponse('No such contact method of mine'),
    },
  }),
  verifyContactMethod: defineRoute({
    method: 'post',
    path: '/users/:id/contact-methods/:methodId/verify',
    operationId: 'sendVerificationCode',
    summary: "Send a verification code to one of a user's contact methods (email, SMS or voice)",
    description: VERIFY_DESCRIPTION,
    tags,
    request: { params: methodParams },
    responses: {
      ...testPageResponses,
      400: errorResponse('A webhook, which cannot be verified by code (`params.methodId`)'),
      404: errorResponse('No such contact method for this user'),
    },
  }),
  verifyMyContactMethod: defineRoute({
    method: 'post',
    path: '/me/contact-methods/:methodId/verify',
    operationId: 'sendMyVerificationCode',
    summary: 'Send a verification code to one of my own contact methods (signed in to the console)',
    description: VERIFY_DESCRIPTION,
    tags,
    request: { params: z.object({ methodId: z.uuid() }) },
    responses: {
      ...testPageResponses,
      400: errorResponse('A webhook (`params.methodId`), or the request carries an API key (`not_a_session`)'),
      404: errorResponse('No such contact method of mine'),
    },
  }),
  confirmContactMethod: defineRoute({
    method: 'post',
    path: '/users/:id/contact-methods/:methodId/verify/confirm',
    operationId: 'confirmContactMethod',
    summary: "Type back the code sent to one of a user's contact methods: it is verified",
    tags,
    request: { params: methodParams, body: confirmBody },
    responses: {
      200: { description: 'Verified', body: ContactMethod },
      400: errorResponse(CONFIRM_REFUSED),
      404: errorResponse('No such contact method for this user'),
    },
  }),
  confirmMyContactMethod: defineRoute({
    method: 'post',
    path: '/me/contact-methods/:methodId/verify/confirm',
    operationId: 'confirmMyContactMethod',
    summary: 'Type back the code sent to one of my own contact methods: it is verified',
    tags,
    request: { params: z.object({ methodId: z.uuid() }), body: confirmBody },
    responses: {
      200: { description: 'Verified', body: ContactMethod },
      400: errorResponse(`${CONFIRM_REFUSED}, or the request carries an API key (\`not_a_session\`)`),
      404: errorResponse('No such contact method of mine'),
    },
  }),
  deleteContactMethod: defineRoute({
    method: 'delete',
    path: '/users/:id/contact-methods/:methodId',
    operationId: 'deleteContactMethod',
    summary: 'Remove a contact method',
    tags,
    request: { params: methodParams },
    responses: {
      204: { description: 'Removed' },
      404: errorResponse('No such contact method for this user'),
    },
  }),
};
