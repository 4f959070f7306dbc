/**
 * Klaxon as an OpenID Connect relying party, through openid-client (certified, by the author of the
 * provider the tests run against): discovery, the authorization URL with PKCE, the code exchange with its
 * checks (state, nonce, ID token signature, issuer, audience), and userinfo.
 *
 * openid-client is ESM-only and Klaxon is CommonJS: tsc (module node20) emits a plain require() of it,
 * which Node loads since 20.19 without a flag (require(esm); package.json's engines says so). That works
 * the same under tsx, the compiled build and the tests, with no dynamic import() to keep tsc from
 * rewriting and no async loader in the way of the first request.
 */
import * as oidc from 'openid-client';
import type { RoleMap } from '../domain/sign-in-rules';
import { isLoopbackHost } from '../runtime/config';
import type { ApiKeyRole } from '../store/api-keys';

/** Single sign-on as configured (OIDC_* in runtime/config.ts). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated, openid included. */
  scopes: string;
  /** The claim holding the values OIDC_ROLE_MAP maps; unset when the map has only `*`. */
  roleClaim?: string;
  roleMap: RoleMap<ApiKeyRole>;
  /** The console's label for the sign-in button. */
  displayName: string;
  /** <PUBLIC_URL>/auth/oidc/callback, as registered at the provider. */
  redirectUri: string;
  /** Deadline of each request to the provider (default 10 s): a person is waiting at the other end. */
  timeoutMs?: number;
}

/** What the provider vouched for: who (issuer and subject) and the claims that came with it. */
export interface ProviderAnswer {
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
}

/** The provider could not be reached, or answered something other than OpenID Connect, in time. */
export class ProviderUnavailable extends Error {
  override name = 'ProviderUnavailable';
}

/** The provider's answer did not check out, or it refused the exchange (e.g. a code used twice). */
export class ProviderAnswerRefused extends Error {
  override name = 'ProviderAnswerRefused';
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Returns true for an error of reaching the provider: refused, reset, timed out, or a non-OIDC answer. */
function isUnreachable(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
    const code = (e as { code?: unknown }).code;
    if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON') return true;
  }
  return false;
}

/** Returns err as ProviderUnavailable or ProviderAnswerRefused, with what it was as the cause. */
function classified(err: unknown, doing: string): Error {
  const message = `${doing}: ${err instanceof Error ? err.message : String(err)}`;
  return isUnreachable(err)
    ? new ProviderUnavailable(message, { cause: err })
    : new ProviderAnswerRefused(message, { cause: err });
}

/** One provider, discovered on first use (and again after a failed discovery), not at start-up. */
export class OidcClient {
  private discovered: Promise<oidc.Configuration> | undefined;

  constructor(readonly settings: OidcSettings) {}

  private get timeoutSeconds(): number {
    return (this.settings.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000;
  }

  /**
   * Returns the provider's configuration. Discovered lazily so that Klaxon starts (and pages) while the
   * provider is down; a failure is forgotten so the next sign-in tries again. Signing keys are not part
   * of it: openid-client fetches the JWKS itself and again when a token names a key it does not know.
   */
  private configuration(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    // Plain http is accepted only for a provider on this machine (config refuses it elsewhere).
    const insecure = new URL(issuer).protocol === 'http:' && isLoopbackHost(new URL(issuer).hostname);
    this.discovered ??= oidc
      .discovery(new URL(issuer), clientId, clientSecret, undefined, {
        timeout: this.timeoutSeconds,
        execute: insecure ? [oidc.allowInsecureRequests] : [],
      })
      .catch((err: unknown) => {
        this.discovered = undefined;
        throw classified(err, `discovery at ${issuer}`);
      });
    return this.discovered;
  }

  /** Returns the provider's authorization URL for a sign-in with this state, nonce and PKCE verifier. */
  async authorizationUrl(p: { state: string; nonce: string; codeVerifier: string }): Promise<URL> {
    const config = await this.configuration();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes,
      response_type: 'code',
      state: p.state,
      nonce: p.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(p.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * Returns who the provider vouches for, from the code in `callbackUrl`: the code is exchanged and the
   * ID token checked against the expected state, nonce and PKCE verifier. Userinfo is asked as well when
   * the ID token lacks the role claim or the email (many providers put scope claims only there).
   */
  async answer(
    callbackUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<ProviderAnswer> {
    const config = await this.configuration();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        pkceCodeVerifier: expected.codeVerifier,
        idTokenExpected: true,
      });
    } catch (err) {
      throw classified(err, 'code exchange');
    }
    const idClaims = tokens.claims()!;
    const claims: Record<string, unknown> = { ...idClaims };
    const { roleClaim } = this.settings;
    if ((roleClaim && !(roleClaim in idClaims)) || !('email' in idClaims)) {
      try {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        // The ID token's claims are the signed ones: userinfo only fills what it lacks.
        for (const [k, v] of Object.entries(info)) if (!(k in claims)) claims[k] = v;
      } catch (err) {
        throw classified(err, 'userinfo');
      }
    }
    return { issuer: idClaims.iss, subject: idClaims.sub, claims };
  }
}
