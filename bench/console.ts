/**
 * `npm run bench:console`: how long the console's main pages take to become interactive on this
 * machine (issue target: the first page under one second), in headless Debian Chromium against the
 * stack the browser tests run. Each page is opened signed in as a responder:
 *   - cold: a fresh browser context each time, so nothing is cached (the first visit of the day);
 *   - warm: a reload in the same context (assets cached for a year, the page and its data refetched);
 *   - cold at 4× CPU slow-down (Chromium's own throttling), a stand-in for a mid-range phone.
 * "Interactive" is judged in the page on every animation frame (bench/console-pages.ts): navigation
 * start to the first frame showing the page's data with its first control enabled. That includes the
 * document, the script and stylesheet, GET /auth/session and the page's own API calls.
 *
 *   npm run bench:console [-- --loads 20]
 */
import os from 'node:os';
import type { Browser, BrowserContext } from 'playwright-core';
import {
  BROWSER_DEADLINE_MS,
  TEST_PASSWORD,
  VIEWPORTS,
  createPasswordUser,
  launchBrowser,
} from '../test/helpers/browser';
import type { Harness } from '../test/helpers/harness';
import { startStandaloneStack } from '../test/helpers/standalone-stack';
import {
  CONSOLE_PAGES,
  readyAt,
  waterfall,
  type ConsolePage,
  type Waterfall,
  type Ids,
} from './console-pages';
import { summarize } from './stats';

const say = (line: string) => console.log(`[bench:console] ${line}`);
const TARGET_MS = 1000;
const LOGIN = 'bench-responder@example.com';

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

/** A responder on a two-person weekly rotation, paged by a two-tier policy, with 50 open alerts. */
async function seed(h: Harness): Promise<Ids> {
  const me = await createPasswordUser(h, LOGIN, 'responder');
  const other = await createPasswordUser(h, 'bench-other@example.com', 'responder');
  const created = await h.request('POST', `/users/${me}/contact-methods`, { type: 'email', address: LOGIN });
  if (created.status !== 201) throw new Error(`POST contact method: ${created.status}`);
  const schedule = await h.request('POST', '/schedules', {
    name: 'Primary on-call',
    time_zone: 'Europe/Berlin',
    layers: [
      {
        name: 'weekly',
        rotation: { type: 'weekly', length: 1 },
        start: `${new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10)}T09:00`,
        participants: [me, other],
      },
    ],
  });
  if (schedule.status !== 201) throw new Error(`POST /schedules: ${schedule.status}`);
  const policy = await h.request('POST', '/escalation-policies', {
    name: 'Checkout escalation',
    tiers: [
      { delay_minutes: 0, targets: [{ type: 'schedule', id: schedule.body.id }] },
      { delay_minutes: 15, targets: [{ type: 'user', id: other }] },
    ],
  });
  if (policy.status !== 201) throw new Error(`POST /escalation-policies: ${policy.status}`);
  const severities = ['critical', 'high', 'medium', 'low'];
  for (let i = 0; i < 50; i++) {
    const res = await h.request('POST', '/alerts', {
      summary: `Synthetic alert ${i}: error rate above target`,
      severity: severities[i % severities.length],
      service: `service-${i % 7}`,
      source: 'bench',
    });
    if (res.status !== 201) throw new Error(`POST /alerts: ${res.status}`);
  }
  return { scheduleId: schedule.body.id, policyId: policy.body.id };
}

/** Signs in once through the API from a browser context and keeps its cookie and local storage. */
async function signedInState(browser: Browser, baseUrl: string): Promise<StorageState> {
  const context = await browser.newContext({ baseURL: baseUrl });
  try {
    const res = await context.request.post('/auth/login', {
      data: { login: LOGIN, password: TEST_PASSWORD },
    });
    if (res.status() !== 200) throw new Error(`POST /auth/login: ${res.status()}`);
    const page = await context.newPage();
    await page.goto('/console/profile');
    await page.evaluate(() => window.localStorage.setItem('klaxon.signed-in', '1'));
    return await context.storageState();
  } finally {
    await context.close();
  }
}

/** Opens the page `loads` times and returns the in-page milliseconds to interactive of each. */
async function measure(
  browser: Browser,
  baseUrl: string,
  state: StorageState,
  page: ConsolePage,
  ids: Ids,
  mode: 'cold' | 'warm' | 'cold-4x',
  loads: number,
): Promise<{ times: number[]; stages: Waterfall[] }> {
  const times: number[] = [];
  const stages: Waterfall[] = [];
  let warm: BrowserContext | undefined;
  for (let i = 0; i < loads; i++) {
    const context =
      mode === 'warm'
        ? (warm ??= await browser.newContext({
            baseURL: baseUrl,
            storageState: state,
            viewport: VIEWPORTS.phone,
          }))
        : await browser.newContext({ baseURL: baseUrl, storageState: state, viewport: VIEWPORTS.phone });
    const tab = await context.newPage();
    if (mode === 'cold-4x') {
      const cdp = await context.newCDPSession(tab);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    }
    if (mode === 'warm') await tab.goto(page.path(ids)); // fills the cache; the timed load follows
    await tab.goto(page.path(ids), { waitUntil: 'commit', timeout: BROWSER_DEADLINE_MS });
    const handle = await tab.waitForFunction(readyAt, page.ready, {
      polling: 'raf',
      timeout: BROWSER_DEADLINE_MS,
    });
    const ready = (await handle.jsonValue()) as number;
    times.push(ready);
    stages.push(await tab.evaluate(waterfall, ready));
    if (mode === 'warm') await tab.close();
    else await context.close();
  }
  await warm?.close();
  return { times, stages };
}

async function main(): Promise<void> {
  const loads = argValue('loads', 20);
  const stack = await startStandaloneStack(say);
  const browser = await launchBrowser(say);
  try {
    const ids = await seed(stack.h);
    const state = await signedInState(browser, stack.h.baseUrl);
    const rows: string[] = [];
    const stageRows: string[] = [];
    const median = (values: number[]) => Math.round(summarize(values)!.p50);
    for (const page of CONSOLE_PAGES) {
      const cells: string[] = [];
      for (const mode of ['cold', 'warm', 'cold-4x'] as const) {
        const { times, stages } = await measure(browser, stack.h.baseUrl, state, page, ids, mode, loads);
        const s = summarize(times)!;
        if (mode === 'cold') {
          const stage = (k: keyof Waterfall) => `${median(stages.map((w) => w[k]))} ms`;
          stageRows.push(
            `| ${page.name} | ${stage('document')} | ${stage('assets')} | ${stage('session')} | ${stage('data')} | ${Math.round(s.p50)} ms |`,
          );
        }
        cells.push(`${Math.round(s.p50)} / ${Math.round(s.max)} ms`);
        say(
          `${page.name} ${mode}: p50 ${s.p50.toFixed(0)} ms, max ${s.max.toFixed(0)} ms over ${s.count} loads`,
        );
      }
      rows.push(`| ${page.name} | ${cells.join(' | ')} |`);
    }
    const [load1] = os.loadavg();
    console.log(
      `\n${loads} loads of each page and mode, 360×740, ${new Date().toISOString()}, load average ${load1!.toFixed(1)} on ${os.cpus().length} cores; target: interactive < ${TARGET_MS} ms\n`,
    );
    console.log('| Page | cold p50 / max | warm p50 / max | cold at 4× CPU slow-down p50 / max |');
    console.log('|---|---|---|---|');
    for (const row of rows) console.log(row);
    console.log('\nCold loads, median time by which each stage had arrived:\n');
    console.log('| Page | document | script + stylesheet | GET /auth/session | page data | interactive |');
    console.log('|---|---|---|---|---|---|');
    for (const row of stageRows) console.log(row);
  } finally {
    await browser.close();
    await stack.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
