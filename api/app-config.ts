/**
 * What the API takes from configuration, in one place for both ways of running it (`npm run api` and
 * `npm start`), and what it prints on a first start.
 */
import type pg from 'pg';
import { oidcRedirectUriOf, publicUrlOf, type Config } from '../runtime/config';
import { bootstrapAdminKey } from '../store/api-keys';
import { bootstrapSetupToken } from '../store/sessions';
import type { AppDeps } from './app';
import type { OidcSettings } from './oidc-client';
import { repliesFromConfig } from './replies';

/** Returns the app's settings from configuration: everything but its connections, logger and caches. */
export function appSettingsOf(
  config: Config,
): Omit<AppDeps, 'pool' | 'temporal' | 'taskQueue' | 'log' | 'caches'> {
  return {
    bodyLimit: config.BODY_LIMIT,
    slaAtRiskFraction: config.SLA_AT_RISK_FRACTION,
    reopenWindowMs: config.REOPEN_WINDOW_MINUTES * 60_000,
    ingestRatePerMinute: config.INGEST_RATE_LIMIT_PER_MINUTE,
    replies: repliesFromConfig(config),
    apiRatePerMinute: config.API_RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: config.AUTH_FAILURES_PER_MINUTE,
    trustProxy: config.TRUST_PROXY,
    outboundAllowlist: config.OUTBOUND_ALLOWLIST,
    metricsToken: config.METRICS_TOKEN,
    workerPollMaxAgeMs: config.READY_WORKER_POLL_SECONDS * 1000,
    sessions: {
      idleMs: config.SESSION_IDLE_HOURS * 3_600_000,
      maxAgeMs: config.SESSION_MAX_DAYS * 86_400_000,
      secureCookies: config.PUBLIC_URL?.startsWith('https:') ?? false,
    },
    oidc: oidcOf(config),
  };
}

/** Returns single sign-on's settings, or undefined when it is off (config checked they come together). */
function oidcOf(config: Config): OidcSettings | undefined {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret, OIDC_ROLE_MAP: roleMap } = config;
  if (!issuer || !clientId || !clientSecret || !roleMap) return undefined;
  return {
    issuer,
    clientId,
    clientSecret,
    scopes: config.OIDC_SCOPES,
    roleClaim: config.OIDC_ROLE_CLAIM,
    roleMap,
    displayName: config.OIDC_DISPLAY_NAME,
    redirectUri: oidcRedirectUriOf(config),
  };
}

/** What a first start hands out, each shown once: an admin API key, and the link that sets up the first admin. */
export interface FirstStart {
  adminKey?: string;
  setupLink?: string;
}

/**
 * Returns the admin API key when the database has no key yet, and a set-up link when no admin can sign
 * in to the console yet (a new one each start until one can; the token is in the fragment, which
 * browsers never send to a server or a proxy's log).
 */
export async function firstStart(pool: pg.Pool, config: Config): Promise<FirstStart> {
  const adminKey = await bootstrapAdminKey(pool);
  const token = await bootstrapSetupToken(pool, config.SETUP_LINK_TTL_HOURS * 3_600_000);
  return {
    ...(adminKey ? { adminKey } : {}),
    ...(token ? { setupLink: `${publicUrlOf(config)}/console/setup#${token}` } : {}),
  };
}
