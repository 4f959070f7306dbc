/**
 * `npm run codec-server`: decodes encrypted payloads for the Temporal UI on this machine
 * (runtime/codec-server.ts). Set the UI's codec endpoint to the address it prints, e.g. with
 * TEMPORAL_CODEC_ENDPOINT on temporalio/ui, or in the UI's settings.
 *   --port 8089                      where it listens (127.0.0.1 only)
 *   --ui-origin http://localhost:8233  the UI's address, allowed by CORS (repeatable; the default covers
 *                                    `npm start`'s dev UI and docker compose's UI)
 */
import { parseArgs } from 'node:util';
import { codecServer } from '../runtime/codec-server';
import { loadConfig } from '../runtime/config';
import { encryptionCodec } from '../runtime/payload-codec';
import { listen } from '../api/listen';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8089' }, 'ui-origin': { type: 'string', multiple: true } } });
  const config = loadConfig();
  if (!config.TEMPORAL_PAYLOAD_KEYS) throw new Error('TEMPORAL_PAYLOAD_KEYS is not set: there is nothing to decode');
  const origins = values['ui-origin'] ?? [`http://localhost:${config.TEMPORAL_UI_PORT}`, 'http://localhost:8080'];
  await listen(codecServer(encryptionCodec(config.TEMPORAL_PAYLOAD_KEYS), origins), Number(values.port), '127.0.0.1');
  console.log(`codec server on http://127.0.0.1:${values.port} for ${origins.join(', ')}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
