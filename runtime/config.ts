/**
 * The one place that reads process.env. Every variable is validated once at start-up; a bad value
 * stops the process with a message naming every offending variable, not just the first.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { parsePayloadKeys } from './payload-codec';
import { PROJECT_ROOT } from './project-root';
import { workerTuningSchema } from './worker-tuning';
import { parseAllowlist } from '../domain/outbound-address';
import { parseRoleMap } from '../domain/sign-in-rules';
import { API_KEY_ROLES } from '../store/api-keys';

const port = z.coerce.number().int().min(1).max(65535);
const DEFAULT_SMTP_FROM = 'Klaxon <klaxon@localhost>';
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

// Express's names for address ranges, as `trust proxy` takes them.
const TRUST_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Returns the problem with one `trust proxy` entry (an address, a subnet, a range name), or undefined. */
function trustEntryProblem(entry: string): string | undefined {
  if (TRUST_RANGES.has(entry)) return undefined;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return `"${entry}" is not an address, a subnet (10.0.0.0/8) or one of ${[...TRUST_RANGES].join(', ')}`;
  if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)) && !isIP(prefix))
    return `"${entry}" has no valid prefix length`;
  return undefined;
}

/**
 * TRUST_PROXY as Express's `trust proxy` takes it: false (unset; the socket's peer is the client), true
 * (any proxy: only when nothing reaches the API but through one), a number of hops, or a comma-separated
 * list of proxy addresses, subnets and range names.
 */
const trustProxy = optionalString.transform((v, ctx): boolean | number | string => {
  const value = v?.trim().toLowerCase();
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((e) => e.trim());
  for (const problem of entries.map(trustEntryProblem)) if (problem) ctx.addIssue({ code: 'custom', message: problem });
  return entries.join(',');
});

export const configSchema = z.object({
  /** Postgres connection string. Unset: an embedded PostgreSQL is started under KLAXON_DATA_DIR. */
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  /**
   * Postgres TLS by variables (runtime/database-connection.ts), in libpq's terms: disable, require
   * (encrypted, server not checked), verify-ca (signed by the CA), verify-full (and for the host name).
   * Unset: whatever DATABASE_URL's own sslmode= says (none: plaintext).
   */
  DATABASE_TLS: optionalString.pipe(z.enum(['disable', 'require', 'verify-ca', 'verify-full']).optional()),
  /** PEM CA that issued the server's certificate (unset: the system's trusted CAs). */
  DATABASE_TLS_CA_PATH: optionalString,
  /** Client certificate and key, for servers that authenticate clients by certificate; both or neither. */
  DATABASE_TLS_CERT_PATH: optionalString,
  DATABASE_TLS_KEY_PATH: optionalString,
  /** Connections per process. Size the server's max_connections for every API and worker process together. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  /** A connection not made within this long fails, so a request or activity waiting on one has a deadline. */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  /**
   * Postgres cancels a statement running longer than this (a peer that vanished is found by TCP
   * keepalive). Klaxon's statements take milliseconds; migrations run without it.
   * 0: none, for PgBouncer, which refuses the startup parameter unless ignore_startup_parameters lists it.
   */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .max(3_600_000)
    .refine((ms) => ms === 0 || ms >= 100, 'at least 100 (ms), or 0 for none')
    .default(30_000),
  /** Where the embedded Postgres data and the dev server's SQLite file live. */
  KLAXON_DATA_DIR: z.string().default('.data'),
  /** Port of the embedded Postgres. */
  EMBEDDED_PG_PORT: port.default(5488),
  /** host:port of a Temporal frontend. Unset for `npm start`: the Temporal CLI dev server is launched. */
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /**
   * Temporal over TLS (runtime/temporal-connection.ts). Unset: on when a CA, a client certificate, a
   * server name or an API key is given; `false` refuses all of those, `true` is TLS with the system's CAs.
   */
  TEMPORAL_TLS: optionalString.pipe(z.enum(['true', 'false']).optional()).transform((v) => (v === undefined ? undefined : v === 'true')),
  /** PEM CA that issued the frontend's certificate (unset: the system's trusted CAs). */
  TEMPORAL_TLS_CA_PATH: optionalString,
  /** mTLS: PEM client certificate and its unencrypted private key, both or neither; read at start. */
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  /** The name to check the frontend's certificate against (and send as SNI) instead of TEMPORAL_ADDRESS's host. */
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  /** Temporal Cloud API key (or any frontend taking `Authorization: Bearer`); implies TLS. */
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('klaxon-alerts'),
  /** Encrypts every payload Klaxon hands Temporal (runtime/payload-codec.ts); the first key encrypts. */
  TEMPORAL_PAYLOAD_KEYS: optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    try {
      return parsePayloadKeys(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  /** Ports of the dev server launched by `npm start`. */
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  /** Explicit Temporal binaries; otherwise they are provisioned into KLAXON_TOOLS_DIR. */
  TEMPORAL_TEST_SERVER_PATH: optionalString,
  TEMPORAL_CLI_PATH: optionalString,
  /** Prometheus Alertmanager for the tests that run Klaxon behind one; otherwise found or provisioned. */
  ALERTMANAGER_PATH: optionalString,
  /** Prometheus (promtool beside it) for the tests of Klaxon's own alert rules; otherwise found on PATH or installed. */
  PROMETHEUS_PATH: optionalString,
  /** Chromium for the console's browser tests and `npm run screenshots`; otherwise found on PATH or installed. */
  CHROMIUM_PATH: optionalString,
  KLAXON_TOOLS_DIR: z.string().default('.tools'),
  /** HTTP API. */
  HOST: z.string().default('127.0.0.1'),
  PORT: port.default(3000),
  /** Maximum accepted JSON body, in the notation of the `bytes` package (e.g. 100kb, 1mb). */
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'a size such as 256kb or 1mb')
    .default('256kb'),
  /** Base URL people reach the API at; used in the acknowledge links that pages carry. */
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  /** Email pages: an SMTP URL (smtp://user:pass@host:587, smtps://… for TLS) and the From address. */
  SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
  SMTP_FROM: optionalString.transform((v) => v ?? DEFAULT_SMTP_FROM),
  /** SMS and voice pages through Twilio. TWILIO_API_URL points the SDK at another host (a proxy, or a test double). */
  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_FROM_NUMBER: optionalString,
  TWILIO_API_URL: optionalString.pipe(z.url().optional()),
  /** Default HMAC-SHA256 key for webhook signatures when a webhook target has no secret of its own. */
  WEBHOOK_SIGNING_SECRET: optionalString,
  /**
   * Internal webhook receivers Klaxon may reach (otherwise only public addresses): comma-separated CIDR
   * ranges (10.0.0.0/8), IP addresses, host names (hooks.internal, permitted whatever they resolve to).
   */
  OUTBOUND_ALLOWLIST: optionalString.transform((v, ctx) => {
    const { allowlist, problems } = parseAllowlist(v);
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return allowlist;
  }),
  /**
   * Key for the one-click acknowledge/resolve links in email pages; the same on every API and worker
   * process. Unset: a random per-install secret, generated once and kept in Postgres.
   */
  LINK_SIGNING_SECRET: optionalString.pipe(z.string().min(32, 'at least 32 characters (e.g. openssl rand -base64 32)').optional()),
  /** How long the links in an email page work. */
  REPLY_LINK_TTL_HOURS: z.coerce.number().int().min(1).max(30 * 24).default(24),
  /** How long a page to a channel that is down keeps being retried (read by the worker, so it applies to alerts in flight). */
  PAGE_RETRY_CAP_HOURS: z.coerce.number().gt(0).max(7 * 24).default(24),
  /** Fraction of an SLA target at which an alert is marked "at risk". */
  SLA_AT_RISK_FRACTION: z.coerce.number().gt(0).lt(1).default(0.75),
  /** How long a resolved alert can be reopened (by a re-trigger or by hand) before its workflow completes. */
  REOPEN_WINDOW_MINUTES: z.coerce.number().int().min(0).max(7 * 24 * 60).default(30),
  /** Events accepted per integration (once its routing key is verified) per minute on the ingest endpoints; more are answered 429. */
  INGEST_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  /** Requests accepted per API key per minute on the API; more are answered 429 with Retry-After. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /**
   * Failed authentications (unknown key or routing key, bad signature) one client address may make a
   * minute; past it, its requests with credentials not known to be good get 429 before any lookup.
   */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /**
   * Console sessions end after this long without a request. Long enough that a responder's phone is
   * still signed in on the night of their next shift after a weekend off; shorten it where a signed-in
   * browser left open is the bigger risk.
   */
  SESSION_IDLE_HOURS: z.coerce.number().gt(0).max(90 * 24).default(72),
  /** Console sessions end this long after sign-in, however active: then the password (or provider) again. */
  SESSION_MAX_DAYS: z.coerce.number().gt(0).max(365).default(30),
  /** How long the first-admin set-up link printed on a start without an admin works. */
  SETUP_LINK_TTL_HOURS: z.coerce.number().gt(0).max(30 * 24).default(24),
  /**
   * Single sign-on through an OpenID Connect provider: its issuer URL (discovery is at
   * <issuer>/.well-known/openid-configuration) and the client Klaxon is registered as there. All three
   * or none; the redirect URI to register is <PUBLIC_URL>/auth/oidc/callback.
   */
  OIDC_ISSUER: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  OIDC_SCOPES: z
    .string()
    .default('openid email profile')
    .transform((v) => v.trim().split(/\s+/).join(' '))
    .refine((v) => v.split(' ').includes('openid'), 'must include openid (e.g. "openid email profile")'),
  /** The claim (in the ID token or from userinfo) whose value, a string or strings, decides the role. */
  OIDC_ROLE_CLAIM: optionalString,
  /** Claim value → role (`oncall-admins=admin,oncall=responder,*=viewer`); the highest match wins. */
  OIDC_ROLE_MAP: optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const { map, problems } = parseRoleMap(v, API_KEY_ROLES);
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return map;
  }),
  /** The label of the console's sign-in button. */
  OIDC_DISPLAY_NAME: z.string().trim().min(1).max(60).default('Single sign-on'),
  /** Express's `trust proxy`: whose X-Forwarded-For names the client address (unset: nobody's). */
  TRUST_PROXY: trustProxy,
  /**
   * Bearer token `GET /metrics` on the API requires (unset: the endpoint is open, like the health probes;
   * Klaxon's metrics carry counts and service names, never an alert's content or a secret).
   */
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'at least 16 characters (e.g. openssl rand -hex 16)').optional()),
  /**
   * /readyz fails when no worker polled the task queues for this long. An idle worker's long poll lasts up
   * to 60 s, so less than 65 would call a healthy idle worker gone.
   */
  READY_WORKER_POLL_SECONDS: z.coerce.number().int().min(65).max(3600).default(90),
  /** Where a worker process (`npm run worker`) serves Klaxon's metrics on /metrics; 0 turns it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /**
   * host:port where the Temporal SDK's own worker metrics (task slots, schedule-to-start latency, polls)
   * are served on /metrics by the worker process (and `npm start`); `off` turns them off.
   */
  TEMPORAL_METRICS_ADDRESS: z
    .string()
    .default('127.0.0.1:9465')
    .refine((v) => v === 'off' || /^[^\s:]+:\d{1,5}$|^\[[0-9a-f:.]+\]:\d{1,5}$/i.test(v), 'host:port (e.g. 0.0.0.0:9465), or off'),
  /**
   * On SIGTERM the API goes on serving for this long with /readyz failing, so a load balancer (a
   * Kubernetes Service) stops sending it requests before it stops taking them. 0 outside an orchestrator.
   */
  SHUTDOWN_READINESS_DELAY_SECONDS: z.coerce.number().min(0).max(120).default(0),
  /**
   * Then the API's requests in flight get this long to finish (the rest are answered 503), and a
   * worker's activities in flight (pages being sent) the same to complete before they are cancelled and
   * retried elsewhere. Keep the orchestrator's grace period above the delay plus this.
   */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ...workerTuningSchema,
});

export type Config = z.infer<typeof configSchema>;

/** Names of every environment variable Klaxon reads. */
export const configKeys = Object.keys(configSchema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Returns the validated configuration, or throws a ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked = Object.fromEntries(configKeys.map((k) => [k, env[k]]));
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const problems = crossFieldProblems(parsed.data, (k) => typeof picked[k] === 'string' && picked[k].trim() !== '');
  if (problems.length) throw new ConfigError(problems);
  return parsed.data;
}

const TWILIO_REQUIRED = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER'] as const;
const OIDC_REQUIRED = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;

/** Returns whether the API listening on `host` is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Returns the problems no single variable shows: settings that only work together. Each says which
 * variables and how to fix them. `isSet` tells a variable given explicitly from one left to its default.
 */
function crossFieldProblems(c: Config, isSet: (key: keyof Config) => boolean): string[] {
  const problems: string[] = [];
  // SMS: the SDK needs all three; with some missing, every SMS page would fail at send time.
  const twilioGiven = [...TWILIO_REQUIRED, 'TWILIO_API_URL' as const].filter(isSet);
  const twilioMissing = TWILIO_REQUIRED.filter((k) => !isSet(k));
  if (twilioGiven.length > 0 && twilioMissing.length > 0)
    problems.push(
      `${twilioMissing.join(', ')}: SMS pages need ${TWILIO_REQUIRED.join(', ')} together, but only ${twilioGiven.join(', ')} ${twilioGiven.length === 1 ? 'is' : 'are'} set. ` +
        'Set the missing ones (Twilio console: Account SID, Auth Token, a Twilio phone number in E.164), or unset every TWILIO_ variable to turn SMS off',
    );
  // Email: a sender without a server, or a server URL with half its credentials.
  if (isSet('SMTP_FROM') && !c.SMTP_URL)
    problems.push('SMTP_FROM: set, but SMTP_URL is not, so email pages are off. Set SMTP_URL (smtp://user:pass@host:587, smtps://… for TLS), or unset SMTP_FROM');
  if (c.SMTP_URL) {
    const url = new URL(c.SMTP_URL);
    if (!!url.username !== !!url.password)
      problems.push(
        `SMTP_URL: has a ${url.username ? 'user but no password' : 'password but no user'}, so the server's login would fail. ` +
          'Give both (smtp://user:pass@host:587; percent-encode special characters), or neither for a server without authentication',
      );
  }
  problems.push(...oidcProblems(c, isSet), ...temporalTlsProblems(c, isSet), ...databaseTlsProblems(c, isSet));
  // Links in pages and Twilio's signatures are built from PUBLIC_URL; defaulting it to a listen address
  // of every interface (0.0.0.0) or a private one makes links nobody can open and signatures that fail.
  const channels = ['SMTP_URL' as const, ...TWILIO_REQUIRED, 'LINK_SIGNING_SECRET' as const].filter(isSet);
  if (!isLoopbackHost(c.HOST) && !c.PUBLIC_URL && channels.length > 0)
    problems.push(
      `PUBLIC_URL: unset while HOST=${c.HOST} listens beyond this machine and ${channels.join(', ')} ${channels.length === 1 ? 'is' : 'are'} set: ` +
        `pages would link to ${publicUrlOf(c)} and Twilio's signature checks on SMS replies would fail. ` +
        'Set PUBLIC_URL to the address people and Twilio reach Klaxon at (e.g. https://klaxon.example.com), on the API and every worker',
    );
  return problems;
}

/** Returns the problems of Temporal connection settings that only work together (the files are read at connect time). */
function temporalTlsProblems(c: Config, isSet: (key: keyof Config) => boolean): string[] {
  const problems: string[] = [];
  if (isSet('TEMPORAL_TLS_CERT_PATH') !== isSet('TEMPORAL_TLS_KEY_PATH'))
    problems.push(
      `${isSet('TEMPORAL_TLS_CERT_PATH') ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH'}: mTLS needs the client certificate and its key together, ` +
        `but only ${isSet('TEMPORAL_TLS_CERT_PATH') ? 'TEMPORAL_TLS_CERT_PATH' : 'TEMPORAL_TLS_KEY_PATH'} is set`,
    );
  const tlsOnly = (['TEMPORAL_TLS_CA_PATH', 'TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_API_KEY'] as const).filter(isSet);
  if (c.TEMPORAL_TLS === false && tlsOnly.length > 0)
    problems.push(
      `TEMPORAL_TLS: false, but ${tlsOnly.join(', ')} ${tlsOnly.length === 1 ? 'is' : 'are'} set, which only work over TLS (an API key in plaintext is readable on the way). ` +
        'Unset TEMPORAL_TLS (or set it to true), or unset those',
    );
  const tlsGiven = [...(c.TEMPORAL_TLS ? ['TEMPORAL_TLS' as const] : []), ...tlsOnly];
  if (!c.TEMPORAL_ADDRESS && tlsGiven.length > 0)
    problems.push(
      `TEMPORAL_ADDRESS: unset, so \`npm start\` runs its own plaintext dev server, but ${tlsGiven.join(', ')} ${tlsGiven.length === 1 ? 'is' : 'are'} set. ` +
        'Set TEMPORAL_ADDRESS to the frontend they are for, or unset them',
    );
  return problems;
}

/** Returns the problems of Postgres TLS settings that only work together (the files are read at start). */
function databaseTlsProblems(c: Config, isSet: (key: keyof Config) => boolean): string[] {
  const problems: string[] = [];
  const files = (['DATABASE_TLS_CA_PATH', 'DATABASE_TLS_CERT_PATH', 'DATABASE_TLS_KEY_PATH'] as const).filter(isSet);
  if (isSet('DATABASE_TLS_CERT_PATH') !== isSet('DATABASE_TLS_KEY_PATH'))
    problems.push(
      `${isSet('DATABASE_TLS_CERT_PATH') ? 'DATABASE_TLS_KEY_PATH' : 'DATABASE_TLS_CERT_PATH'}: a client certificate needs its key, ` +
        `but only ${isSet('DATABASE_TLS_CERT_PATH') ? 'DATABASE_TLS_CERT_PATH' : 'DATABASE_TLS_KEY_PATH'} is set`,
    );
  if (files.length > 0 && (c.DATABASE_TLS === undefined || c.DATABASE_TLS === 'disable'))
    problems.push(
      `DATABASE_TLS: ${c.DATABASE_TLS ?? 'unset'}, but ${files.join(', ')} ${files.length === 1 ? 'is' : 'are'} set. ` +
        'Set DATABASE_TLS to verify-full (or verify-ca, require), or unset those',
    );
  // pg lets the URL's own TLS parameters override the pool's: two sources would make the variables a lie.
  const urlTls = c.DATABASE_URL ? [...new URL(c.DATABASE_URL).searchParams.keys()].filter((k) => /^ssl/.test(k)) : [];
  if (c.DATABASE_TLS !== undefined && urlTls.length > 0)
    problems.push(`DATABASE_TLS: set, and DATABASE_URL has ${urlTls.join(', ')} too. Give TLS settings one way: the DATABASE_TLS variables, or DATABASE_URL's parameters`);
  if (c.DATABASE_TLS !== undefined && !c.DATABASE_URL)
    problems.push('DATABASE_TLS: set, but DATABASE_URL is not: the embedded Postgres listens on loopback without TLS. Set DATABASE_URL, or unset the DATABASE_TLS variables');
  return problems;
}

/** Returns the problems of single sign-on settings that only work together. */
function oidcProblems(c: Config, isSet: (key: keyof Config) => boolean): string[] {
  const given = OIDC_REQUIRED.filter(isSet);
  const missing = OIDC_REQUIRED.filter((k) => !isSet(k));
  if (given.length === 0) {
    const stray = (['OIDC_ROLE_CLAIM', 'OIDC_ROLE_MAP'] as const).filter(isSet);
    return stray.length > 0
      ? [`${stray.join(', ')}: set, but single sign-on is off without ${OIDC_REQUIRED.join(', ')}. Set those, or unset ${stray.join(', ')}`]
      : [];
  }
  if (missing.length > 0)
    return [
      `${missing.join(', ')}: single sign-on needs ${OIDC_REQUIRED.join(', ')} together, but only ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set. ` +
        "Set the missing ones (the provider's issuer URL, and the client id and secret it gave Klaxon), or unset every OIDC_ variable to turn single sign-on off",
    ];
  const problems: string[] = [];
  const issuer = new URL(c.OIDC_ISSUER!);
  // The provider's answers carry who someone is: in clear, anyone on the path could sign in as them.
  if (issuer.protocol !== 'https:' && !isLoopbackHost(issuer.hostname))
    problems.push(`OIDC_ISSUER: ${c.OIDC_ISSUER} is plain http; a provider must be reached over https (http only on this machine, for a test provider)`);
  if (!c.OIDC_ROLE_MAP)
    problems.push(
      'OIDC_ROLE_MAP: unset, so nobody the provider vouches for would get a role. Map claim values to roles (oncall-admins=admin,oncall=responder), ' +
        'and *=viewer (or another role) for everyone else',
    );
  else if (c.OIDC_ROLE_MAP.byValue.size > 0 && !c.OIDC_ROLE_CLAIM)
    problems.push(`OIDC_ROLE_CLAIM: unset, but OIDC_ROLE_MAP maps claim values (${[...c.OIDC_ROLE_MAP.byValue.keys()].join(', ')}). Name the claim that holds them (e.g. groups)`);
  if (!isLoopbackHost(c.HOST) && !c.PUBLIC_URL)
    problems.push(
      `PUBLIC_URL: unset while HOST=${c.HOST} listens beyond this machine and single sign-on is on: the provider would send people back to ` +
        `${publicUrlOf(c)}/auth/oidc/callback. Set PUBLIC_URL to the address people reach Klaxon at, and register <PUBLIC_URL>/auth/oidc/callback at the provider`,
    );
  return problems;
}

/** Returns the URL the provider sends people back to after they sign in there. */
export function oidcRedirectUriOf(config: Pick<Config, 'PUBLIC_URL' | 'HOST' | 'PORT'>): string {
  return `${publicUrlOf(config).replace(/\/+$/, '')}/auth/oidc/callback`;
}

/** Returns the base URL people reach the API at: PUBLIC_URL, else the address it listens on. */
export function publicUrlOf(config: Pick<Config, 'PUBLIC_URL' | 'HOST' | 'PORT'>): string {
  return config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
}

/** Resolves a possibly relative directory from the config against the project root. */
export function projectPath(dir: string): string {
  return path.resolve(PROJECT_ROOT, dir);
}
