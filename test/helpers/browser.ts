/**
 * A real headless Chromium for the web console's tests and screenshots, driven by playwright-core
 * (Debian's chromium, never playwright's download). Each page is watched: script errors, CSP refusals
 * and console errors other than the HTTP refusals a test provokes on purpose are collected, so a test
 * can fail on them; axe-core checks accessibility in the page as the user gets it (its source is
 * evaluated through the DevTools protocol, so the strict CSP stays in force).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, resolveChromium } from '../../runtime/chromium-tools';
import { loadConfig } from '../../runtime/config';
import type { Harness } from './harness';

/** Every wait on the browser has a deadline; a page that does not answer in this long has failed. */
export const BROWSER_DEADLINE_MS = 15_000;

export const VIEWPORTS = {
  phone: { width: 360, height: 740 },
  desktop: { width: 1280, height: 800 },
} as const;

/** The looks a console page is checked in (accessibility, fit): each viewport, light and dark. */
export const LOOKS = [
  ['phone', 'light'],
  ['desktop', 'light'],
  ['phone', 'dark'],
  ['desktop', 'dark'],
] as const satisfies readonly (readonly [keyof typeof VIEWPORTS, 'light' | 'dark'])[];

/** Launches headless Chromium; close it with browser.close(). */
export async function launchBrowser(log: (line: string) => void = () => {}): Promise<Browser> {
  const executablePath = resolveChromium({ explicitPath: loadConfig().CHROMIUM_PATH, log });
  return chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: BROWSER_DEADLINE_MS,
  });
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Script errors, CSP refusals and unexpected console errors seen so far. */
  problems: string[];
}

// Chromium logs every 4xx a fetch receives; a test that provokes a refusal (a wrong password, a missing
// CSRF token, a signed-out session) expects those, and the test asserts the status itself.
const EXPECTED_REFUSAL = /^Failed to load resource: the server responded with a status of 4\d\d/;

/** Opens a page in a fresh context (its own cookies) at `baseUrl`, watched for problems. */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  viewport: { width: number; height: number } = VIEWPORTS.desktop,
  { colorScheme = 'light' }: { colorScheme?: 'light' | 'dark' } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, colorScheme });
  context.setDefaultTimeout(BROWSER_DEADLINE_MS);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
    else if (msg.type() === 'error' && !EXPECTED_REFUSAL.test(text)) problems.push(`console error: ${text}`);
  });
  return { context, page, problems };
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Returns axe-core's serious and critical violations on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: Document,
            o: object,
          ) => Promise<{
            violations: {
              id: string;
              impact?: string | null;
              help: string;
              nodes: { target: unknown[] }[];
            }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Returns how much wider than the viewport the page is (0: no horizontal scrolling). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/**
 * Calls the API from inside the page, as the console's own code would (same origin, the page's cookie),
 * with or without the session's CSRF token or the cookie: what a script on the page could do.
 */
export function fetchFromPage(
  page: Page,
  method: string,
  path: string,
  { csrf = true, cookie = true }: { csrf?: boolean; cookie?: boolean } = {},
): Promise<{ status: number; body: { error?: { code?: string } } & Record<string, unknown> }> {
  return page.evaluate(
    async ({ method, path, csrf, cookie }) => {
      const session = await fetch('/auth/session', { credentials: 'same-origin' });
      const token = session.ok ? ((await session.json()) as { csrf_token: string | null }).csrf_token : null;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (csrf && token) headers['x-csrf-token'] = token;
      const res = await fetch(path, {
        method,
        headers,
        credentials: cookie ? 'same-origin' : 'omit',
        ...(method === 'GET' ? {} : { body: '{}' }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    { method, path, csrf, cookie },
  );
}

/** The password every console test's users sign in with. */
export const TEST_PASSWORD = 'a long enough password';

/** Asserts that a watched page saw no script error, CSP refusal or unexpected console error. */
export function assertNoProblems(w: WatchedPage): void {
  assert.deepEqual(w.problems, [], 'no script error, CSP refusal or unexpected console error');
}

/** Creates a user who signs in with `login` and TEST_PASSWORD (name: the login's local part); returns their id. */
export async function createPasswordUser(
  h: Harness,
  login: string,
  role: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await h.request('POST', '/users', {
    name: login.split('@')[0],
    login,
    role,
    password: TEST_PASSWORD,
    ...extra,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

/**
 * Opens a fresh page, signs in at /console with the login form (TEST_PASSWORD unless given) and waits
 * until the shell shows Sign out; then goes to `address` when one is given.
 */
export async function openSignedIn(
  browser: Browser,
  baseUrl: string,
  login: string,
  {
    address,
    viewport = VIEWPORTS.desktop,
    colorScheme = 'light',
    password = TEST_PASSWORD,
  }: {
    address?: string;
    viewport?: { width: number; height: number };
    colorScheme?: 'light' | 'dark';
    password?: string;
  } = {},
): Promise<WatchedPage> {
  const w = await openPage(browser, baseUrl, viewport, { colorScheme });
  await w.page.goto('/console');
  await w.page.getByLabel('Login').fill(login);
  await w.page.getByLabel('Password').fill(password);
  await w.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await w.page.getByRole('button', { name: 'Sign out' }).waitFor();
  if (address) await w.page.goto(address);
  return w;
}
