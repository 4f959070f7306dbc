import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressRefusal, checkWebhookUrl, hostAllowed, NO_ALLOWLIST, parseAllowlist, withoutUrlCredentials } from './outbound-address';

const allow = (text: string) => {
  const { allowlist, problems } = parseAllowlist(text);
  assert.deepEqual(problems, []);
  return allowlist;
};

describe('addressRefusal', () => {
  it('refuses every address that is not public unicast, saying what it is', () => {
    const cases: [string, RegExp][] = [
      ['127.0.0.1', /loopback/],
      ['127.255.0.9', /loopback/],
      ['10.0.0.5', /private/],
      ['172.16.0.1', /private/],
      ['172.31.255.255', /private/],
      ['192.168.1.1', /private/],
      ['169.254.169.254', /link-local/],
      ['100.64.0.1', /carrier-grade NAT/],
      ['100.127.255.254', /carrier-grade NAT/],
      ['0.0.0.0', /unspecified/],
      ['0.1.2.3', /unspecified/],
      ['255.255.255.255', /broadcast/],
      ['224.0.0.1', /multicast/],
      ['239.255.255.250', /multicast/],
      ['240.0.0.1', /reserved/],
      ['192.0.2.1', /reserved/],
      ['198.18.0.1', /reserved/],
      ['::1', /loopback/],
      ['::', /unspecified/],
      ['fd00::1', /unique-local/],
      ['fc00::1', /unique-local/],
      ['fe80::1', /link-local/],
      ['ff02::1', /multicast/],
      ['2001:db8::1', /reserved/],
      ['fec0::1', /site-local/],
      // IPv6 forms that carry an IPv4 address: the IPv4 address decides.
      ['::ffff:127.0.0.1', /form of 127\.0\.0\.1, a loopback/],
      ['::ffff:7f00:1', /form of 127\.0\.0\.1, a loopback/],
      ['::ffff:a9fe:a9fe', /form of 169\.254\.169\.254, a link-local/],
      ['::127.0.0.1', /form of 127\.0\.0\.1/],
      ['::ffff:0:10.1.2.3', /form of 10\.1\.2\.3, a private/],
      ['64:ff9b::10.0.0.1', /form of 10\.0\.0\.1, a private/],
      ['2002:a00:1::1', /form of 10\.0\.0\.1, a private/],
      // Teredo: server 65.54.227.120, client 10.0.0.1 (stored inverted).
      ['2001:0:4136:e378:8000:63bf:f5ff:fffe', /form of 10\.0\.0\.1, a private/],
    ];
    for (const [ip, why] of cases) {
      const refusal = addressRefusal(ip, NO_ALLOWLIST);
      assert.ok(refusal, `${ip} should be refused`);
      assert.match(refusal, why, ip);
      assert.ok(refusal.startsWith(`${ip} is `), refusal);
      assert.match(refusal, /\(set OUTBOUND_ALLOWLIST to permit it\)$/, ip);
    }
  });

  it('permits public unicast addresses, and IPv6 forms that carry a public IPv4 address', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '93.184.216.34', '100.63.255.255', '100.128.0.0', '172.32.0.1', '2606:4700:4700::1111', '2a00:1450::1', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])
      assert.equal(addressRefusal(ip, NO_ALLOWLIST), undefined, ip);
  });

  it('names the address in the message the operator sees', () => {
    assert.equal(addressRefusal('10.0.0.5', NO_ALLOWLIST), '10.0.0.5 is a private address (set OUTBOUND_ALLOWLIST to permit it)');
  });

  it('permits addresses in an allowlisted range or equal to an allowlisted address, and nothing more', () => {
    const list = allow('10.1.0.0/16, 127.0.0.1, fd12::/16');
    assert.equal(addressRefusal('10.1.200.3', list), undefined);
    assert.equal(addressRefusal('127.0.0.1', list), undefined);
    assert.equal(addressRefusal('::ffff:127.0.0.1', list), undefined, 'the IPv4-mapped form of an allowlisted address');
    assert.equal(addressRefusal('fd12::9', list), undefined);
    assert.match(addressRefusal('10.2.0.1', list)!, /private/);
    assert.match(addressRefusal('127.0.0.2', list)!, /loopback/);
    assert.match(addressRefusal('fd13::9', list)!, /unique-local/);
    assert.match(addressRefusal('::1', list)!, /loopback/);
  });

  it('refuses what is not an address', () => {
    assert.equal(addressRefusal('example.com', NO_ALLOWLIST), 'example.com is not an IP address');
  });
});

describe('checkWebhookUrl', () => {
  const refused = (url: string, list = NO_ALLOWLIST) => {
    const c = checkWebhookUrl(url, list);
    assert.equal(c.ok, false, url);
    return c.ok ? undefined : c;
  };

  it('refuses IP-literal hosts that are not public, however they are spelled', () => {
    for (const [url, shown] of [
      ['http://127.0.0.1:5432/', '127.0.0.1 is a loopback'],
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local'],
      ['http://[::1]:7233/', '::1 is a loopback'],
      ['http://0x7f000001/', '127.0.0.1 is a loopback'],
      ['http://2130706433/', '127.0.0.1 is a loopback'],
      ['http://127.1/', '127.0.0.1 is a loopback'],
      ['http://0177.0.0.1/', '127.0.0.1 is a loopback'],
      ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 is a form of 127.0.0.1'],
      ['http://10.0.0.5/hook', '10.0.0.5 is a private'],
      ['https://100.64.1.1/', '100.64.1.1 is a carrier-grade NAT'],
      ['http://0.0.0.0:3000/', '0.0.0.0 is an unspecified'],
    ] as const) {
      const c = refused(url);
      assert.equal(c?.problem, 'refused', url);
      assert.ok(c?.message.startsWith(shown), `${url}: ${c?.message}`);
    }
  });

  it('refuses credentials in the URL, other schemes and what is no URL', () => {
    for (const url of ['http://user:pass@hooks.example.com/', 'https://user@hooks.example.com/', 'https://:pass@hooks.example.com/'])
      assert.match(refused(url)!.message, /user name or password/, url);
    assert.equal(refused('ftp://hooks.example.com/')?.problem, 'scheme');
    assert.equal(refused('file:///etc/passwd')?.problem, 'scheme');
    assert.equal(refused('not a url')?.problem, 'not_url');
  });

  it('refuses the names that always mean loopback, unless allowlisted', () => {
    for (const url of ['http://localhost:5432/', 'http://LOCALHOST./', 'http://db.localhost/']) assert.match(refused(url)!.message, /loopback name/, url);
    assert.equal(checkWebhookUrl('http://localhost:3000/', allow('localhost')).ok, true);
  });

  it('lets names through (they are checked when resolved) and public or allowlisted literals', () => {
    const name = checkWebhookUrl('https://hooks.example.com/x?y=1', NO_ALLOWLIST);
    assert.ok(name.ok);
    assert.equal(name.host, 'hooks.example.com');
    assert.equal(name.ip, undefined);
    const literal = checkWebhookUrl('http://[2606:4700::1111]:8080/', NO_ALLOWLIST);
    assert.ok(literal.ok);
    assert.equal(literal.ip, '2606:4700::1111');
    assert.equal(checkWebhookUrl('http://127.0.0.1:9/', allow('127.0.0.0/8')).ok, true);
    assert.equal(checkWebhookUrl('http://[::1]:9/', allow('::1')).ok, true);
  });
});

describe('parseAllowlist', () => {
  it('reads CIDR ranges, single addresses and host names, ignoring blanks and spaces', () => {
    const { allowlist, problems } = parseAllowlist(' 10.0.0.0/8 ,192.168.1.7,, [::1], fd00::/8, Hooks.Internal., ');
    assert.deepEqual(problems, []);
    assert.equal(allowlist.ranges.length, 4);
    assert.deepEqual([...allowlist.hosts], ['hooks.internal']);
    assert.equal(hostAllowed('HOOKS.internal.', allowlist), true);
    assert.equal(hostAllowed('other.internal', allowlist), false);
    assert.deepEqual(parseAllowlist(undefined), { allowlist: { ranges: [], hosts: new Set() }, problems: [] });
  });

  it('names each entry that is none of those', () => {
    const { problems } = parseAllowlist('10.0.0.0/33,::/129,10.0.0.0/x,1.2.3,*.internal,hooks internal,http://hooks.internal,10.0.0.0/8');
    assert.equal(problems.length, 7, problems.join('\n'));
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/x', '1.2.3', '*.internal', 'hooks internal', 'http://hooks.internal'])
      assert.ok(problems.some((p) => p.startsWith(`"${bad}" is not a CIDR range`)), bad);
  });
});

describe('withoutUrlCredentials', () => {
  it('masks the user and password of every http(s) URL in a text, and leaves other text alone', () => {
    assert.equal(withoutUrlCredentials('https://user:pa55@hooks.example.com/x?a=b'), 'https://***@hooks.example.com/x?a=b');
    assert.equal(withoutUrlCredentials('tier 1 webhook page to http://u@h.example/p failed; https://v:w@k/'), 'tier 1 webhook page to http://***@h.example/p failed; https://***@k/');
    for (const s of ['https://hooks.example.com/a@b', 'alice@example.com', 'http://h.example/?q=x@y']) assert.equal(withoutUrlCredentials(s), s);
  });
});
