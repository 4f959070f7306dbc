/**
 * A real OpenID Connect provider for tests: panva's certified oidc-provider, in this process on a free
 * loopback port, with one confidential client and accounts the test defines. Its development
 * interactions (a login form taking any password, then a consent form) stand in for a provider's sign-in
 * pages; signInThrough() fills them in over HTTP, as a browser would, carrying each origin's cookies.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** What the provider says of an account: its claims, by the scope that releases them. */
export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by subject; add to it at any time. */
  accounts: Map<string, TestAccount>;
  close(): Promise<void>;
}

/** Returns a started provider whose client may redirect to redirectUri. */
export async function startTestProvider(redirectUri: string): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, TestAccount>();
  const clientId = 'klaxon';
  const clientSecret = 'klaxon-test-client-secret';
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    // `groups` is a scope of its own, as at Okta: Klaxon must ask for it (OIDC_SCOPES).
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      return account && { accountId: sub, claims: () => ({ sub, ...account }) };
    },
    jwks: { keys: [{ ...signingKey, kid: 'test', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['oidc-test-cookie-key'] },
    features: { devInteractions: { enabled: true } },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Cookies by origin (host and port), as a browser keeps them: set by responses, sent with requests. */
export class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();

  /** Returns the cookie's value for the URL's origin, or undefined. */
  get(url: string, name: string): string | undefined {
    return this.byOrigin.get(new URL(url).host)?.get(name);
  }

  /** Sets (or, with undefined, deletes) a cookie for the URL's origin, as a test tampering would. */
  set(url: string, name: string, value: string | undefined): void {
    const jar = this.byOrigin.get(new URL(url).host) ?? new Map<string, string>();
    this.byOrigin.set(new URL(url).host, jar);
    if (value === undefined) jar.delete(name);
    else jar.set(name, value);
  }

  /** Sends a request without following redirects, carrying and then keeping the origin's cookies. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const jar = this.byOrigin.get(new URL(url).host);
    const headers = new Headers(init.headers);
    if (jar?.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const expired = attributes.some(
        (a) => /^\s*max-age\s*=\s*0\s*$/i.test(a) || /^\s*expires\s*=.*1970/i.test(a),
      );
      this.set(url, pair.slice(0, at).trim(), expired ? undefined : pair.slice(at + 1).trim());
    }
    return res;
  }
}

/**
 * Follows redirects from `location` through the provider's login and consent forms, signing in as
 * `subject`, until the provider sends the browser to a URL starting with `until` (the callback), and
 * returns that URL without requesting it.
 */
export async function signInThrough(
  jar: CookieJar,
  location: string,
  subject: string,
  until: string,
): Promise<string> {
  let url = location;
  for (let step = 0; step < 20; step++) {
    if (url.startsWith(until)) return url;
    const res = await jar.fetch(url);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).href;
      continue;
    }
    const page = await res.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    const action = /<form[^>]* action="([^"]+)"/.exec(page)?.[1];
    if (res.status !== 200 || !prompt || !action)
      throw new Error(`unexpected page at ${url}: ${res.status} ${page.slice(0, 500)}`);
    const form = new URLSearchParams(
      prompt === 'login' ? { prompt, login: subject, password: 'any' } : { prompt },
    );
    const submitted = await jar.fetch(new URL(action.replace(/&amp;/g, '&'), url).href, {
      method: 'POST',
      body: form,
    });
    if (submitted.status < 300 || submitted.status >= 400)
      throw new Error(`the ${prompt} form answered ${submitted.status}`);
    url = new URL(submitted.headers.get('location')!, url).href;
  }
  throw new Error(`no redirect to ${until} after 20 steps`);
}
