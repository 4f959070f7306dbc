/** Structured JSON logs (pino): one line per event, machine-readable, cheap on the hot path. */
import pino from 'pino';

export type Logger = pino.Logger;

/** Returns the process logger at the given level. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'klaxon'): Logger {
  return pino({
    name,
    level,
    // Secrets never belong in logs, whatever object is passed in.
    redact: { paths: ['*.authorization', '*.apiKey', '*.password', '*.token', 'req.headers.authorization'], censor: '[redacted]' },
  });
}
