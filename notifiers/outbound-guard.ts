/**
 * The connect-time half of the outbound rule (domain/outbound-address.ts): a DNS `lookup` for
 * net.connect that checks every address a webhook's host name resolves to and fails, before any
 * connection is attempted, when one is not permitted. net.connect connects to the address this lookup
 * hands back, so the address checked is the address used: a second DNS answer (rebinding) never reaches
 * a socket.
 */
import dns, { type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { addressRefusal, hostAllowed, type OutboundAllowlist } from '../domain/outbound-address';

/** Resolves a host name to all of its addresses (dns.lookup with `all: true`); tests inject their own. */
export type HostResolver = (hostname: string, family: 0 | 4 | 6) => Promise<LookupAddress[]>;

export const systemResolver: HostResolver = (hostname, family) => dns.promises.lookup(hostname, { all: true, family });

/** The guard refused an address; `reason` says which and why. */
export class OutboundRefusedError extends Error {
  readonly code = 'EOUTBOUND';
  constructor(readonly reason: string) {
    super(`refused: ${reason}`);
    this.name = 'OutboundRefusedError';
  }
}

const familyOf = (f: dns.LookupOptions['family']): 0 | 4 | 6 => (f === 4 || f === 'IPv4' ? 4 : f === 6 || f === 'IPv6' ? 6 : 0);

/** Returns the checked answers for `hostname`, or throws OutboundRefusedError naming the first not permitted. */
async function permittedAddresses(hostname: string, family: 0 | 4 | 6, allowlist: OutboundAllowlist, resolve: HostResolver): Promise<LookupAddress[]> {
  const answers = await resolve(hostname, family);
  if (answers.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
  if (hostAllowed(hostname, allowlist)) return answers;
  // Every answer, not just the first: with several, net.connect may try each in turn (autoSelectFamily).
  for (const a of answers) {
    const refusal = addressRefusal(a.address, allowlist);
    if (refusal) throw new OutboundRefusedError(refusal);
  }
  return answers;
}

/**
 * Returns a `lookup` for net.connect / http.request that only ever yields permitted addresses. It answers
 * both ways net asks: one address, or all of them (`all: true`, as autoSelectFamily does).
 */
export function guardedLookup(allowlist: OutboundAllowlist, resolve: HostResolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    void permittedAddresses(hostname, familyOf(options.family), allowlist, resolve).then(
      (answers) => {
        if (options.all) callback(null, answers);
        else callback(null, answers[0]!.address, answers[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}
