/**
 * Answering pages where they arrived: Twilio's inbound SMS webhook and the one-click links of email
 * pages. Authenticated by Twilio's signature and by the link's own HMAC, not by API keys.
 */
import { defineRoute } from '../route';
import { TWILIO_VOICE_PATH } from '../../domain/replies/voice';
import { z } from '../zod';

export const TWILIO_SMS_PATH = '/integrations/twilio/sms';
export { TWILIO_VOICE_PATH };

/** The fields of Twilio's inbound message webhook that Klaxon reads; Twilio sends many more. */
export const twilioSmsForm = z
  .looseObject({
    MessageSid: z.string().optional(),
    From: z.string().optional().openapi({ example: '+15551230001' }),
    To: z.string().optional(),
    Body: z.string().optional().openapi({ example: 'ACK 4821' }),
  })
  .openapi('TwilioInboundSms');

/** The fields of Twilio's voice callbacks (Gather action, status callback) that Klaxon reads. */
export const twilioVoiceForm = z
  .looseObject({
    CallSid: z.string().optional().openapi({ example: 'CA0123456789abcdef0123456789abcdef' }),
    Digits: z.string().optional().openapi({ description: 'Gather action: the key pressed (1 acknowledge, 2 escalate)', example: '1' }),
    CallStatus: z.string().optional().openapi({ description: 'Status callback: completed, no-answer, busy, failed, canceled', example: 'no-answer' }),
    AnsweredBy: z.string().optional().openapi({ description: 'Answering-machine detection: human, machine_start, machine_end_beep, fax, unknown', example: 'machine_start' }),
  })
  .openapi('TwilioVoiceCallback');

export const tokenParams = z.object({ token: z.string().min(1).max(2000) });

const twiml = (description: string) => ({ description, body: z.string(), contentType: 'text/xml' });
const html = (description: string) => ({ description, body: z.string(), contentType: 'text/html' });
const throttledPage = {
  ...html('Too many tampered links opened from this client address; retry after Retry-After'),
  headers: { 'Retry-After': 'Seconds to wait' },
};

export const replyRoutes = {
  sms: defineRoute({
    method: 'post',
    path: TWILIO_SMS_PATH,
    operationId: 'twilioInboundSms',
    summary: 'SMS reply to a page (Twilio inbound webhook): ACK, RES or ESC with the reply code',
    description:
      'Accepted only with a valid `X-Twilio-Signature` over `PUBLIC_URL` + this path. A repeated `MessageSid` gets the first answer and changes nothing.',
    tags: ['replies'],
    request: { body: twilioSmsForm, bodyType: 'application/x-www-form-urlencoded' },
    responses: {
      200: twiml('TwiML confirming what happened, or why nothing did (unknown code, number not paged, refused action)'),
      400: {
        description: 'MessageSid or From missing, or a field holding NUL or a lone surrogate (named: `body.Body: …`)',
        body: z.string(),
        contentType: 'text/plain',
      },
      403: { description: 'Missing or invalid signature, or SMS replies not configured', body: z.string(), contentType: 'text/plain' },
      429: {
        description: 'Too many invalid signatures from this client address; retry after Retry-After',
        body: z.string(),
        contentType: 'text/plain',
        headers: { 'Retry-After': 'Seconds to wait' },
      },
      413: { description: 'The form exceeds 64 KB', body: z.string(), contentType: 'text/plain' },
    },
  }),
  voiceGather: defineRoute({
    method: 'post',
    path: `${TWILIO_VOICE_PATH}/:token`,
    operationId: 'twilioVoiceGather',
    summary: 'Key pressed during a voice page (Twilio Gather action): 1 acknowledges, 2 escalates',
    description:
      'The token in the path is the one the call was placed with (it binds alert, user and page); the request must also carry a valid `X-Twilio-Signature` over `PUBLIC_URL` + this path. A repeated `CallSid` is told the first answer and changes nothing. Another key offers the options again.',
    tags: ['replies'],
    request: { params: tokenParams, body: twilioVoiceForm, bodyType: 'application/x-www-form-urlencoded' },
    responses: {
      200: twiml('TwiML saying what happened (acknowledged, escalated, refused and why), or the options again'),
      400: { description: 'CallSid missing, or a field holding NUL or a lone surrogate (named)', body: z.string(), contentType: 'text/plain' },
      403: { description: 'Missing or invalid signature or token, or voice answers not configured', body: z.string(), contentType: 'text/plain' },
      429: {
        description: 'Too many invalid signatures from this client address; retry after Retry-After',
        body: z.string(),
        contentType: 'text/plain',
        headers: { 'Retry-After': 'Seconds to wait' },
      },
      413: { description: 'The form exceeds 64 KB', body: z.string(), contentType: 'text/plain' },
    },
  }),
  voiceStatus: defineRoute({
    method: 'post',
    path: `${TWILIO_VOICE_PATH}/:token/status`,
    operationId: 'twilioVoiceStatus',
    summary: "A voice page's final call status (Twilio status callback): not answered or voicemail goes on the timeline",
    description:
      'Signed like the Gather action. `CallStatus` no-answer, busy, failed or canceled, or `AnsweredBy` machine_* or fax, writes "voice call to <user> not answered (<why>)" on the alert\'s timeline, once per `CallSid`; the page still counts as delivered, and escalation goes on as for any unacknowledged page.',
    tags: ['replies'],
    request: { params: tokenParams, body: twilioVoiceForm, bodyType: 'application/x-www-form-urlencoded' },
    responses: {
      204: { description: 'Recorded (or nothing to record: the call was answered by a person)' },
      400: { description: 'CallSid missing, or a field holding NUL or a lone surrogate (named)', body: z.string(), contentType: 'text/plain' },
      403: { description: 'Missing or invalid signature or token, or voice answers not configured', body: z.string(), contentType: 'text/plain' },
      429: {
        description: 'Too many invalid signatures from this client address; retry after Retry-After',
        body: z.string(),
        contentType: 'text/plain',
        headers: { 'Retry-After': 'Seconds to wait' },
      },
      413: { description: 'The form exceeds 64 KB', body: z.string(), contentType: 'text/plain' },
    },
  }),
  confirm: defineRoute({
    method: 'get',
    path: '/respond/:token',
    operationId: 'replyLinkConfirm',
    summary: 'Email page link: a confirmation page (opening it changes nothing)',
    tags: ['replies'],
    request: { params: tokenParams },
    responses: {
      200: html('The alert and a button whose POST acts'),
      400: html('A tampered or malformed link'),
      403: html('The user the link was sent to no longer exists'),
      404: html('The alert no longer exists'),
      409: html("The alert's state refuses the action"),
      410: html('The link expired or was used already'),
      429: throttledPage,
    },
  }),
  act: defineRoute({
    method: 'post',
    path: '/respond/:token',
    operationId: 'replyLinkAct',
    summary: 'Email page link: acknowledge or resolve as the paged user',
    tags: ['replies'],
    request: {
      params: tokenParams,
      body: z.object({ confirm: z.literal('yes').openapi({ description: 'Sent by the confirmation page’s button; without it nothing happens' }) }),
      bodyType: 'application/x-www-form-urlencoded',
      bodyDescription: 'The confirmation form: confirm=yes',
    },
    responses: {
      200: html('Done: what happened'),
      400: html('A tampered or malformed link, a form without confirm=yes (the page offers the button again), or a form field holding NUL or a lone surrogate (named)'),
      403: html('The user the link was sent to no longer exists'),
      404: html('The alert no longer exists'),
      409: html("The alert's state refuses the action (the link stays usable)"),
      410: html('The link expired or was used already'),
      429: throttledPage,
      413: { description: 'The form exceeds 4 KB', body: z.string(), contentType: 'text/plain' },
    },
  }),
};
