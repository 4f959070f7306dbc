/** Inbound SMS replies posted the way Twilio posts them: form-encoded, signed over the public URL. */
import twilio from 'twilio';
import { PUBLIC_URL } from './harness';
import type { World } from './world';

export const SMS_URL = `${PUBLIC_URL}/integrations/twilio/sms`;

export interface TwimlAnswer {
  status: number;
  contentType: string;
  raw: string;
  /** The text of the one <Message>, unescaped. */
  message: string;
}

let seq = 0;

/** Posts an inbound SMS; `sign: false` sends no signature, a string sends that one. */
export async function postInboundSms(
  w: Pick<World, 'twilio' | 'baseUrl'>,
  from: string,
  body: string,
  opts: { sid?: string; sign?: boolean | string; url?: string } = {},
): Promise<TwimlAnswer> {
  const sid = opts.sid ?? `SM${Date.now()}x${++seq}`;
  const params = {
    ToCountry: 'US',
    SmsMessageSid: sid,
    NumMedia: '0',
    MessageSid: sid,
    AccountSid: w.twilio.accountSid,
    From: from,
    To: '+15005550006',
    Body: body,
    NumSegments: '1',
    ApiVersion: '2010-04-01',
  };
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const sign = opts.sign ?? true;
  if (sign === true) headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(w.twilio.authToken, opts.url ?? SMS_URL, params);
  else if (typeof sign === 'string') headers['x-twilio-signature'] = sign;
  const res = await fetch(`${w.baseUrl}/integrations/twilio/sms`, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  const raw = await res.text();
  const inner = /<Message>([\s\S]*)<\/Message>/.exec(raw)?.[1] ?? '';
  const message = inner.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', raw, message };
}
