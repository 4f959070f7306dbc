/** Structured JSON logs (pino): one line per event, machine-readable, cheap on the hot path. */
import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Fields that hold secrets wherever they appear (top level or one level down, e.g. `config.SMTP_URL`):
 * API keys, routing keys, passwords, tokens, signing secrets, and the URLs that embed passwords.
 */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'apiKey',
  'api_key',
  'key',
  'routingKey',
  'routing_key',
  'password',
  'pass',
  'secret',
  'token',
  'authToken',
  'auth_token',
  'connectionString',
  'smtpUrl',
  'DATABASE_URL',
  'SMTP_URL',
  'TWILIO_AUTH_TOKEN',
  'WEBHOOK_SIGNING_SECRET',
];

export const REDACT_PATHS = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  '*.headers.authorization',
  // What errors carry besides their message: body-parser keeps the raw body, Node's URL errors the input,
  // HTTP clients (axios in the Twilio SDK) the request with its Authorization header.
  'err.body',
  'err.input',
  'err.config',
  'err.request',
  'err.cause.config',
  'err.cause.request',
];

/** Keeps a URL readable in the log (scheme, user, host) with its password masked; anything else masked whole. */
function censor(value: unknown): unknown {
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#@]*@/i, '$1:[redacted]@');
  }
  return '[redacted]';
}

/** Returns the process logger at the given level, writing to stdout or to `destination` (tests). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'klaxon', destination?: pino.DestinationStream): Logger {
  // Secrets never belong in logs, whatever object is passed in.
  const options: pino.LoggerOptions = { name, level, redact: { paths: REDACT_PATHS, censor } };
  return destination ? pino(options, destination) : pino(options);
}
