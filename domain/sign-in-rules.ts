/**
 * Rules of signing in through an OpenID Connect provider that need no I/O: which role a person's claim
 * gives them (OIDC_ROLE_MAP), and where they may be sent back to afterwards.
 */

/** OIDC_ROLE_MAP parsed: claim value → role, and the role (`*`) of anyone the provider vouches for. */
export interface RoleMap<R extends string> {
  byValue: ReadonlyMap<string, R>;
  fallback: R | undefined;
  /** Every role, least powerful first: the highest one a person's values map to wins. */
  order: readonly R[];
}

/**
 * Returns OIDC_ROLE_MAP (`oncall-admins=admin,oncall=responder,*=viewer`) parsed, or the problems with
 * it, each naming the entry. A value may contain `=` only before the last one (group names rarely do).
 */
export function parseRoleMap<R extends string>(
  text: string,
  order: readonly R[],
): { map: RoleMap<R>; problems: string[] } {
  const byValue = new Map<string, R>();
  let fallback: R | undefined;
  const problems: string[] = [];
  for (const entry of text.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const at = entry.lastIndexOf('=');
    const value = entry.slice(0, at).trim();
    const role = entry.slice(at + 1).trim();
    if (at <= 0 || value === '') {
      problems.push(`"${entry}" is not claim-value=role (e.g. oncall-admins=admin, or *=viewer)`);
    } else if (!(order as readonly string[]).includes(role)) {
      problems.push(`"${entry}": ${role || 'nothing'} is not a role (${order.join(', ')})`);
    } else if (value === '*' ? fallback !== undefined : byValue.has(value)) {
      problems.push(`"${entry}": ${value} is mapped twice`);
    } else if (value === '*') {
      fallback = role as R;
    } else {
      byValue.set(value, role as R);
    }
  }
  if (problems.length === 0 && byValue.size === 0 && fallback === undefined)
    problems.push(
      'maps nothing: give claim-value=role entries, or *=viewer for anyone the provider vouches for',
    );
  return { map: { byValue, fallback, order }, problems };
}

/** Returns the claim's values: a string is one value, an array its strings; anything else none. */
export function claimValues(claim: unknown): string[] {
  if (typeof claim === 'string') return [claim];
  if (Array.isArray(claim)) return claim.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * Returns the most powerful role among those the claim's values map to and the `*` entry, or undefined
 * when none applies (then the person is refused). Values match exactly, case included: providers treat
 * group names as opaque.
 */
export function roleFromClaim<R extends string>(map: RoleMap<R>, claim: unknown): R | undefined {
  const roles = claimValues(claim).flatMap((v) => {
    const role = map.byValue.get(v);
    return role === undefined ? [] : [role];
  });
  if (map.fallback !== undefined) roles.push(map.fallback);
  return roles.reduce<R | undefined>(
    (best, r) => (best === undefined || map.order.indexOf(r) > map.order.indexOf(best) ? r : best),
    undefined,
  );
}

/** Where a person lands after signing in when they asked for nowhere (or for somewhere refused). */
export const DEFAULT_RETURN_TO = '/console';

// Any origin will do: a relative reference that resolves to another origin (`//evil.example`,
// `/\evil.example`) comes out with a different one and is refused.
const BASE = 'http://klaxon.invalid';

/**
 * Returns return_to as a path under /console on Klaxon's own origin, normalized (`/console/../x` is
 * `/x`, refused), or DEFAULT_RETURN_TO for anything else: an absolute URL, another origin, another path,
 * control characters. Trusting it as given would make the sign-in an open redirect.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.length > 2000) return DEFAULT_RETURN_TO;
  // Control characters (a header injection, or text the URL parser would silently drop) and backslashes
  // (which URL parsers read as slashes) have no business in a console path.
  if ([...value].some((c) => c <= '\u001f' || c === '\u007f' || c === '\\')) return DEFAULT_RETURN_TO;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return DEFAULT_RETURN_TO;
  }
  if (url.origin !== BASE) return DEFAULT_RETURN_TO;
  if (url.pathname !== '/console' && !url.pathname.startsWith('/console/')) return DEFAULT_RETURN_TO;
  return `${url.pathname}${url.search}${url.hash}`;
}
