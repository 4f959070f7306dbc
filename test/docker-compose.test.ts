// No Docker engine runs here, so the compose file is checked by reading it: services, ports and the
// environment Klaxon's containers get must agree with the config schema and with each other.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { parse } from 'yaml';
import { configKeys, loadConfig } from '../runtime/config';

const root = path.resolve(__dirname, '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'));
type Service = { image?: string; build?: string; command?: string[]; environment?: Record<string, string>; ports?: string[]; depends_on?: unknown };
const services = compose.services as Record<string, Service>;

it('runs Postgres, Temporal with Postgres persistence, the Temporal UI, and Klaxon worker and API', () => {
  assert.deepEqual(Object.keys(services).sort(), ['klaxon-api', 'klaxon-worker', 'postgres', 'temporal', 'temporal-ui']);
  assert.match(services.postgres!.image!, /^postgres:\d+/);
  assert.match(services.temporal!.image!, /^temporalio\/auto-setup:/);
  assert.equal(services.temporal!.environment!.DB, 'postgres12');
  assert.equal(services.temporal!.environment!.POSTGRES_SEEDS, 'postgres');
  assert.match(services['temporal-ui']!.image!, /^temporalio\/ui:/);
  assert.equal(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS, 'temporal:7233');
});

it('builds Klaxon from the Dockerfile and runs the npm scripts that exist', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.ok(existsSync(path.join(root, 'Dockerfile')));
  for (const name of ['klaxon-api', 'klaxon-worker']) {
    const s = services[name]!;
    assert.equal(s.build, '.');
    assert.equal(s.command![0], 'npm');
    assert.ok(pkg.scripts[s.command![2]!], `npm script ${s.command![2]} exists`);
  }
});

it('gives Klaxon only variables the config schema knows, with values it accepts', () => {
  for (const name of ['klaxon-api', 'klaxon-worker']) {
    const env = services[name]!.environment!;
    for (const key of Object.keys(env)) assert.ok((configKeys as string[]).includes(key), `${name}: ${key} is a config key`);
    const config = loadConfig(env);
    // Connection strings point at the services in this file, with the credentials Postgres is given.
    const db = new URL(config.DATABASE_URL!);
    const pg = services.postgres!.environment!;
    assert.equal(db.hostname, 'postgres');
    assert.equal(db.username, pg.POSTGRES_USER);
    assert.equal(db.password, pg.POSTGRES_PASSWORD);
    assert.equal(db.pathname, `/${pg.POSTGRES_DB}`);
    assert.equal(config.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.ok(services.temporal!.ports!.some((p) => p.endsWith(':7233')));
  }
});

// Temporal has no authentication here: whoever reaches its gRPC port or UI can resolve or terminate any
// alert past Klaxon's roles. Only the API (with its own keys) may be reachable from other machines.
it('publishes Temporal and its UI on the host loopback only, and Postgres not at all', () => {
  assert.equal(services.postgres!.ports, undefined, 'Postgres is not published');
  for (const name of ['temporal', 'temporal-ui']) {
    const ports = services[name]!.ports ?? [];
    assert.ok(ports.length > 0, `${name} is published for this machine`);
    // Short syntax HOST_IP:HOST_PORT:CONTAINER_PORT; without the address Docker binds 0.0.0.0.
    for (const p of ports) assert.match(p, /^127\.0\.0\.1:\d+:\d+$/, `${name} publishes ${p} on 127.0.0.1`);
  }
  for (const [name, s] of Object.entries(services)) {
    if (name === 'klaxon-api') continue;
    for (const p of s.ports ?? []) assert.match(p, /^127\.0\.0\.1:/, `${name}: ${p} stays on this machine`);
  }
});

it('publishes the API on the port it listens on, on all interfaces', () => {
  const api = services['klaxon-api']!;
  const config = loadConfig(api.environment!);
  assert.equal(config.HOST, '0.0.0.0');
  assert.ok(api.ports!.some((p) => p.split(':').at(-1) === String(config.PORT)), `a port maps to ${config.PORT}`);
});

it('lists every config key in .env.example', () => {
  const example = readFileSync(path.join(root, '.env.example'), 'utf8');
  for (const key of configKeys) assert.match(example, new RegExp(`^${key}=`, 'm'), key);
});

it('gives the API and the worker the same PUBLIC_URL, so a channel can be added without tripping start-up checks', () => {
  const api = services['klaxon-api']!.environment!;
  const worker = services['klaxon-worker']!.environment!;
  assert.ok(api.PUBLIC_URL, 'the API listens on 0.0.0.0: its links need a public address');
  assert.equal(worker.PUBLIC_URL, api.PUBLIC_URL, 'the worker renders the links pages carry');
  const channels = { SMTP_URL: 'smtp://klaxon:secret@mail:587', TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM_NUMBER: '+15550000000' };
  for (const env of [api, worker]) assert.doesNotThrow(() => loadConfig({ ...env, ...channels }));
});

it('.env.example loads as written', () => {
  const example = readFileSync(path.join(root, '.env.example'), 'utf8');
  const env = Object.fromEntries(
    example
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  assert.doesNotThrow(() => loadConfig(env));
});
