/**
 * A harness plus the real peers pages go to (an SMTP server, a Twilio-shaped server, a webhook receiver)
 * and shorthands for the API calls escalation tests make over and over.
 */
import assert from 'node:assert/strict';
import { createNotifiers, type HostResolver } from '../../notifiers';
import type { AlertView } from '../../workflows/messages';
import { startFakeTwilio, type FakeTwilio } from './fake-twilio';
import { startHarness, type Harness, type HarnessOptions } from './harness';
import { LOOPBACK_ALLOWLIST } from './pages';
import { startSmtpServer, type SmtpServerOptions, type TestSmtpServer } from './smtp';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

export interface World extends Harness {
  smtp: TestSmtpServer;
  twilio: FakeTwilio;
  hooks: WebhookReceiver;
  /** Creates a user with the given contact methods; returns its id. */
  user(name: string, methods?: { type: 'email' | 'sms' | 'webhook' | 'voice'; address: string }[]): Promise<string>;
  /** Creates a policy (API body, snake_case) and returns its id. */
  policy(body: Record<string, unknown>): Promise<string>;
  /** Triggers an alert and returns its id and workflow id. */
  trigger(body?: Record<string, unknown>): Promise<{ id: string; workflowId: string }>;
  /** The workflow's live view. */
  view(id: string): Promise<AlertView>;
  /** The webhook requests of one kind (default: escalation pages) received on one path. */
  hits(path: string, kind?: string): number;
}

let policySeq = 0;

/** Returns a started world; close() stops everything. */
export async function startWorld(
  opts: Omit<HarnessOptions, 'notifiers'> & { smtp?: SmtpServerOptions; webhookResolve?: HostResolver } = {},
): Promise<World> {
  const [smtp, twilio, hooks] = await Promise.all([startSmtpServer(opts.smtp), startFakeTwilio(), startWebhookReceiver()]);
  const notifiers = createNotifiers({
    smtpUrl: smtp.url,
    twilioAccountSid: twilio.accountSid,
    twilioAuthToken: twilio.authToken,
    twilioFromNumber: '+15005550006',
    twilioApiUrl: twilio.url,
    webhookSigningSecret: 'test-signing-secret-0123456789',
    // The harness gives the app the same allowlist (loopback unless the test says otherwise).
    outboundAllowlist: opts.outboundAllowlist ?? LOOPBACK_ALLOWLIST,
    webhookResolve: opts.webhookResolve,
  });
  const h = await startHarness({ ...opts, notifiers, twilioAuthToken: twilio.authToken });
  const ok = async (method: string, path: string, body: unknown, status: number) => {
    const res = await h.request(method, path, body);
    assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return {
    ...h,
    smtp,
    twilio,
    hooks,
    async user(name, methods = []) {
      return (await ok('POST', '/users', { name, contact_methods: methods }, 201)).id;
    },
    async policy(body) {
      return (await ok('POST', '/escalation-policies', { name: `policy-${++policySeq}`, ...body }, 201)).id;
    },
    async trigger(body = {}) {
      const created = await ok('POST', '/alerts', { summary: 'Checkout error rate 12%', severity: 'critical', service: 'checkout', source: 'prometheus', ...body }, 201);
      return { id: created.id, workflowId: created.workflow_id };
    },
    async view(id) {
      return (await ok('GET', `/alerts/${id}`, undefined, 200)).live;
    },
    hits(path, kind = 'page') {
      return hooks.requests.filter((r) => r.path === path && (r.json as { event?: string } | undefined)?.event === kind).length;
    },
    async close() {
      await h.close();
      await Promise.all([smtp.close(), twilio.close(), hooks.close()]);
    },
  };
}

/** Resolves when check() returns true, polling; rejects with `what` after timeoutMs. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Minutes since the alert was triggered at which each page in the view was decided. */
export function pageOffsets(view: AlertView, kind = 'page'): number[] {
  const t0 = Date.parse(view.triggeredAt);
  return view.notifications.filter((n) => n.kind === kind).map((n) => (Date.parse(n.at) - t0) / 60_000);
}
