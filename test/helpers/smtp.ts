/** A real SMTP server (smtp-server) in process, recording what arrives parsed by mailparser. */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpServerOptions {
  /** Recipients answered with 550 (permanent rejection) at RCPT TO. */
  rejectRecipients?: RegExp;
  /** Recipients answered with 451 (try again later) at RCPT TO. */
  tempFailRecipients?: RegExp;
  /** Holds back the greeting and the answers to MAIL FROM, RCPT TO and DATA this long each (a slow server). */
  stepDelayMs?: number;
}

export type ReceivedMail = ParsedMail & {
  envelope: { mailFrom: string | undefined; rcptTo: string[] };
  /** Date.now() when DATA began: the moment the message reached the server. */
  receivedAt: number;
};

export interface TestSmtpServer {
  url: string;
  port: number;
  /** Messages accepted after DATA, in arrival order. */
  messages: ReceivedMail[];
  /** Recipients refused at RCPT TO, with the code answered. */
  rejected: { address: string; responseCode: number }[];
  received(): number;
  /** Connections opened to the server so far (each attempt to send opens one). */
  connections(): number;
  /** Stops listening: connections are refused, as from a mail server that is down. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** Starts an SMTP server on 127.0.0.1 with an ephemeral port; no TLS, authentication optional. */
export async function startSmtpServer(opts: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const rejected: { address: string; responseCode: number }[] = [];
  let connections = 0;
  const later = (callback: () => void) => (opts.stepDelayMs ? setTimeout(callback, opts.stepDelayMs) : callback());
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    // No STARTTLS offer: nodemailer would otherwise upgrade and need a certificate it trusts.
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1_000,
    onConnect(_session, callback) {
      connections += 1;
      later(() => callback());
    },
    onMailFrom(_address, _session, callback) {
      later(() => callback());
    },
    onRcptTo(address, _session, callback) {
      if (opts.rejectRecipients?.test(address.address)) {
        rejected.push({ address: address.address, responseCode: 550 });
        return callback(smtpError('5.1.1 Recipient address rejected: user unknown', 550));
      }
      if (opts.tempFailRecipients?.test(address.address)) {
        rejected.push({ address: address.address, responseCode: 451 });
        return callback(smtpError('4.3.0 Temporary failure, try again later', 451));
      }
      later(() => callback());
    },
    onData(stream, session, callback) {
      const receivedAt = Date.now();
      // The reply to DATA waits for the parse, so a resolved sendMail means the message is in `messages`.
      simpleParser(stream).then(
        (parsed) => {
          const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined;
          messages.push(
            Object.assign(parsed, {
              envelope: { mailFrom, rcptTo: session.envelope.rcptTo.map((r) => r.address) },
              receivedAt,
            }),
          );
          later(() => callback());
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    rejected,
    received: () => messages.length,
    connections: () => connections,
    // The listening socket only: SMTPServer.close() would also end the server for good.
    down: () => new Promise<void>((resolve, reject) => server.server.close((err) => (err ? reject(err) : resolve()))),
    up: () => new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
