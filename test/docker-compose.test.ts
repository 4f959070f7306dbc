// No Docker engine runs here, so the compose file is checked by reading it: services, ports and the
// environment Klaxon's containers get must agree with the config schema and with each other.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { parse } from 'yaml';
import { configKeys, isLoopbackHost, loadConfig } from '../runtime/config';

const root = path.resolve(__dirname, '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'));
type Service = {
  image?: string;
  build?: string;
  command?: string[];
  read_only?: boolean;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: unknown;
  networks?: { default?: { aliases?: string[] } };
};
const services = compose.services as Record<string, Service>;

it('runs Postgres, Temporal with Postgres persistence, the Temporal UI, Klaxon worker and API, Prometheus and Grafana', () => {
  assert.deepEqual(Object.keys(services).sort(), [
    'grafana',
    'klaxon-api',
    'klaxon-worker',
    'postgres',
    'prometheus',
    'temporal',
    'temporal-ui',
  ]);
  assert.match(services.postgres!.image!, /^postgres:\d+/);
  assert.match(services.temporal!.image!, /^temporalio\/auto-setup:/);
  assert.equal(services.temporal!.environment!.DB, 'postgres12');
  assert.equal(services.temporal!.environment!.POSTGRES_SEEDS, 'postgres');
  assert.match(services['temporal-ui']!.image!, /^temporalio\/ui:/);
  assert.equal(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS, 'temporal:7233');
});

it('builds Klaxon from the Dockerfile and runs what the :prod scripts run, under node as PID 1, read-only', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.ok(existsSync(path.join(root, 'Dockerfile')));
  for (const [name, script] of [['klaxon-api', 'api:prod'], ['klaxon-worker', 'worker:prod']] as const) {
    const s = services[name]!;
    assert.equal(s.build, '.');
    // node itself, not npm: npm as PID 1 would stand between Docker's SIGTERM and Klaxon's drain.
    assert.equal(s.command!.join(' '), pkg.scripts[script], `${name} runs \`npm run ${script}\`'s command`);
    assert.equal(s.read_only, true, `${name} runs on a read-only file system`);
  }
});

// Read by Node.js itself, not by Klaxon's config: the worker's heap limit (README, "Production runtime").
const NODE_VARIABLES = ['NODE_OPTIONS'];

it('gives Klaxon only variables the config schema knows, with values it accepts', () => {
  for (const name of ['klaxon-api', 'klaxon-worker']) {
    const env = services[name]!.environment!;
    for (const key of Object.keys(env))
      assert.ok((configKeys as string[]).includes(key) || NODE_VARIABLES.includes(key), `${name}: ${key} is a config key`);
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
// alert past Klaxon's roles. Prometheus has none either, and Grafana lets anonymous visitors view. Only
// the API (with its own keys) may be reachable from other machines.
it('publishes Temporal, its UI, Prometheus and Grafana on the host loopback only, and Postgres not at all', () => {
  assert.equal(services.postgres!.ports, undefined, 'Postgres is not published');
  for (const name of ['temporal', 'temporal-ui', 'prometheus', 'grafana']) {
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
  assert.ok(
    api.ports!.some((p) => p.split(':').at(-1) === String(config.PORT)),
    `a port maps to ${config.PORT}`,
  );
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
  const channels = {
    SMTP_URL: 'smtp://klaxon:secret@mail:587',
    TWILIO_ACCOUNT_SID: 'AC1',
    TWILIO_AUTH_TOKEN: 't',
    TWILIO_FROM_NUMBER: '+15550000000',
  };
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

/** Returns a service's bind mounts (short syntax `./host:container[:mode]`), host paths from the repo root. */
function binds(name: string): { host: string; container: string; mode?: string }[] {
  return (services[name]!.volumes ?? [])
    .filter((v) => v.startsWith('./'))
    .map((v) => {
      const [host = '', container = '', mode] = v.split(':');
      return { host: path.join(root, host), container, mode };
    });
}

/** Returns the container path `file` (relative to the repo root) is mounted at in `service`. */
function mountedAt(service: string, file: string): string {
  const bind = binds(service).find((b) => b.host === path.join(root, file));
  assert.ok(bind, `${service} mounts ${file}`);
  return bind.container;
}

const readYaml = (file: string) => parse(readFileSync(path.join(root, file), 'utf8'));

it('mounts Prometheus and Grafana files that exist in the repo, read-only', () => {
  for (const name of ['prometheus', 'grafana']) {
    const mounts = binds(name);
    assert.ok(mounts.length >= 2, `${name} mounts its configuration`);
    for (const m of mounts) {
      assert.ok(existsSync(m.host), `${name}: ${path.relative(root, m.host)} exists`);
      assert.equal(m.mode, 'ro', `${name}: ${m.container} is read-only`);
    }
  }
});

it('has the worker serve both metrics endpoints to the compose network', () => {
  const config = loadConfig(services['klaxon-worker']!.environment!);
  assert.equal(config.WORKER_METRICS_PORT, 9464);
  assert.equal(config.TEMPORAL_METRICS_ADDRESS, '0.0.0.0:9465');
  // The worker's metrics server listens on HOST: on loopback, Prometheus in its own container sees nothing.
  assert.equal(
    isLoopbackHost(config.HOST),
    false,
    `worker HOST ${config.HOST} is reachable from other containers`,
  );
  assert.equal(services['klaxon-worker']!.ports, undefined, 'the worker publishes nothing on the host');
});

it('Prometheus loads the mounted rules and scrapes the API, the worker and the SDK where they listen', () => {
  const configPath = mountedAt('prometheus', 'deploy/prometheus/prometheus.yml');
  const prometheus = readYaml('deploy/prometheus/prometheus.yml') as {
    rule_files?: string[];
    scrape_configs: {
      job_name: string;
      static_configs?: { targets: string[] }[];
      dns_sd_configs?: { names: string[]; port?: number }[];
    }[];
  };
  // Relative rule paths resolve against the configuration file's directory.
  const ruleMount = mountedAt('prometheus', 'deploy/prometheus/klaxon-rules.yml');
  assert.ok(
    (prometheus.rule_files ?? []).some(
      (f) => path.posix.resolve(path.posix.dirname(configPath), f) === ruleMount,
    ),
    `rule_files names ${ruleMount}`,
  );

  const hostToService = new Map<string, string>();
  for (const [name, s] of Object.entries(services))
    for (const host of [name, ...(s.networks?.default?.aliases ?? [])]) hostToService.set(host, name);
  const api = loadConfig(services['klaxon-api']!.environment!);
  const worker = loadConfig(services['klaxon-worker']!.environment!);
  const expected: Record<string, [string, number]> = {
    'klaxon-api': ['klaxon-api', api.PORT],
    'klaxon-worker': ['klaxon-worker', worker.WORKER_METRICS_PORT],
    'temporal-sdk': ['klaxon-worker', Number(worker.TEMPORAL_METRICS_ADDRESS.split(':').at(-1))],
  };
  for (const [job, [service, port]] of Object.entries(expected)) {
    const scrape = prometheus.scrape_configs.find((c) => c.job_name === job);
    assert.ok(scrape, `a scrape job ${job}`);
    const targets = [
      ...(scrape.static_configs ?? []).flatMap((c) => c.targets),
      ...(scrape.dns_sd_configs ?? []).flatMap((c) => c.names.map((n) => `${n}:${c.port}`)),
    ];
    assert.ok(targets.length > 0, `${job} has targets`);
    for (const target of targets) {
      const [host = '', targetPort] = target.split(':');
      assert.equal(hostToService.get(host), service, `${job}: ${host} is ${service} on the compose network`);
      assert.equal(Number(targetPort), port, `${job}: ${service} listens on ${port}`);
    }
  }
});

it('Grafana provisions the Prometheus data source and the dashboard folder it mounts', () => {
  const grafana = services.grafana!;
  assert.equal(
    mountedAt('grafana', 'deploy/grafana/provisioning/datasources'),
    '/etc/grafana/provisioning/datasources',
  );
  assert.equal(
    mountedAt('grafana', 'deploy/grafana/provisioning/dashboards'),
    '/etc/grafana/provisioning/dashboards',
  );

  const { datasources } = readYaml('deploy/grafana/provisioning/datasources/prometheus.yml') as {
    datasources: { type: string; url: string; isDefault?: boolean; jsonData?: { timeInterval?: string } }[];
  };
  const source = datasources.find((d) => d.type === 'prometheus');
  assert.ok(source?.isDefault, 'a default Prometheus data source');
  const url = new URL(source.url);
  assert.equal(url.hostname, 'prometheus', 'the compose service');
  assert.ok(
    services.prometheus!.ports!.some((p) => p.split(':').at(-1) === url.port),
    `Prometheus listens on ${url.port}`,
  );
  // $__rate_interval is at least four scrape intervals only if Grafana knows the real one.
  const scrapeInterval =
    (readYaml('deploy/prometheus/prometheus.yml') as { global?: { scrape_interval?: string } }).global
      ?.scrape_interval ?? '1m';
  assert.equal(source.jsonData?.timeInterval, scrapeInterval, 'timeInterval is the scrape interval');

  const { providers } = readYaml('deploy/grafana/provisioning/dashboards/klaxon.yml') as {
    providers: { type: string; options: { path: string } }[];
  };
  const dashboardFile = mountedAt('grafana', 'deploy/grafana/klaxon-dashboard.json');
  assert.ok(
    providers.some((p) => p.type === 'file' && p.options.path === path.posix.dirname(dashboardFile)),
    `a file provider reads ${path.posix.dirname(dashboardFile)}`,
  );
  assert.equal(
    grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH,
    dashboardFile,
    'the home dashboard is Klaxon',
  );
});

it('Grafana lets anonymous visitors view only, and takes its admin password from the environment', () => {
  const env = services.grafana!.environment!;
  assert.equal(env.GF_AUTH_ANONYMOUS_ENABLED, 'true');
  assert.equal(env.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer');
  assert.match(env.GF_SECURITY_ADMIN_PASSWORD!, /^\$\{GRAFANA_ADMIN_PASSWORD[:}]/);
});
