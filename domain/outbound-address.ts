/**
 * Where Klaxon may send a webhook: public unicast addresses only, unless the operator's allowlist
 * (OUTBOUND_ALLOWLIST) permits an internal receiver. A webhook URL is chosen by whoever configures a policy
 * or a contact method, so without this rule it reaches whatever the worker can: Postgres on loopback, a
 * cloud metadata service on 169.254.169.254, anything on the private network. The API applies it when a
 * target is saved (to IP literals: a name is checked when it is resolved) and the webhook notifier applies
 * it to every address a name resolves to, just before connecting. This module is the one statement of the
 * rule. Pure.
 *
 * Classification is ipaddr.js's (the library Express's proxy-addr uses) rather than masks written here:
 * its range tables are maintained against the IANA special-purpose registries, and it parses every IPv6
 * spelling (compressed, embedded dotted quad) that a hand-written parser tends to get wrong.
 */
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** What OUTBOUND_ALLOWLIST permits beyond public addresses. */
export interface OutboundAllowlist {
  /** CIDR ranges; a single address is a /32 or a /128. */
  readonly ranges: readonly (readonly [Address, number])[];
  /** Host names (lower case, no trailing dot) permitted whatever they resolve to. */
  readonly hosts: ReadonlySet<string>;
}

export const NO_ALLOWLIST: OutboundAllowlist = { ranges: [], hosts: new Set() };

const HINT = '(set OUTBOUND_ALLOWLIST to permit it)';

// What each ipaddr.js range is, in a message; any other name that is not plain unicast is "reserved".
const RANGE_WORDS: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private address',
  uniqueLocal: 'a unique-local address',
  deprecatedSiteLocal: 'a site-local address',
};
const rangeWords = (range: string) => RANGE_WORDS[range] ?? 'a reserved address';

/** Returns the address an IP literal spells (IPv6 with or without brackets), or undefined for anything else. */
function ipLiteral(text: string): Address | undefined {
  const h = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  // Four-part decimal only: 0x7f000001 or 127.1 are names to a resolver, not addresses (URLs normalize them first).
  if (ipaddr.IPv4.isValidFourPartDecimal(h)) return ipaddr.IPv4.parse(h);
  if (h.includes(':') && ipaddr.IPv6.isValid(h)) return ipaddr.IPv6.parse(h);
  return undefined;
}

const v4Of = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);

/**
 * Returns the IPv4 addresses an IPv6 address carries and is routed towards: IPv4-mapped and -compatible
 * forms (the IPv4 host itself), NAT64's well-known prefix, 6to4, and Teredo (its server and client).
 */
function embeddedIPv4(a: ipaddr.IPv6): ipaddr.IPv4[] {
  const p = a.parts as [number, number, number, number, number, number, number, number];
  const range = a.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145') return [v4Of(p[6], p[7])];
  if (range === '6to4') return [v4Of(p[1], p[2])];
  if (range === 'teredo') return [v4Of(p[2], p[3]), v4Of(p[6] ^ 0xffff, p[7] ^ 0xffff)];
  if (range === 'rfc6052' && p[1] === 0xff9b && p[2] === 0) return [v4Of(p[6], p[7])];
  // ::a.b.c.d, the deprecated IPv4-compatible form (:: and ::1 are IPv6's own and classified as such).
  if (p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || p[7] > 1)) return [v4Of(p[6], p[7])];
  return [];
}

/** Returns what makes the address other than public unicast, e.g. "a private address", or undefined. */
function notPublic(a: Address): string | undefined {
  if (a.kind() === 'ipv4') {
    const range = a.range();
    return range === 'unicast' ? undefined : rangeWords(range);
  }
  const v6 = a as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'unspecified' || range === 'loopback') return rangeWords(range);
  const inner = embeddedIPv4(v6);
  if (inner.length > 0) {
    for (const v4 of inner) {
      const why = notPublic(v4);
      if (why) return `a form of ${v4.toString()}, ${why}`;
    }
    return undefined;
  }
  // 2000::/3 is all IPv6 has allocated for global unicast; anything outside it, or special within it, is not public.
  if (range !== 'unicast' || !v6.match(ipaddr.IPv6.parse('2000::'), 3)) return rangeWords(range);
  return undefined;
}

/** Returns whether an allowlist range holds the address (an IPv4-mapped address as its IPv4 host). */
function inAllowlist(a: Address, allowlist: OutboundAllowlist): boolean {
  const forms: Address[] = [a];
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) forms.push((a as ipaddr.IPv6).toIPv4Address());
  return allowlist.ranges.some(([net, bits]) => forms.some((f) => f.kind() === net.kind() && f.match(net, bits)));
}

/**
 * Returns why Klaxon may not connect to the IP address `ip`, e.g. "10.0.0.5 is a private address (set
 * OUTBOUND_ALLOWLIST to permit it)", or undefined when it may: public unicast, or in the allowlist.
 */
export function addressRefusal(ip: string, allowlist: OutboundAllowlist): string | undefined {
  const a = ipLiteral(ip);
  if (!a) return `${ip} is not an IP address`;
  if (inAllowlist(a, allowlist)) return undefined;
  const why = notPublic(a);
  return why ? `${ip} is ${why} ${HINT}` : undefined;
}

const normalHost = (host: string) => host.toLowerCase().replace(/\.$/, '');

/** Returns whether the allowlist names this host, which may then be contacted whatever it resolves to. */
export function hostAllowed(host: string, allowlist: OutboundAllowlist): boolean {
  return allowlist.hosts.has(normalHost(host));
}

export type WebhookUrlCheck =
  | { ok: true; url: URL; host: string; ip: string | undefined }
  | { ok: false; problem: 'not_url' | 'scheme' | 'refused'; message: string };

/**
 * Returns the parsed URL of a webhook and its host (an IP literal as `ip`, brackets removed), or what forbids
 * it before any name is resolved: not http(s), credentials in the URL (they would be sent to whoever
 * answers and shown to every viewer; the target's secret signs requests instead), an IP literal that is
 * not permitted, or a name that always means loopback.
 */
export function checkWebhookUrl(address: string, allowlist: OutboundAllowlist): WebhookUrlCheck {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return { ok: false, problem: 'not_url', message: 'is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, problem: 'scheme', message: `must be http or https, not ${url.protocol.replace(/:$/, '')}` };
  if (url.username || url.password)
    return { ok: false, problem: 'refused', message: "the URL carries a user name or password (user:password@); the target's secret signs Klaxon's requests instead" };
  // The WHATWG parser has already turned 0x7f000001, 127.1 and their kin into dotted quads.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = ipLiteral(host);
  if (literal) {
    const refusal = addressRefusal(host, allowlist);
    return refusal ? { ok: false, problem: 'refused', message: refusal } : { ok: true, url, host, ip: host };
  }
  // RFC 6761: resolvers answer loopback for these whatever DNS says.
  const name = normalHost(host);
  if ((name === 'localhost' || name.endsWith('.localhost')) && !hostAllowed(name, allowlist))
    return { ok: false, problem: 'refused', message: `${host} is a loopback name ${HINT}` };
  return { ok: true, url, host, ip: undefined };
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Returns the host name an allowlist entry spells, or undefined when it is not one. */
function hostName(entry: string): string | undefined {
  const name = normalHost(entry);
  if (name.length === 0 || name.length > 253) return undefined;
  const labels = name.split('.');
  // A last label of digits only would make it an IPv4 address to a URL parser, or a typo of one.
  if (!labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1)!)) return undefined;
  return name;
}

/**
 * Returns the allowlist in `text` (comma-separated CIDR ranges such as 10.0.0.0/8, single IP addresses,
 * host names such as hooks.internal) and one problem per entry that is none of those.
 */
export function parseAllowlist(text: string | undefined): { allowlist: OutboundAllowlist; problems: string[] } {
  const ranges: (readonly [Address, number])[] = [];
  const hosts = new Set<string>();
  const problems: string[] = [];
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const slash = entry.lastIndexOf('/');
    if (slash >= 0) {
      const net = ipLiteral(entry.slice(0, slash));
      const bitsText = entry.slice(slash + 1);
      const max = net?.kind() === 'ipv4' ? 32 : 128;
      if (net && /^\d{1,3}$/.test(bitsText) && Number(bitsText) <= max) ranges.push([net, Number(bitsText)] as const);
      else problems.push(`"${entry}" is not a CIDR range (an address and a prefix length, e.g. 10.0.0.0/8 or fd00::/8)`);
      continue;
    }
    const single = ipLiteral(entry);
    if (single) ranges.push([single, single.kind() === 'ipv4' ? 32 : 128] as const);
    else {
      const name = hostName(entry);
      if (name) hosts.add(name);
      else problems.push(`"${entry}" is not a CIDR range, an IP address or a host name`);
    }
  }
  return { allowlist: { ranges, hosts }, problems };
}

/** Returns the text with the credentials of every http(s) URL in it replaced by ***, e.g. https://***@host/. */
export function withoutUrlCredentials(text: string): string {
  return text.replace(/\b(https?:\/\/)[^/?#\s@]+@/gi, '$1***@');
}
