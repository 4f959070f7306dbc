// The web console in a real headless Chromium against the real app (API, worker, Postgres, Temporal):
// first-admin set-up through the printed link, password sign-in, an alert arriving without a reload and
// acknowledged from the list (and its next tier then never pages), what a viewer is shown and refused, CSRF-less and cookie-less requests
// refused, sign-out, no CSP refusal or script error, and no serious accessibility violation at phone and
// desktop widths.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import type { Browser } from 'playwright-core';
import { firstStart } from '../api/app-config';
import { consoleRouter } from '../api/console';
import { errorHandler } from '../api/errors';
import { listen } from '../api/listen';
import { createLogger } from '../runtime/logger';
import { loadConfig } from '../runtime/config';
import { buildConsole, type ConsoleBuild } from '../scripts/build-web';
import {
  BROWSER_DEADLINE_MS,
  VIEWPORTS,
  fetchFromPage,
  horizontalOverflow,
  launchBrowser,
  openPage,
  seriousAxeViolations,
  TEST_PASSWORD,
  assertNoProblems,
  createPasswordUser,
  type WatchedPage,
} from './helpers/browser';
import { startHarness, type Harness } from './helpers/harness';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver';

const out = mkdtempSync(path.join(os.tmpdir(), 'klaxon-console-'));
let h: Harness;
let browser: Browser;
let receiver: WebhookReceiver;
/** The service whose policy pages the receiver at once (/tier-1) and again 5 minutes later (/tier-2). */
const ESCALATING = 'web-escalating';
let build: ConsoleBuild;
const opened: WatchedPage[] = [];

before(async () => {
  build = await buildConsole(path.join(out, 'web'));
  // Few failed sign-ins a minute, so the last test reaches the throttle; the others fail fewer times.
  [h, browser, receiver] = await Promise.all([
    startHarness({ consoleDir: build.dir, authFailuresPerMinute: 10 }),
    launchBrowser(),
    startWebhookReceiver(),
  ]);
  const hook = (p: string) => [{ type: 'webhook', url: `${receiver.url}${p}` }];
  const policy = await h.request('POST', '/escalation-policies', {
    name: 'escalating',
    tiers: [
      { delay_minutes: 0, targets: hook('/tier-1') },
      { delay_minutes: 5, targets: hook('/tier-2') },
    ],
  });
  assert.equal(policy.status, 201, JSON.stringify(policy.body));
  const rules = await h.request('PUT', '/escalation-rules', {
    rules: [{ policy_id: policy.body.id, services: [ESCALATING] }],
  });
  assert.equal(rules.status, 200, JSON.stringify(rules.body));
});

after(async () => {
  await browser?.close();
  await receiver?.close();
  await h?.close();
  rmSync(out, { recursive: true, force: true });
});

/** Opens a watched page; the test's last step asserts it saw no problem. */
async function open(
  viewport: { width: number; height: number } = VIEWPORTS.desktop,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<WatchedPage> {
  const watched = await openPage(browser, h.baseUrl, viewport, { colorScheme });
  opened.push(watched);
  return watched;
}

/** Signs in on the sign-in form `page` shows (the home page unless told), which then shows that page. */
async function signIn(
  w: WatchedPage,
  login: string,
  password = TEST_PASSWORD,
  page = '/console',
): Promise<void> {
  await w.page.goto(page);
  await w.page.getByLabel('Login').fill(login);
  await w.page.getByLabel('Password').fill(password);
  await w.page.getByRole('button', { name: 'Sign in' }).click();
}

async function triggerAlert(summary: string, service = 'web'): Promise<string> {
  const res = await h.request('POST', '/alerts', {
    summary,
    severity: 'high',
    service,
    source: 'console-test',
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

/** Waits (with a deadline) until the alert's row in Postgres has the state. */
async function waitForState(id: string, state: string): Promise<void> {
  const deadline = Date.now() + BROWSER_DEADLINE_MS;
  for (;;) {
    const { rows } = await h.db.pool.query<{ state: string }>('select state from alerts where id = $1', [id]);
    if (rows[0]?.state === state) return;
    if (Date.now() > deadline) assert.fail(`alert ${id} is ${rows[0]?.state}, not ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the web console', () => {
  it('is one page for every console address, with hashed assets cached for good and a strict CSP', async () => {
    // What the first page waits for (main and its static imports; lazy pages load when opened): small
    // enough that a phone on a poor link is interactive in about a second.
    assert.ok(build.bytes.script < 72 * 1024, `the script is small: ${build.bytes.script} bytes`);
    for (const address of ['/console', '/console/setup', '/console/alerts/deep/link']) {
      const res = await fetch(`${h.baseUrl}${address}`);
      assert.equal(res.status, 200, address);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/, csp);
      const html = await res.text();
      assert.ok(html.includes(`/console/assets/${build.script}`), html);
      assert.ok(!/<script(?![^>]*\bsrc=)/.test(html) && !/\sstyle=/.test(html), 'nothing inline');
    }
    const asset = await fetch(`${h.baseUrl}/console/assets/${build.script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /max-age=31536000.*immutable/);
    assert.equal((await fetch(`${h.baseUrl}/console/assets/nothing-here.js`)).status, 404);
    const home = await fetch(`${h.baseUrl}/`, { redirect: 'manual' });
    assert.equal(home.status, 302);
    assert.equal(home.headers.get('location'), '/console');

    // Without a build, the console's addresses say how to make one rather than failing obscurely.
    const bare = express().use(
      consoleRouter({ dir: path.join(out, 'not-built') }),
      errorHandler(createLogger('silent')),
    );
    const server = await listen(bare, 0);
    try {
      const address = server.address();
      const res = await fetch(
        `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/console/setup`,
      );
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'console_not_built');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    // The watcher sees what the CSP refuses: an inline handler injected into the page is reported.
    const w = await open();
    await w.page.goto('/console');
    await w.page.getByRole('heading', { name: 'Sign in to Klaxon' }).waitFor();
    await w.page.evaluate(() =>
      document.body.insertAdjacentHTML('beforeend', '<img src="data:," onload="1">'),
    );
    const deadline = Date.now() + BROWSER_DEADLINE_MS;
    while (!w.problems.some((p) => p.startsWith('CSP:')) && Date.now() < deadline)
      await w.page.waitForTimeout(50);
    assert.ok(
      w.problems.some((p) => p.startsWith('CSP:')),
      `an inline handler is refused and seen: ${w.problems.join(' | ')}`,
    );
    await w.context.close();
  });

  it('sets up the first admin through the printed link, once', async () => {
    const { setupLink } = await firstStart(h.db.pool, loadConfig({ PUBLIC_URL: h.baseUrl }));
    assert.ok(setupLink, 'an empty directory gets a set-up link');
    const w = await open();
    await w.page.goto(setupLink);
    await w.page.getByLabel('Your name').fill('First Admin');
    await w.page.getByLabel('Login').fill('root@example.com');
    await w.page.getByLabel('Password', { exact: true }).fill('the first admin pass');
    await w.page.getByLabel('Password again').fill('the first admin pass');
    await w.page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await w.page.getByRole('heading', { name: 'Now', exact: true }).waitFor();
    assert.equal(new URL(w.page.url()).hash, '', 'the token leaves the address bar');
    const session = await fetchFromPage(w.page, 'GET', '/auth/session');
    assert.equal(session.status, 200);
    assert.equal(session.body.role, 'admin');

    const again = await open();
    await again.page.goto(setupLink);
    await again.page.getByLabel('Your name').fill('Second Admin');
    await again.page.getByLabel('Login').fill('other@example.com');
    await again.page.getByLabel('Password', { exact: true }).fill('the first admin pass');
    await again.page.getByLabel('Password again').fill('the first admin pass');
    await again.page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await again.page
      .getByRole('alert')
      .filter({ hasText: /set-up link is unknown, used or expired/i })
      .waitFor();
    const { rows } = await h.db.pool.query(
      "select count(*)::int as n from users where login = 'other@example.com'",
    );
    assert.equal(rows[0].n, 0, 'the used link made nobody');
    assertNoProblems(w);
    assertNoProblems(again);
  });

  let responder: WatchedPage;
  let alertId: string;

  it('signs in with a password; a wrong one shows the refusal', async () => {
    await createPasswordUser(h, 'rita@example.com', 'responder');
    responder = await open();
    await signIn(responder, 'rita@example.com', 'not the password at all');
    await responder.page
      .getByRole('alert')
      .filter({ hasText: /wrong password|unknown login/i })
      .waitFor();
    // Again by keyboard only, as on a fresh page: the login field has the focus, Tab, Enter.
    await responder.page.reload();
    await responder.page.getByRole('heading', { name: 'Sign in to Klaxon' }).waitFor();
    assert.equal(await responder.page.evaluate(() => document.activeElement?.id), 'login');
    await responder.page.keyboard.type('rita@example.com');
    await responder.page.keyboard.press('Tab');
    await responder.page.keyboard.type(TEST_PASSWORD);
    await responder.page.keyboard.press('Enter');
    await responder.page.getByRole('heading', { name: 'Now', exact: true }).waitFor();
    await responder.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Alerts' })
      .click();
    await responder.page.getByRole('heading', { name: 'Alerts', exact: true }).waitFor();
    await responder.page.getByText('rita').first().waitFor();
    assertNoProblems(responder);
  });

  it('shows an alert triggered through the API without a reload, and acknowledges it from the list', async () => {
    const { page } = responder;
    // Survives only as long as the document: a reload would drop it.
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    alertId = await triggerAlert('Disk full on web-1', ESCALATING);
    // Beside it, one nobody answers: its second tier shows that skipping the clock does page.
    const unanswered = await triggerAlert('Queue backed up on web-2', ESCALATING);
    const hits = (path: string) => receiver.requests.filter((r) => r.path === path);
    const pagedFor = (path: string, id: string) =>
      hits(path).some((r) => (r.json as { alert?: { alertId?: string } }).alert?.alertId === id);
    const item = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: 'Disk full on web-1' }) });
    await item.waitFor();
    assert.equal(
      await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
      true,
    );
    await item.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('status').filter({ hasText: 'Acknowledged “Disk full on web-1”' }).waitFor();
    await waitForState(alertId, 'acknowledged');
    // Acknowledged, it can still be resolved, not acknowledged again.
    await item.getByRole('button', { name: 'Resolve' }).waitFor();
    assert.equal(await item.getByRole('button', { name: 'Acknowledge' }).count(), 0);
    assert.ok(pagedFor('/tier-1', alertId) && pagedFor('/tier-1', unanswered), 'both paged their first tier');

    // Past the second tier's 5 minutes: the acknowledged alert's escalation stopped, the other's went on.
    await h.env.sleep('6 minutes');
    const deadline = Date.now() + BROWSER_DEADLINE_MS;
    while (!pagedFor('/tier-2', unanswered) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(pagedFor('/tier-2', unanswered), 'the unanswered alert paged its second tier');
    assert.equal(pagedFor('/tier-2', alertId), false, 'no further page for the acknowledged alert');
    assertNoProblems(responder);
  });

  it('shows a viewer no action buttons, and the API refuses the action anyway', async () => {
    await createPasswordUser(h, 'vic@example.com', 'viewer');
    const viewer = await open();
    await signIn(viewer, 'vic@example.com', TEST_PASSWORD, '/console/alerts');
    const item = viewer.page.getByRole('listitem').filter({ hasText: 'Disk full on web-1' });
    await item.waitFor();
    assert.equal(await item.getByRole('button').count(), 0, 'no action buttons');
    const refused = await fetchFromPage(viewer.page, 'POST', `/alerts/${alertId}/resolve`);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error?.code, 'forbidden');
    await waitForState(alertId, 'acknowledged');
    assertNoProblems(viewer);
  });

  it('refuses a request with the cookie but without the CSRF token, and one without the cookie', async () => {
    const noCsrf = await fetchFromPage(responder.page, 'POST', `/alerts/${alertId}/resolve`, { csrf: false });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.body.error?.code, 'csrf');
    const noCookie = await fetchFromPage(responder.page, 'POST', `/alerts/${alertId}/resolve`, {
      cookie: false,
    });
    assert.equal(noCookie.status, 401);
    await waitForState(alertId, 'acknowledged');
    // The same request with both goes through: the refusals were for what was missing.
    const allowed = await fetchFromPage(responder.page, 'POST', `/alerts/${alertId}/resolve`);
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
    assertNoProblems(responder);
  });

  it('signs out: the session ends, and its cookie no longer works', async () => {
    const [cookie] = (await responder.context.cookies()).filter((c) => c.name === 'klaxon_session');
    assert.ok(cookie, 'signed in with a session cookie');
    assert.equal(cookie.httpOnly, true);
    await responder.page.getByRole('button', { name: 'Sign out' }).click();
    await responder.page.getByRole('heading', { name: 'Sign in to Klaxon' }).waitFor();
    assert.equal((await fetchFromPage(responder.page, 'GET', '/auth/session')).status, 401);
    const replayed = await fetch(`${h.baseUrl}/auth/session`, {
      headers: { cookie: `klaxon_session=${cookie.value}` },
    });
    assert.equal(replayed.status, 401, 'the old cookie is refused too');
    assertNoProblems(responder);
  });

  it('has no serious or critical accessibility violation and no sideways scrolling, at phone and desktop width, light and dark', async () => {
    await triggerAlert('Latency above target on checkout, a long summary that must wrap on a phone screen');
    const looks = [
      ['phone', 'light'],
      ['desktop', 'light'],
      ['phone', 'dark'],
    ] as const;
    for (const [width, scheme] of looks) {
      const w = await open(VIEWPORTS[width], scheme);
      const pages: [string, () => Promise<void>][] = [
        [
          'sign-in',
          async () => {
            await w.page.goto('/console');
            await w.page.getByRole('heading', { name: 'Sign in to Klaxon' }).waitFor();
          },
        ],
        [
          'set-up',
          async () => {
            // Any token shows the form (the server judges it on submit).
            await w.page.goto('/console/setup#some-token');
            await w.page.getByRole('heading', { name: 'Set up the first admin' }).waitFor();
          },
        ],
        [
          'alerts',
          async () => {
            await signIn(w, 'rita@example.com', TEST_PASSWORD, '/console/alerts');
            await w.page
              .getByRole('heading', { name: 'Latency above target on checkout', exact: false })
              .waitFor();
          },
        ],
      ];
      for (const [name, show] of pages) {
        await show();
        assert.deepEqual(await seriousAxeViolations(w.page), [], `${name} at ${width} width, ${scheme}`);
        assert.equal(await horizontalOverflow(w.page), 0, `${name} at ${width} width scrolls sideways`);
      }
      assertNoProblems(w);
    }
  });

  // Last: from here on every sign-in from this address is held back until Retry-After.
  it('shows how long to wait once failed sign-ins are throttled', async () => {
    const w = await open();
    await w.page.goto('/console');
    const message = w.page.getByRole('alert').filter({ hasText: /Try again in \d+ seconds/ });
    for (let attempt = 0; attempt < 15 && (await message.count()) === 0; attempt++) {
      const answered = w.page.waitForResponse('**/auth/login');
      await w.page.getByLabel('Login').fill('rita@example.com');
      await w.page.getByLabel('Password').fill(`wrong guess ${attempt}`);
      await w.page.getByRole('button', { name: 'Sign in' }).click();
      const res = await answered;
      if (res.status() === 429) {
        const seconds = res.headers()['retry-after'];
        await w.page
          .getByRole('alert')
          .filter({ hasText: `Try again in ${seconds} seconds.` })
          .waitFor();
      } else {
        await w.page.getByRole('button', { name: 'Sign in' }).and(w.page.locator(':enabled')).waitFor();
      }
    }
    assert.equal(await message.count(), 1, 'throttled within 15 wrong passwords');
    assertNoProblems(w);
  });
});
