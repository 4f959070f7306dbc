// TEMPORAL_PAYLOAD_KEYS: what Klaxon hands Temporal is encrypted, so a history read straight from the
// server (as the UI or CLI does without the key) shows no alert text and no address; Klaxon itself,
// holding the key, runs the alert as always. Keys rotate: a payload names the key that encrypted it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { listen } from '../api/listen';
import { codecServer } from '../runtime/codec-server';
import { encryptionCodec, parsePayloadKeys } from '../runtime/payload-codec';
import { startWorld, waitFor, type World } from './helpers/world';

const keys = parsePayloadKeys(`k2:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`);
let w: World;
before(async () => {
  w = await startWorld({ payloadKeys: keys });
});
after(async () => {
  await w?.close();
});

it('keeps alert text and addresses out of the history Temporal stores, and the alert still pages and resolves', async () => {
  const summary = `Ledger drift ${randomBytes(6).toString('hex')}`;
  await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/ledger` }] }], is_default: true });
  const { id, workflowId } = await w.trigger({ summary, labels: { team: 'ledger-team' } });
  await waitFor('page sent', () => w.hits('/ledger') === 1);
  assert.equal((w.hooks.requests.find((r) => r.path === '/ledger')!.json as { alert: { summary: string } }).alert.summary, summary, 'the page carries the text');
  assert.equal((await w.view(id)).state, 'new', 'queries decode with the key');
  assert.equal((await w.request('POST', `/alerts/${id}/resolve`, {})).status, 200);

  // The environment's own client has no codec: it reads what the server keeps.
  const handle = w.env.client.workflow.getHandle(workflowId);
  await handle.result().catch(() => {});
  const history = await handle.fetchHistory();
  const payloads: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }[] = [];
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.payloads)) payloads.push(...(o.payloads as typeof payloads));
    Object.values(o).forEach(walk);
  };
  // Markers are the SDK's own bookkeeping (patch ids, a local activity's attempt and timing), written
  // plain by design; a local activity's result is Klaxon's data and is walked.
  for (const e of history.events ?? []) {
    const marker = e.markerRecordedEventAttributes;
    walk(marker ? marker.details?.result : e);
  }
  // The start's input and signal, the record's and the transition's results, the page's input and result, the Update's.
  assert.ok(payloads.length >= 6, `the history has payloads (${payloads.length})`);
  const encodings = new Set(payloads.map((p) => Buffer.from(p.metadata?.encoding ?? []).toString()));
  assert.deepEqual([...encodings], ['binary/encrypted'], 'every payload is encrypted');
  assert.deepEqual(new Set(payloads.map((p) => Buffer.from(p.metadata?.['encryption-key-id'] ?? []).toString())), new Set(['k2']), 'by the first key');
  const raw = payloads.map((p) => Buffer.from(p.data ?? []).toString('latin1')).join('');
  for (const text of [summary, 'ledger-team', '/ledger']) assert.ok(!raw.includes(text), `${text} is not readable in the history`);
});

it('decodes with any listed key, passes unencrypted payloads through, and refuses an unknown key or a tampered payload', async () => {
  const [k2, k1] = keys;
  const plain = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('{"a":1}') };
  const [byOld] = await encryptionCodec([k1!]).encode([plain]);
  const [decoded] = await encryptionCodec([k2!, k1!]).decode([byOld!]);
  assert.deepEqual(Buffer.from(decoded!.data!).toString(), '{"a":1}');
  assert.deepEqual(await encryptionCodec([k2!]).decode([plain]), [plain], 'a payload from before encryption passes');
  await assert.rejects(encryptionCodec([k2!]).decode([byOld!]), /key "k1", which TEMPORAL_PAYLOAD_KEYS does not list/);
  const tampered = { ...byOld!, data: Buffer.from(byOld!.data!).fill(0, 20, 21) };
  await assert.rejects(encryptionCodec([k1!]).decode([tampered]));
});

it('refuses malformed keys naming the entry', () => {
  assert.throws(() => parsePayloadKeys('k1:short'), /entry 1 must be <id>:<32 bytes in base64>/);
  assert.throws(() => parsePayloadKeys(`k1:${randomBytes(32).toString('base64')},nokey`), /entry 2/);
  assert.throws(() => parsePayloadKeys(`k1:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`), /share an id/);
});

it('decodes a history payload for the Temporal UI through the codec server, with CORS for the UI only', async () => {
  const server = await listen(codecServer(encryptionCodec(keys), ['http://localhost:8233']), 0);
  try {
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const [encrypted] = await encryptionCodec(keys).encode([{ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('"Disk full on db-1"') }]);
    const b64 = (u: Uint8Array | null | undefined) => Buffer.from(u ?? []).toString('base64');
    const post = (path: string, body: unknown, origin = 'http://localhost:8233') =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: origin, 'X-Namespace': 'default' }, body: JSON.stringify(body) });
    const res = await post('/decode', { payloads: [{ metadata: Object.fromEntries(Object.entries(encrypted!.metadata!).map(([k, v]) => [k, b64(v)])), data: b64(encrypted!.data) }] });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:8233');
    const body = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.equal(Buffer.from(body.payloads[0]!.data, 'base64').toString(), '"Disk full on db-1"');
    assert.equal(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString(), 'json/plain');
    const preflight = await fetch(`${base}/decode`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:8233', 'Access-Control-Request-Method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    const foreign = await post('/decode', { payloads: [] }, 'https://evil.example');
    assert.equal(foreign.headers.get('access-control-allow-origin'), null, 'another origin gets no CORS grant');
    const bad = await post('/decode', { nope: 1 });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /body.payloads/);
  } finally {
    server.close();
  }
});
