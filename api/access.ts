/**
 * Who may call what: every route of the API, with the role its API key needs or how else it is
 * authenticated, in this one table. The middleware in auth.ts enforces it; test/access.test.ts walks the
 * Express router and fails when a route is missing here (or an entry here matches no route).
 *
 * Roles are hierarchical, admin ⊃ responder ⊃ viewer:
 *  - viewer: reads.
 *  - responder: what someone on call does to alerts — trigger one by hand, acknowledge, investigate,
 *    resolve, unacknowledge, reopen, escalate, snooze, add notes — acknowledge or resolve a whole group, and
 *    create or delete a silence.
 *    Triggering is a responder action, like the ingest endpoints it mirrors: a viewer key handed to a
 *    dashboard must not be able to page anyone.
 *  - admin: everything that changes configuration (users, contact methods, escalation policies and rules,
 *    schedules and overrides, integrations, SLA targets) and API keys, listing included.
 * Other kinds are not API keys at all:
 *  - public: no authentication (health probes).
 *  - routing-key: ingest endpoints, authenticated by an integration's routing key in the body or path.
 *  - signature: callbacks authenticated by a signature or signed token (Twilio, page reply links).
 *  - sign-in: where a person proves who they are (password, set-up link, an OpenID Connect provider's
 *    answer) and gets a session; failures count against their address like a bad key.
 * A signed-in person's session cookie stands in for an API key everywhere a role is named, with their
 * user's role.
 * A request that matches no entry is answered 404 whatever its key.
 */
import { match, type MatchFunction } from 'path-to-regexp';
import { API_KEY_ROLES, type ApiKeyRole } from '../store/api-keys';

export type Access = ApiKeyRole | 'public' | 'routing-key' | 'signature' | 'sign-in';

export const ACCESS = {
  // Probes for load balancers and orchestrators.
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  // Open unless METRICS_TOKEN is set; then api/metrics.ts wants it as a bearer token.
  'GET /metrics': 'public',
  'GET /openapi.json': 'public',
  'GET /docs': 'public',
  // The web console's page (api/console.ts): it holds no data, its API calls carry the session.
  'GET /': 'public',
  'GET /console': 'public',
  'GET /console/*path': 'public',

  // Ingest (api/ingest.ts): the routing key authenticates.
  'POST /v2/enqueue': 'routing-key',
  'POST /integrations/alertmanager/:key': 'routing-key',
  'POST /integrations/generic/:key': 'routing-key',
  'POST /integrations/anomaly/:key': 'routing-key',
  // Heartbeat pings (api/heartbeats.ts): the monitor's key authenticates, so cron + curl works.
  'GET /heartbeat/:key': 'routing-key',
  'POST /heartbeat/:key': 'routing-key',

  // Signed callbacks, mounted before API-key authentication.
  'POST /integrations/twilio/sms': 'signature',
  'POST /integrations/twilio/voice/:token': 'signature',
  'POST /integrations/twilio/voice/:token/status': 'signature',
  'GET /respond/:token': 'signature',
  'POST /respond/:token': 'signature',

  // Console sign-in (api/sessions.ts). Reading the session, signing out and changing one's own password
  // need only to be signed in.
  'POST /auth/login': 'sign-in',
  'POST /auth/setup': 'sign-in',
  'GET /auth/session': 'viewer',
  'POST /auth/logout': 'viewer',
  'PUT /auth/password': 'viewer',
  // Single sign-on (api/oidc.ts): the sign-in page asks which ways there are before anyone is signed in;
  // the provider's answer at the callback is the credential.
  'GET /auth/providers': 'public',
  'GET /auth/oidc/login': 'sign-in',
  'GET /auth/oidc/callback': 'sign-in',

  // Alerts.
  'GET /alerts': 'viewer',
  'GET /alerts/:id': 'viewer',
  'POST /alerts': 'responder',
  'POST /alerts/:id/acknowledge': 'responder',
  'POST /alerts/:id/investigate': 'responder',
  'POST /alerts/:id/resolve': 'responder',
  'POST /alerts/:id/unacknowledge': 'responder',
  'POST /alerts/:id/reopen': 'responder',
  'POST /alerts/:id/escalate': 'responder',
  'POST /alerts/:id/snooze': 'responder',
  // Silences (api/silences.ts): a responder's, like snooze — whoever is on call during a deploy or an
  // incident storm may hold the pages and end the hold; the silence records who did either and why.
  'GET /silences': 'viewer',
  'GET /silences/:id': 'viewer',
  'POST /silences': 'responder',
  'POST /silences/preview': 'viewer',
  'DELETE /silences/:id': 'responder',
  'POST /alerts/:id/notes': 'responder',

  // Groups and noise.
  'GET /groups': 'viewer',
  'GET /groups/:id': 'viewer',
  'POST /groups/:id/acknowledge': 'responder',
  'POST /groups/:id/resolve': 'responder',
  'GET /stats/noise': 'viewer',

  // Users and contact methods.
  'GET /users': 'viewer',
  'GET /users/:id': 'viewer',
  'GET /users/:id/on-call': 'viewer',
  'POST /users': 'admin',
  'PATCH /users/:id': 'admin',
  'DELETE /users/:id': 'admin',
  'PUT /users/:id/password': 'admin',
  'POST /users/:id/contact-methods': 'admin',
  'DELETE /users/:id/contact-methods/:methodId': 'admin',
  'POST /users/:id/contact-methods/:methodId/test': 'admin',
  'POST /users/:id/contact-methods/:methodId/verify': 'admin',
  'POST /users/:id/contact-methods/:methodId/verify/confirm': 'admin',
  'GET /users/:id/notification-rules': 'viewer',
  'PUT /users/:id/notification-rules': 'admin',
  // The signed-in person's own profile and contact methods (a console session; an API key has no "me").
  'PATCH /me': 'viewer',
  'POST /me/contact-methods': 'viewer',
  'DELETE /me/contact-methods/:methodId': 'viewer',
  'POST /me/contact-methods/:methodId/test': 'viewer',
  'POST /me/contact-methods/:methodId/verify': 'viewer',
  'POST /me/contact-methods/:methodId/verify/confirm': 'viewer',
  'GET /me/notification-rules': 'viewer',
  'PUT /me/notification-rules': 'viewer',
  // Personal API keys, never above the owner's role (api/api-keys.ts).
  'GET /me/api-keys': 'viewer',
  'POST /me/api-keys': 'viewer',
  'DELETE /me/api-keys/:id': 'viewer',

  // Escalation policies and routing rules. Simulating a policy only reads.
  'GET /escalation-policies': 'viewer',
  'GET /escalation-policies/:id': 'viewer',
  'POST /escalation-policies/:id/simulate': 'viewer',
  'POST /escalation-policies': 'admin',
  'PUT /escalation-policies/:id': 'admin',
  'DELETE /escalation-policies/:id': 'admin',
  'GET /escalation-rules': 'viewer',
  'PUT /escalation-rules': 'admin',

  // Schedules; :id.ics is the iCalendar feed.
  'GET /schedules': 'viewer',
  'GET /schedules/:id.ics': 'viewer',
  'GET /schedules/:id': 'viewer',
  'GET /schedules/:id/overrides': 'viewer',
  'GET /schedules/:id/on-call': 'viewer',
  'GET /schedules/:id/shifts': 'viewer',
  'POST /schedules': 'admin',
  'PUT /schedules/:id': 'admin',
  'DELETE /schedules/:id': 'admin',
  'POST /schedules/:id/overrides': 'admin',
  'DELETE /schedules/:id/overrides/:overrideId': 'admin',

  // SLA.
  'GET /sla/targets': 'viewer',
  'GET /sla/compliance': 'viewer',
  'PUT /sla/targets/:service/:severity': 'admin',
  'DELETE /sla/targets/:service/:severity': 'admin',

  // Integrations (their configuration; ingest is above).
  'GET /integrations': 'viewer',
  'POST /integrations': 'admin',
  'DELETE /integrations/:id': 'admin',
  'GET /heartbeats': 'viewer',
  'GET /heartbeats/:id': 'viewer',
  'POST /heartbeats': 'admin',
  'PATCH /heartbeats/:id': 'admin',
  'DELETE /heartbeats/:id': 'admin',

  // API keys.
  'GET /api-keys': 'admin',
  'POST /api-keys': 'admin',
  'DELETE /api-keys/:id': 'admin',
} as const satisfies Record<string, Access>;

export interface AccessEntry {
  /** The table key, e.g. `POST /alerts/:id/acknowledge`. */
  route: string;
  method: string;
  path: string;
  access: Access;
}

/** Returns true for the kinds that an API key authenticates. */
export function isRole(access: Access): access is ApiKeyRole {
  return (API_KEY_ROLES as readonly string[]).includes(access);
}

// A key's strictness, so that if two entries ever match one request the stricter one decides.
const strictness = (a: Access) => (isRole(a) ? 1 + API_KEY_ROLES.indexOf(a) : 0);

interface Compiled extends AccessEntry {
  matches: MatchFunction<Partial<Record<string, string | string[]>>>;
}

/** Returns the table compiled for lookups; throws on a malformed entry. */
export function compileAccess(table: Record<string, Access>): (method: string, path: string) => AccessEntry | undefined {
  const entries: Compiled[] = Object.entries(table).map(([route, access]) => {
    const m = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)$/.exec(route);
    if (!m) throw new Error(`access table: "${route}" is not "<METHOD> /path"`);
    const [, method, path] = m as unknown as [string, string, string];
    // Express's defaults: case-insensitive, an optional trailing slash, the whole path.
    return { route, method, path, access, matches: match(path, { sensitive: false, trailing: true, end: true, decode: false }) };
  });
  return (method, path) => {
    // Express answers HEAD with the GET route.
    const m = method === 'HEAD' ? 'GET' : method;
    let found: Compiled | undefined;
    for (const e of entries) {
      if (e.method !== m || !e.matches(path)) continue;
      if (!found || strictness(e.access) > strictness(found.access)) found = e;
    }
    return found && { route: found.route, method: found.method, path: found.path, access: found.access };
  };
}

/** Returns the table entry for a request, or undefined when no route exists for it. */
export const accessFor = compileAccess(ACCESS);

/**
 * Returns the table entry for a request, looked up once and kept on it (req.access): the request log,
 * the metrics, authentication and the error handler all ask, and a mounted router's req.path is no
 * longer the whole path.
 */
export function accessOf(req: { method: string; path: string; access?: AccessEntry }): AccessEntry | undefined {
  return (req.access ??= accessFor(req.method, req.path));
}
