/**
 * The Temporal UI's codec endpoint for encrypted payloads (TEMPORAL_PAYLOAD_KEYS): the UI (or
 * `temporal workflow show --codec-endpoint`) posts payloads to /decode and shows what comes back. It
 * holds the keys and answers anyone who reaches it, so it listens on loopback only, for an operator
 * whose browser runs on the same machine (or comes through an SSH tunnel / an authenticating proxy).
 */
import express, { type Express } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';

/** A payload as the UI sends it: metadata values and data in base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

/** Returns the codec server's app: POST /decode and /encode, with CORS for the UI's origins. */
export function codecServer(codec: PayloadCodec, uiOrigins: readonly string[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const origin = req.get('origin');
    if (origin && uiOrigins.includes(origin)) {
      res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Methods': 'POST', 'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization', Vary: 'Origin' });
    }
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  });
  app.use(express.json({ limit: '4mb' }));
  for (const op of ['decode', 'encode'] as const) {
    app.post(`/${op}`, async (req, res) => {
      const payloads: unknown = req.body?.payloads;
      if (!Array.isArray(payloads)) return void res.status(400).json({ error: { code: 'invalid_request', message: 'body.payloads: an array of payloads is required' } });
      try {
        res.json({ payloads: (await codec[op](payloads.map(fromJson))).map(toJson) });
      } catch (err) {
        res.status(400).json({ error: { code: 'codec_failed', message: (err as Error).message } });
      }
    });
  }
  return app;
}
