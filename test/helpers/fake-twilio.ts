/** A local HTTP server answering the Twilio Messages and Calls APIs the way Twilio does, for the real twilio SDK. */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TwilioFailure {
  status: number;
  code: number;
  message: string;
}

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
  /** Destination number → the error Twilio answers for it. */
  failures?: Record<string, TwilioFailure>;
}

export interface FakeTwilioMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface FakeTwilioCall {
  sid: string;
  to: string;
  from: string;
  /** The TwiML the call was placed with (the Twiml parameter). */
  twiml: string;
  statusCallback?: string;
  machineDetection?: string;
  /** Ring timeout in seconds, as sent. */
  timeout?: string;
  at: number;
}

export interface FakeTwilio {
  url: string;
  accountSid: string;
  authToken: string;
  /** Messages accepted (answered 201). */
  messages: FakeTwilioMessage[];
  /** Calls accepted (answered 201). */
  calls: FakeTwilioCall[];
  /** Every request, accepted or not, with the status answered. */
  requests: { method: string; path: string; status: number; to?: string; authorized: boolean }[];
  received(): number;
  /** Makes sends to `to` fail with `failure` from now on. */
  fail(to: string, failure: TwilioFailure): void;
  close(): Promise<void>;
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const CALLS_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\.json$/;

/** Starts the fake on 127.0.0.1 with an ephemeral port; credentials default to a fixed test SID and token. */
export async function startFakeTwilio(opts: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const accountSid = opts.accountSid ?? `AC${'0'.repeat(30)}01`;
  const authToken = opts.authToken ?? 'test-auth-token';
  const failures = new Map(Object.entries(opts.failures ?? {}));
  const messages: FakeTwilioMessage[] = [];
  const calls: FakeTwilioCall[] = [];
  const requests: FakeTwilio['requests'] = [];
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;

  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const to = form.get('To') ?? undefined;
      const authorized = req.headers.authorization === expectedAuth;
      const answer = (status: number, body: unknown) => {
        requests.push({ method: req.method ?? '', path, status, to, authorized });
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      };
      const error = (f: TwilioFailure) =>
        answer(f.status, {
          code: f.code,
          message: f.message,
          more_info: `https://www.twilio.com/docs/errors/${f.code}`,
          status: f.status,
        });

      const callMatch = CALLS_PATH.exec(path);
      if (req.method === 'POST' && callMatch) {
        if (!authorized || callMatch[1] !== accountSid)
          return error({ status: 401, code: 20003, message: 'Authenticate' });
        const from = form.get('From');
        const twiml = form.get('Twiml');
        if (!to) return error({ status: 400, code: 21201, message: "A 'To' phone number is required." });
        if (!from) return error({ status: 400, code: 21213, message: "A 'From' phone number is required." });
        if (!twiml && !form.get('Url') && !form.get('ApplicationSid'))
          return error({
            status: 400,
            code: 21205,
            message: 'Either Url, Twiml or ApplicationSid is required.',
          });
        const failure = failures.get(to);
        if (failure) return error(failure);
        const sid = `CA${randomBytes(16).toString('hex')}`;
        calls.push({
          sid,
          to,
          from,
          twiml: twiml ?? '',
          statusCallback: form.get('StatusCallback') ?? undefined,
          machineDetection: form.get('MachineDetection') ?? undefined,
          timeout: form.get('Timeout') ?? undefined,
          at,
        });
        const now = new Date().toUTCString().replace('GMT', '+0000');
        return answer(201, {
          account_sid: accountSid,
          annotation: null,
          answered_by: null,
          api_version: '2010-04-01',
          caller_name: null,
          date_created: now,
          date_updated: now,
          direction: 'outbound-api',
          duration: null,
          end_time: null,
          forwarded_from: null,
          from,
          from_formatted: from,
          group_sid: null,
          parent_call_sid: null,
          phone_number_sid: null,
          price: null,
          price_unit: 'USD',
          sid,
          start_time: null,
          status: 'queued',
          subresource_uris: { recordings: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}/Recordings.json` },
          to,
          to_formatted: to,
          trunk_sid: null,
          uri: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}.json`,
          queue_time: '0',
        });
      }

      const match = MESSAGES_PATH.exec(path);
      if (req.method !== 'POST' || !match)
        return error({ status: 404, code: 20404, message: 'The requested resource was not found' });
      if (!authorized || match[1] !== accountSid)
        return error({ status: 401, code: 20003, message: 'Authenticate' });
      const from = form.get('From');
      const body = form.get('Body');
      if (!to) return error({ status: 400, code: 21604, message: "A 'To' phone number is required." });
      if (!from) return error({ status: 400, code: 21603, message: "A 'From' phone number is required." });
      if (!body) return error({ status: 400, code: 21602, message: 'Message body is required.' });
      const failure = failures.get(to);
      if (failure) return error(failure);

      const sid = `SM${randomBytes(16).toString('hex')}`;
      messages.push({ sid, to, from, body, at });
      const now = new Date().toUTCString().replace('GMT', '+0000');
      answer(201, {
        account_sid: accountSid,
        api_version: '2010-04-01',
        body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from,
        messaging_service_sid: null,
        num_media: '0',
        num_segments: String(Math.ceil(body.length / 153)),
        price: null,
        price_unit: 'USD',
        sid,
        status: 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
        to,
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    calls,
    requests,
    received: () => messages.length,
    fail: (to, failure) => void failures.set(to, failure),
    close: () =>
      new Promise<void>((resolve) => {
        // The SDK keeps connections alive; drop them so close() does not wait for their idle timeout.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
