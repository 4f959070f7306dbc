// The console's Profile page and single sign-on in a real headless Chromium against the real app (API,
// worker, Postgres, Temporal) and a real OpenID Connect provider: signing in by clicking the SSO button
// and filling in the provider's own form, with the role its groups claim maps to; a webhook contact
// method receiving exactly one test page for a double click on "Send test page"; a personal API key
// shown once, working with its role and refused once revoked; no CSP refusal, script error or serious
// accessibility violation at phone and desktop widths.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { parseRoleMap } from '../domain/sign-in-rules';
import { buildConsole } from '../scripts/build-web';
import { API_KEY_ROLES } from '../store/api-keys';
import {
  BROWSER_DEADLINE_MS,
  VIEWPORTS,
  horizontalOverflow,
  launchBrowser,
  openPage,
  seriousAxeViolations,
  TEST_PASSWORD,
  assertNoProblems,
  createPasswordUser,
  type WatchedPage,
} from './helpers/browser';
import { PUBLIC_URL, startHarness, type Harness } from './helpers/harness';
import { startTogether } from './helpers/start-together';
import { startTestProvider, type TestProvider } from './helpers/oidc-provider';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver';
import { oidcRedirectUriOf } from '../runtime/config';

const out = mkdtempSync(path.join(os.tmpdir(), 'klaxon-profile-'));
let h: Harness;
let op: TestProvider;
let receiver: WebhookReceiver;
let browser: Browser;
const opened: WatchedPage[] = [];

before(async () => {
  const build = await buildConsole(path.join(out, 'web'));
  [op, receiver, browser] = await startTogether(
    startTestProvider(oidcRedirectUriOf({ PUBLIC_URL, HOST: '127.0.0.1', PORT: 0 })),
    startWebhookReceiver(),
    launchBrowser(),
  );
  h = await startHarness({
    consoleDir: build.dir,
    oidc: {
      issuer: op.issuer,
      clientId: op.clientId,
      clientSecret: op.clientSecret,
      scopes: 'openid email profile groups',
      roleClaim: 'groups',
      roleMap: parseRoleMap('oncall-admins=admin,readers=viewer', API_KEY_ROLES).map,
      displayName: 'Example SSO',
    },
  });
  op.accounts.set('ada', {
    email: 'ada@example.com',
    email_verified: true,
    name: 'Ada',
    groups: ['oncall-admins'],
  });
  op.accounts.set('vic', {
    email: 'vic@example.com',
    email_verified: true,
    name: 'Vic',
    groups: ['readers'],
  });
});

after(async () => {
  await browser?.close();
  await h?.close();
  await op?.close();
  await receiver?.close();
  rmSync(out, { recursive: true, force: true });
});

/**
 * Opens a watched page. The provider sends people back to PUBLIC_URL (an address of a configured
 * install, not of this test): the browser is redirected from there to the app, as DNS would lead it.
 */
async function open(viewport: { width: number; height: number } = VIEWPORTS.desktop): Promise<WatchedPage> {
  const watched = await openPage(browser, h.baseUrl, viewport);
  await watched.context.route(`${PUBLIC_URL}/**`, (route) => {
    const url = new URL(route.request().url());
    return route.fulfill({ status: 302, headers: { location: `${h.baseUrl}${url.pathname}${url.search}` } });
  });
  // The provider's development login pages import a web font; this machine does not reach the internet.
  await watched.context.route('https://fonts.googleapis.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/css', body: '' }),
  );
  opened.push(watched);
  return watched;
}

async function signIn(w: WatchedPage, login: string, page = '/console/profile'): Promise<void> {
  await w.page.goto(page);
  await w.page.getByLabel('Login').fill(login);
  await w.page.getByLabel('Password').fill(TEST_PASSWORD);
  await w.page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs in through the SSO button and the provider's own login and consent pages, in the browser. */
async function signInWithSso(w: WatchedPage, subject: string, page: string): Promise<void> {
  await w.page.goto(page);
  await w.page.getByRole('link', { name: 'Sign in with Example SSO' }).click();
  await w.page.waitForURL((url) => url.origin === op.issuer);
  await w.page.getByPlaceholder('Enter any login').fill(subject);
  await w.page.getByPlaceholder('and password').fill('any');
  await w.page.getByRole('button', { name: 'Sign-in' }).click();
  await w.page.getByRole('button', { name: 'Continue' }).click();
}

/** Waits (with a deadline) until the receiver has had `count` requests. */
async function waitForRequests(count: number): Promise<void> {
  const deadline = Date.now() + BROWSER_DEADLINE_MS;
  while (receiver.received() < count) {
    if (Date.now() > deadline) assert.fail(`the receiver got ${receiver.received()} requests, not ${count}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the console: Profile and single sign-on', () => {
  it('signs in through the OIDC provider, back on the page asked for, with the role its claim maps to', async () => {
    const alert = await h.request('POST', '/alerts', {
      summary: 'Queue depth above 1000',
      severity: 'high',
      service: 'queue',
      source: 'console-profile-test',
    });
    assert.equal(alert.status, 201, JSON.stringify(alert.body));

    const viewer = await open();
    await signInWithSso(viewer, 'vic', '/console/alerts?state=open');
    await viewer.page.getByRole('heading', { name: 'Queue depth above 1000' }).waitFor();
    assert.equal(new URL(viewer.page.url()).pathname, '/console/alerts', 'back where Vic wanted to go');
    await viewer.page.getByText('Vic (viewer)').waitFor();
    assert.equal(
      await viewer.page.getByRole('button', { name: 'Acknowledge' }).count(),
      0,
      'a viewer sees none',
    );
    assertNoProblems(viewer);

    const admin = await open();
    await signInWithSso(admin, 'ada', '/console/profile');
    await admin.page.getByRole('heading', { name: 'Profile' }).waitFor();
    await admin.page.getByText('Ada (admin)').waitFor();
    // An admin may create an admin key; SSO users have no password to change.
    await admin.page.getByText('You have no password').waitFor();
    // allTextContents does not wait: the keys panel renders its form once its own call has answered.
    await admin.page.getByLabel('Key role').locator('option').first().waitFor({ state: 'attached' });
    assert.deepEqual(await admin.page.getByLabel('Key role').locator('option').allTextContents(), [
      'viewer',
      'responder',
      'admin',
    ]);
    assertNoProblems(admin);
  });

  it('adds a webhook contact method and sends it exactly one test page for a double click', async () => {
    await createPasswordUser(h, 'rita@example.com', 'responder');
    const w = await open();
    await signIn(w, 'rita@example.com');
    await w.page.getByRole('heading', { name: 'Profile' }).waitFor();
    await w.page.getByText('You have no contact methods').waitFor();
    await w.page.getByLabel('Type').selectOption('webhook');
    await w.page.getByLabel('URL').fill(`${receiver.url}/rita`);
    await w.page.getByLabel('Signing secret (optional)').fill('a signing secret of 16+');
    await w.page.getByRole('button', { name: 'Add', exact: true }).click();
    const item = w.page.getByRole('listitem').filter({ hasText: `${receiver.url}/rita` });
    await item.getByText('(signed)').waitFor();

    const before = receiver.received();
    await item.getByRole('button', { name: 'Send test page' }).dblclick();
    await item.getByRole('status').filter({ hasText: 'Test page: sent' }).waitFor();
    await waitForRequests(before + 1);
    const pages = receiver.requests.slice(before);
    assert.equal(pages.length, 1, 'one test page for a double click');
    assert.equal(pages[0]!.path, '/rita');

    // A failing receiver: the outcome says why.
    receiver.respondWith('/rita', 500);
    await item.getByRole('button', { name: 'Send test page' }).click();
    await item.getByRole('status').filter({ hasText: 'Test page: failed:' }).waitFor();
    receiver.respondWith('/rita', 200);

    // Removing it asks first.
    w.page.once('dialog', (d) => void d.accept());
    await item.getByRole('button', { name: 'Remove' }).click();
    await w.page.getByText('You have no contact methods').waitFor();
    assertNoProblems(w);
  });

  it('creates a personal API key shown once, which works with its role until revoked', async () => {
    await createPasswordUser(h, 'ray@example.com', 'responder');
    const w = await open();
    await signIn(w, 'ray@example.com');
    await w.page.getByRole('heading', { name: 'Profile' }).waitFor();
    // Only roles up to mine are offered (once the keys panel has rendered its form).
    await w.page.getByLabel('Key role').locator('option').first().waitFor({ state: 'attached' });
    assert.deepEqual(await w.page.getByLabel('Key role').locator('option').allTextContents(), [
      'viewer',
      'responder',
    ]);
    await w.page.getByLabel('Key name').fill('ray laptop');
    await w.page.getByLabel('Key role').selectOption('viewer');
    await w.page.getByRole('button', { name: 'Create key' }).click();
    await w.page.getByText('you will not see it again').waitFor();
    const key = await w.page.locator('#new-key').inputValue();
    assert.match(key, /^kx_/);

    const withKey = (method: string, p: string) =>
      fetch(`${h.baseUrl}${p}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(method === 'GET'
          ? {}
          : { body: JSON.stringify({ summary: 'x', severity: 'low', service: 's' }) }),
      });
    assert.equal((await withKey('GET', '/alerts')).status, 200, 'a viewer key reads');
    assert.equal((await withKey('POST', '/alerts')).status, 403, 'and may not trigger');

    await w.page.getByRole('button', { name: 'I have copied it' }).click();
    assert.equal(await w.page.locator('#new-key').count(), 0, 'the key is not shown again');
    const row = w.page.getByRole('listitem').filter({ hasText: 'ray laptop' });
    await row.waitFor();
    w.page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await w.page.getByText('You have no active keys').waitFor();
    assert.equal((await withKey('GET', '/alerts')).status, 401, 'revoked');
    assertNoProblems(w);
  });

  it('has no serious accessibility violation and fits a phone, with or without contact methods', async () => {
    await createPasswordUser(h, 'phil@example.com', 'responder');
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const w = await open(viewport);
      await w.page.goto('/console');
      await w.page.getByRole('link', { name: 'Sign in with Example SSO' }).waitFor();
      assert.deepEqual(await seriousAxeViolations(w.page), [], `sign-in with SSO at ${name}`);
      await signIn(w, 'phil@example.com');
      await w.page.getByRole('heading', { name: 'Profile' }).waitFor();
      await w.page.getByLabel('Type').selectOption('email');
      if (name === 'phone') {
        await w.page.getByLabel('Email address').fill('phil@example.com');
        await w.page.getByRole('button', { name: 'Add', exact: true }).click();
        await w.page.getByRole('button', { name: 'Send test page' }).waitFor();
      }
      await w.page.getByLabel('Key name').fill('phil script');
      await w.page.getByRole('button', { name: 'Create key' }).click();
      await w.page.getByText('you will not see it again').waitFor();
      assert.deepEqual(await seriousAxeViolations(w.page), [], `profile at ${name}`);
      assert.equal(await horizontalOverflow(w.page), 0, `no sideways scrolling at ${name}`);
      assertNoProblems(w);
    }
  });
});
