/**
 * Optional encryption of everything Klaxon hands Temporal (TEMPORAL_PAYLOAD_KEYS). Without it anyone
 * with the Temporal UI or CLI reads alert summaries, labels, addresses and notes in every history; with
 * it they see event types, timers and activity names, and opaque payloads. Search attributes are not
 * payloads and stay readable (they hold only ids, severity, service and state).
 *
 * AES-256-GCM from node:crypto; the Temporal SDK's PayloadCodec interface is the whole contract, so no
 * library is needed. Each encrypted payload names its key, so keys can be rotated: the first key
 * encrypts, every listed key decrypts. Payloads written before encryption was turned on pass through.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** Parses `id:base64key,id:base64key`; throws naming the entry that is not a 32-byte key with an id. */
export function parsePayloadKeys(spec: string): PayloadKey[] {
  const keys = spec.split(',').map((entry, i) => {
    const at = entry.indexOf(':');
    const id = entry.slice(0, at).trim();
    const key = Buffer.from(entry.slice(at + 1).trim(), 'base64');
    if (at < 1 || !/^[A-Za-z0-9._-]+$/.test(id) || key.length !== 32)
      throw new Error(`entry ${i + 1} must be <id>:<32 bytes in base64> (e.g. k1:$(openssl rand -base64 32))`);
    return { id, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new Error('two keys share an id');
  return keys;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Returns a codec encrypting with the first key and decrypting with whichever key a payload names. */
export function encryptionCodec(keys: readonly PayloadKey[]): PayloadCodec {
  const [current] = keys;
  if (!current) throw new Error('at least one payload key is needed');
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((p) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', current.key, iv);
        const plain = temporal.api.common.v1.Payload.encode(p).finish();
        const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return { metadata: { encoding: utf8(ENCODING), [KEY_ID]: utf8(current.id) }, data };
      });
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((p) => {
        if (Buffer.from(p.metadata?.encoding ?? []).toString() !== ENCODING) return p;
        const id = Buffer.from(p.metadata?.[KEY_ID] ?? []).toString();
        const key = byId.get(id);
        if (!key) throw new Error(`payload encrypted with key "${id}", which TEMPORAL_PAYLOAD_KEYS does not list`);
        const data = Buffer.from(p.data ?? []);
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
        return temporal.api.common.v1.Payload.decode(plain) as Payload;
      });
    },
  };
}

/**
 * The data converter for clients and workers: none without keys. Failure messages stay plain (moving
 * them into payloads needs the same failure converter bundled into the workflow sandbox); Klaxon's
 * errors name a channel and a status, never a secret.
 */
export function dataConverterOf(keys: readonly PayloadKey[] | undefined): { payloadCodecs: PayloadCodec[] } | undefined {
  return keys?.length ? { payloadCodecs: [encryptionCodec(keys)] } : undefined;
}
