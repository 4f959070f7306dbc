/**
 * Sends a storm as Alertmanager does: one sender per group key with one request in flight, each payload
 * not before it is due. When the service answers slower than the pace, a sender goes on as soon as its
 * answer comes, so the storm then lasts as long as the answers take.
 */
import http from 'node:http';
import { sleep } from './service';
import { webhookBody, type Storm } from './storm-stream';

export interface SentPayload {
  group: number;
  kind: 'new' | 'resend';
  fingerprints: string[];
  /** Milliseconds from the storm's start: when it was due, sent and answered. */
  dueAt: number;
  sentAt: number;
  answeredAt: number;
  /** HTTP status; 0 when there was no answer (connection error or timeout). */
  status: number;
  /** The start of the answer's body (or the error) when the status is not 2xx. */
  error?: string;
}

/** Returns whether the service took the payload: a 2xx answer means its events are durable. */
export function isAccepted(s: SentPayload): boolean {
  return s.status >= 200 && s.status < 300;
}

/** Returns every payload's outcome, in the order sent; `start` is Date.now() of the storm's time zero. */
export async function sendStorm(
  storm: Storm,
  url: string,
  start: number,
  timeoutMs: number,
): Promise<SentPayload[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: storm.groupKeys.length });
  const sent: SentPayload[] = [];
  try {
    await Promise.all(
      storm.groupKeys.map(async (_, g) => {
        for (const payload of storm.payloads.filter((p) => p.group === g)) {
          await sleep(start + payload.at - Date.now());
          const sentAt = Date.now() - start;
          const answer = await post(
            agent,
            url,
            JSON.stringify(webhookBody(storm, payload, start)),
            timeoutMs,
          );
          sent.push({
            group: g,
            kind: payload.kind,
            fingerprints: payload.alerts.map((a) => a.fingerprint),
            dueAt: payload.at,
            sentAt,
            answeredAt: Date.now() - start,
            ...answer,
          });
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return sent.sort((a, b) => a.sentAt - b.sentAt);
}

function post(
  agent: http.Agent,
  url: string,
  body: string,
  timeoutMs: number,
): Promise<{ status: number; error?: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve(status >= 200 && status < 300 ? { status } : { status, error: text.slice(0, 300) });
        });
        res.on('error', (err) => resolve({ status: 0, error: String(err) }));
      },
    );
    // Alertmanager gives up on a webhook after its own timeout too; a hung request must not hang the storm.
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (err) => resolve({ status: 0, error: err.message }));
    req.end(body);
  });
}
