// The console's typed client (web/api/schema.d.ts, web/api/access.ts) is what `npm run
// generate:web-client` writes from today's OpenAPI document: a route or role changed without
// regenerating fails here, before the console calls a shape the API no longer has.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { ACCESS } from '../api/access';
import { PROJECT_ROOT } from '../runtime/project-root';
import { generateWebClient } from '../scripts/generate-web-client';
import { ROLE_NEEDED } from '../web/api/access';

it('is up to date with the OpenAPI document (run npm run generate:web-client)', async () => {
  for (const [file, expected] of Object.entries(await generateWebClient())) {
    const committed = readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
    assert.ok(committed === expected, `${file} is stale: run npm run generate:web-client`);
  }
});

it('gives the console the role of every role-gated route in api/access.ts', () => {
  const gated = Object.entries(ACCESS).filter(([, a]) => ['viewer', 'responder', 'admin'].includes(a));
  assert.equal(Object.keys(ROLE_NEEDED).length, gated.length);
  for (const [route, role] of gated) {
    const openApi = route.replace(/:([A-Za-z_$][\w$]*)/g, '{$1}');
    assert.equal(ROLE_NEEDED[openApi as keyof typeof ROLE_NEEDED], role, route);
  }
});
