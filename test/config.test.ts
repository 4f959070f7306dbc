import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, oidcRedirectUriOf } from '../runtime/config';
import { temporalTlsWanted } from '../runtime/temporal-connection';

it('applies defaults when nothing is set', () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 3000);
  assert.equal(c.DATABASE_URL, undefined);
  assert.equal(c.TEMPORAL_ADDRESS, undefined);
  assert.equal(c.TEMPORAL_NAMESPACE, 'default');
  assert.equal(c.TEMPORAL_UI_PORT, 8233);
  assert.equal(c.API_RATE_LIMIT_PER_MINUTE, 600);
  assert.equal(c.INGEST_RATE_LIMIT_PER_MINUTE, 1200);
  assert.equal(c.AUTH_FAILURES_PER_MINUTE, 30);
  assert.equal(c.TRUST_PROXY, false);
});

it('reads valid values', () => {
  const c = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u:p@db:5432/klaxon', TEMPORAL_ADDRESS: 'temporal:7233', LOG_LEVEL: 'debug' });
  assert.equal(c.PORT, 8080);
  assert.equal(c.DATABASE_URL, 'postgres://u:p@db:5432/klaxon');
  assert.equal(c.TEMPORAL_ADDRESS, 'temporal:7233');
});

it('treats an empty variable as unset', () => {
  assert.equal(loadConfig({ DATABASE_URL: '' }).DATABASE_URL, undefined);
});

it('names every bad variable at once', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', BODY_LIMIT: 'huge' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const joined = err.problems.join('\n');
      for (const key of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'BODY_LIMIT']) assert.match(joined, new RegExp(`^${key}:`, 'm'));
      assert.equal(err.problems.length, 4);
      return true;
    },
  );
});

it('reads rate limits as positive whole numbers', () => {
  assert.equal(loadConfig({ API_RATE_LIMIT_PER_MINUTE: '30' }).API_RATE_LIMIT_PER_MINUTE, 30);
  for (const bad of ['0', '-5', '1.5', 'lots']) {
    assert.throws(() => loadConfig({ API_RATE_LIMIT_PER_MINUTE: bad }), (err: unknown) => err instanceof ConfigError && /^API_RATE_LIMIT_PER_MINUTE:/.test(err.problems[0]!), bad);
  }
});

it('reads TRUST_PROXY as Express takes it, and refuses what is no address', () => {
  assert.equal(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY, false);
  assert.equal(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY, true);
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY, 2);
  assert.equal(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8, 192.168.1.1/255.255.255.0' }).TRUST_PROXY, 'loopback,10.0.0.0/8,fd00::/8,192.168.1.1/255.255.255.0');
  for (const bad of ['proxy.internal', '10.0.0.0/33', '10.0.0.1/8/8', 'loopback,nginx']) {
    assert.throws(() => loadConfig({ TRUST_PROXY: bad }), (err: unknown) => err instanceof ConfigError && /^TRUST_PROXY:/.test(err.problems[0]!), bad);
  }
  for (const bad of ['0', '2.5']) {
    assert.throws(() => loadConfig({ AUTH_FAILURES_PER_MINUTE: bad }), (err: unknown) => err instanceof ConfigError && /^AUTH_FAILURES_PER_MINUTE:/.test(err.problems[0]!), bad);
  }
});

/** Returns the problems loadConfig refuses env with (none: it loads). */
const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
};
const TWILIO = { TWILIO_ACCOUNT_SID: 'AC0123', TWILIO_AUTH_TOKEN: 'token-0123', TWILIO_FROM_NUMBER: '+15550000000' };

it('refuses partial Twilio settings, naming the missing variables and how to fix them', () => {
  assert.deepEqual(problemsOf(TWILIO), []);
  assert.deepEqual(problemsOf({ ...TWILIO, TWILIO_API_URL: 'http://127.0.0.1:9999' }), []);
  const [one, ...rest] = problemsOf({ TWILIO_ACCOUNT_SID: 'AC0123' });
  assert.equal(rest.length, 0);
  assert.match(one!, /^TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER: SMS pages need TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER together, but only TWILIO_ACCOUNT_SID is set\. Set the missing ones .* or unset every TWILIO_ variable/);
  assert.match(problemsOf({ ...TWILIO, TWILIO_FROM_NUMBER: ' ' })[0]!, /^TWILIO_FROM_NUMBER: .* only TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN are set/, 'blank is unset');
  assert.match(problemsOf({ TWILIO_API_URL: 'http://127.0.0.1:9999' })[0]!, /^TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER: .* only TWILIO_API_URL is set/);
});

it('refuses partial SMTP settings: a sender without a server, a user without a password or the reverse', () => {
  assert.deepEqual(problemsOf({ SMTP_URL: 'smtp://klaxon:secret@mail:587', SMTP_FROM: 'Pager <p@example.com>' }), []);
  assert.deepEqual(problemsOf({ SMTP_URL: 'smtp://mail:25' }), [], 'a server without authentication');
  assert.equal(loadConfig({}).SMTP_FROM, 'Klaxon <klaxon@localhost>', 'the default sender when nothing is set');
  assert.equal(loadConfig({ SMTP_URL: 'smtp://mail:25', SMTP_FROM: '' }).SMTP_FROM, 'Klaxon <klaxon@localhost>', 'blank is unset');
  assert.match(problemsOf({ SMTP_FROM: 'Pager <p@example.com>' })[0]!, /^SMTP_FROM: set, but SMTP_URL is not, so email pages are off\. Set SMTP_URL .* or unset SMTP_FROM/);
  assert.match(problemsOf({ SMTP_URL: 'smtp://klaxon@mail:587' })[0]!, /^SMTP_URL: has a user but no password.* Give both/);
  assert.match(problemsOf({ SMTP_URL: 'smtp://:secret@mail:587' })[0]!, /^SMTP_URL: has a password but no user/);
});

it('refuses a HOST beyond loopback without PUBLIC_URL when pages or replies carry links, and says how to fix it', () => {
  for (const channel of [{ SMTP_URL: 'smtp://mail:25' }, TWILIO, { LINK_SIGNING_SECRET: 'x'.repeat(32) }]) {
    const problems = problemsOf({ HOST: '0.0.0.0', ...channel });
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0]!, new RegExp(`^PUBLIC_URL: unset while HOST=0\\.0\\.0\\.0 listens beyond this machine and ${Object.keys(channel).join(', ')} (is|are) set: pages would link to http://0\\.0\\.0\\.0:3000 and Twilio's signature checks .* Set PUBLIC_URL to the address`));
    assert.deepEqual(problemsOf({ HOST: '0.0.0.0', PUBLIC_URL: 'https://klaxon.example.com', ...channel }), []);
    assert.deepEqual(problemsOf({ HOST: '127.0.0.1', ...channel }), [], 'loopback: the default URL is right for this machine');
  }
  for (const host of ['10.0.0.5', '::', 'klaxon.internal']) assert.equal(problemsOf({ HOST: host, SMTP_URL: 'smtp://mail:25' }).length, 1, host);
  for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) assert.deepEqual(problemsOf({ HOST: host, SMTP_URL: 'smtp://mail:25' }), [], host);
  assert.deepEqual(problemsOf({ HOST: '0.0.0.0' }), [], 'no channel, no reply path: no link to get wrong');
});

it('reports every cross-field problem at once', () => {
  const problems = problemsOf({ HOST: '0.0.0.0', TWILIO_AUTH_TOKEN: 'token-0123', SMTP_URL: 'smtp://klaxon@mail:587' });
  assert.deepEqual(problems.map((p) => p.split(':')[0]), ['TWILIO_ACCOUNT_SID, TWILIO_FROM_NUMBER', 'SMTP_URL', 'PUBLIC_URL']);
});

it('reads OUTBOUND_ALLOWLIST: CIDR ranges, addresses and host names; unset permits nothing internal', () => {
  const none = loadConfig({}).OUTBOUND_ALLOWLIST;
  assert.deepEqual([none.ranges.length, [...none.hosts]], [0, []]);
  const c = loadConfig({ OUTBOUND_ALLOWLIST: '10.0.0.0/8, 192.168.1.7,fd00::/8 ,hooks.internal' });
  assert.deepEqual([c.OUTBOUND_ALLOWLIST.ranges.length, [...c.OUTBOUND_ALLOWLIST.hosts]], [3, ['hooks.internal']]);
});

it('refuses bad OUTBOUND_ALLOWLIST entries at start-up, naming each one', () => {
  const problems = problemsOf({ OUTBOUND_ALLOWLIST: '10.0.0.0/8,10.0.0.0/33,hooks internal,*.corp,hooks.internal' });
  assert.equal(problems.length, 3, problems.join('\n'));
  for (const [i, bad] of ['10.0.0.0/33', 'hooks internal', '*.corp'].entries()) {
    assert.match(problems[i]!, /^OUTBOUND_ALLOWLIST: /);
    assert.ok(problems[i]!.includes(`"${bad}" is not a CIDR range`), problems[i]);
  }
});

describe('single sign-on (OIDC_*)', () => {
  const OIDC = {
    OIDC_ISSUER: 'https://id.example.com/realms/ops',
    OIDC_CLIENT_ID: 'klaxon',
    OIDC_CLIENT_SECRET: 's3cret',
    OIDC_ROLE_CLAIM: 'groups',
    OIDC_ROLE_MAP: 'oncall-admins=admin,oncall=responder,*=viewer',
  };

  it('is off by default, and reads a full set with the documented defaults', () => {
    const off = loadConfig({});
    assert.equal(off.OIDC_ISSUER, undefined);
    assert.equal(off.OIDC_SCOPES, 'openid email profile');
    assert.equal(off.OIDC_DISPLAY_NAME, 'Single sign-on');
    const on = loadConfig({ ...OIDC, OIDC_SCOPES: ' openid  email groups ' });
    assert.equal(on.OIDC_SCOPES, 'openid email groups');
    assert.deepEqual([...on.OIDC_ROLE_MAP!.byValue], [['oncall-admins', 'admin'], ['oncall', 'responder']]);
    assert.equal(on.OIDC_ROLE_MAP!.fallback, 'viewer');
    assert.equal(oidcRedirectUriOf({ ...on, PUBLIC_URL: 'https://klaxon.example.com/' }), 'https://klaxon.example.com/auth/oidc/callback');
  });

  it('is all or nothing: an issuer without the client, or the reverse, names the missing variables', () => {
    const [problem, ...rest] = problemsOf({ OIDC_ISSUER: OIDC.OIDC_ISSUER, OIDC_ROLE_MAP: '*=viewer' });
    assert.deepEqual(rest, []);
    assert.match(problem!, /^OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET together, but only OIDC_ISSUER is set/);
    assert.match(problemsOf({ OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' })[0]!, /^OIDC_ISSUER: single sign-on needs/);
    assert.match(problemsOf({ OIDC_ROLE_MAP: '*=viewer' })[0]!, /^OIDC_ROLE_MAP: set, but single sign-on is off without OIDC_ISSUER/);
  });

  it('refuses a role map that maps nothing usable, claim values without a claim, and a plain-http issuer elsewhere', () => {
    assert.match(problemsOf({ ...OIDC, OIDC_ROLE_MAP: undefined })[0]!, /^OIDC_ROLE_MAP: unset, so nobody/);
    assert.match(problemsOf({ ...OIDC, OIDC_ROLE_MAP: 'ops=root' })[0]!, /^OIDC_ROLE_MAP: "ops=root": root is not a role/);
    assert.match(problemsOf({ ...OIDC, OIDC_ROLE_CLAIM: undefined })[0]!, /^OIDC_ROLE_CLAIM: unset, but OIDC_ROLE_MAP maps claim values \(oncall-admins, oncall\)/);
    assert.deepEqual(problemsOf({ ...OIDC, OIDC_ROLE_CLAIM: undefined, OIDC_ROLE_MAP: '*=responder' }), [], 'everyone alike needs no claim');
    assert.match(problemsOf({ ...OIDC, OIDC_ISSUER: 'http://id.example.com' })[0]!, /^OIDC_ISSUER: http:\/\/id\.example\.com is plain http/);
    assert.deepEqual(problemsOf({ ...OIDC, OIDC_ISSUER: 'http://127.0.0.1:9000' }), [], 'a provider on this machine');
    assert.match(problemsOf({ ...OIDC, OIDC_SCOPES: 'email profile' })[0]!, /^OIDC_SCOPES: must include openid/);
  });

  it('wants PUBLIC_URL beyond loopback: the provider sends people back to it', () => {
    const [problem] = problemsOf({ ...OIDC, HOST: '0.0.0.0' });
    assert.match(problem!, /^PUBLIC_URL: unset while HOST=0\.0\.0\.0 .* single sign-on is on: the provider would send people back to http:\/\/0\.0\.0\.0:3000\/auth\/oidc\/callback/);
    assert.deepEqual(problemsOf({ ...OIDC, HOST: '0.0.0.0', PUBLIC_URL: 'https://klaxon.example.com' }), []);
  });
});

describe('Temporal TLS settings', () => {
  const address = { TEMPORAL_ADDRESS: 'temporal.internal:7233' };

  it('turns TLS on when a CA, a client certificate, a server name or an API key is given', () => {
    assert.equal(temporalTlsWanted(loadConfig(address)), false);
    for (const env of [{ TEMPORAL_TLS_CA_PATH: '/ca.crt' }, { TEMPORAL_TLS_SERVER_NAME: 'frontend' }, { TEMPORAL_API_KEY: 'key' }, { TEMPORAL_TLS: 'true' }])
      assert.equal(temporalTlsWanted(loadConfig({ ...address, ...env })), true, JSON.stringify(env));
  });

  it('refuses a client certificate without its key, and the reverse', () => {
    assert.match(problemsOf({ ...address, TEMPORAL_TLS_CERT_PATH: '/c.crt' }).join(), /^TEMPORAL_TLS_KEY_PATH: mTLS needs the client certificate and its key together, but only TEMPORAL_TLS_CERT_PATH is set/);
    assert.match(problemsOf({ ...address, TEMPORAL_TLS_KEY_PATH: '/c.key' }).join(), /^TEMPORAL_TLS_CERT_PATH: .* but only TEMPORAL_TLS_KEY_PATH is set/);
  });

  it('refuses TEMPORAL_TLS=false beside settings that need TLS, an API key among them', () => {
    assert.deepEqual(problemsOf({ ...address, TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'key' }), [
      'TEMPORAL_TLS: false, but TEMPORAL_API_KEY is set, which only work over TLS (an API key in plaintext is readable on the way). Unset TEMPORAL_TLS (or set it to true), or unset those',
    ]);
    assert.match(problemsOf({ ...address, TEMPORAL_TLS: 'yes' }).join(), /^TEMPORAL_TLS: /);
  });

  it("refuses TLS settings without TEMPORAL_ADDRESS: npm start's own dev server is plaintext", () => {
    assert.match(problemsOf({ TEMPORAL_TLS_CA_PATH: '/ca.crt' }).join(), /^TEMPORAL_ADDRESS: unset, so `npm start` runs its own plaintext dev server, but TEMPORAL_TLS_CA_PATH is set/);
  });
});
