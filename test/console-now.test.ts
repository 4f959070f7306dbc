// The console's Now page and the Alerts list's filters and bulk actions in a real headless Chromium
// against the real app: Now names who is on call and next on a seeded schedule and my next shift, and an
// alert paging me appears without a reload; filters narrow the list and live in the address; a bulk
// acknowledge acknowledges each alert and reports the one that was already resolved; Load more pages
// on; a viewer gets no bulk controls; no serious accessibility violation or sideways scrolling at phone
// and desktop width.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { buildConsole } from '../scripts/build-web';
import {
  BROWSER_DEADLINE_MS,
  VIEWPORTS,
  assertNoProblems,
  createPasswordUser,
  horizontalOverflow,
  launchBrowser,
  openPage,
  seriousAxeViolations,
  TEST_PASSWORD,
} from './helpers/browser';
import { startHarness, type Harness } from './helpers/harness';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver';

const out = mkdtempSync(path.join(os.tmpdir(), 'klaxon-console-now-'));
let h: Harness;
let browser: Browser;
let receiver: WebhookReceiver;
const users: Record<string, string> = {};
let scheduleId: string;
/** The service whose policy pages ann at once. */
const PAGING_ANN = 'paging-ann';

before(async () => {
  const build = await buildConsole(path.join(out, 'web'));
  [h, browser, receiver] = await Promise.all([
    startHarness({ consoleDir: build.dir }),
    launchBrowser(),
    startWebhookReceiver(),
  ]);
  for (const [name, role] of [
    ['ann', 'responder'],
    ['ben', 'responder'],
    ['vic', 'viewer'],
  ] as const) {
    users[name] = await createPasswordUser(h, `${name}@example.com`, role, {
      contact_methods: [{ type: 'webhook', address: `${receiver.url}/${name}` }],
    });
  }
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const schedule = await h.request('POST', '/schedules', {
    name: 'Primary on-call',
    time_zone: 'America/New_York',
    layers: [
      {
        name: 'daily',
        rotation: { type: 'daily', length: 1 },
        start: `${yesterday}T09:00`,
        participants: [users.ann, users.ben],
      },
    ],
  });
  assert.equal(schedule.status, 201, JSON.stringify(schedule.body));
  scheduleId = schedule.body.id;
  const policy = await h.request('POST', '/escalation-policies', {
    name: 'ann first',
    tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: users.ann }] }],
  });
  assert.equal(policy.status, 201, JSON.stringify(policy.body));
  const rules = await h.request('PUT', '/escalation-rules', {
    rules: [{ policy_id: policy.body.id, services: [PAGING_ANN] }],
  });
  assert.equal(rules.status, 200, JSON.stringify(rules.body));
});

after(async () => {
  await browser?.close();
  await receiver?.close();
  await h?.close();
  rmSync(out, { recursive: true, force: true });
});

/** Opens `address`, signs in there as `login` and waits for `heading`. */
async function signedIn(
  login: string,
  address = '/console',
  heading = 'Now',
  viewport: { width: number; height: number } = VIEWPORTS.desktop,
  colorScheme: 'light' | 'dark' = 'light',
) {
  const w = await openPage(browser, h.baseUrl, viewport, { colorScheme });
  await w.page.goto(address);
  await w.page.getByLabel('Login').fill(`${login}@example.com`);
  await w.page.getByLabel('Password').fill(TEST_PASSWORD);
  await w.page.getByRole('button', { name: 'Sign in' }).click();
  await w.page.getByRole('heading', { name: heading, exact: true }).waitFor();
  return w;
}

async function trigger(summary: string, service: string, severity = 'high'): Promise<string> {
  const res = await h.request('POST', '/alerts', { summary, severity, service, source: 'console-now-test' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

async function waitForState(id: string, state: string): Promise<void> {
  const deadline = Date.now() + BROWSER_DEADLINE_MS;
  for (;;) {
    const { rows } = await h.db.pool.query<{ state: string }>('select state from alerts where id = $1', [id]);
    if (rows[0]?.state === state) return;
    if (Date.now() > deadline) assert.fail(`alert ${id} is ${rows[0]?.state}, not ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const nameOf = (id: string) => Object.keys(users).find((n) => users[n] === id);

describe('the console’s Now page and the Alerts list', () => {
  it('shows who is on call and next on the schedule, and my next shift', async () => {
    const onCall = await h.request('GET', `/schedules/${scheduleId}/on-call`);
    const onDuty = nameOf(onCall.body.on_call[0].user_id)!;
    const next = onDuty === 'ann' ? 'ben' : 'ann';
    const mine = await h.request('GET', `/users/${users.ann}/on-call?days=14`);
    assert.ok(mine.body.shifts.length > 0, 'ann has shifts in the coming two weeks');

    const w = await signedIn('ann');
    const { page } = w;
    const schedules = page.locator('section', { has: page.getByRole('heading', { name: 'On call now' }) });
    const card = schedules
      .getByRole('listitem')
      .filter({ has: page.getByRole('link', { name: 'Primary on-call' }) });
    await card.getByText(onDuty, { exact: true }).waitFor();
    await card.getByText(`Next: ${next} from`).waitFor();
    // The handoff is the rotation's next 09:00 in New York, less than a day away.
    assert.match(await card.innerText(), /\(in \d+ (hr|min)\.\)/);

    const shifts = page.locator('section', { has: page.getByRole('heading', { name: 'Your next shifts' }) });
    const first = shifts.getByRole('listitem').first();
    await first.getByText('Primary on-call').waitFor();
    const text = await first.innerText();
    if (onDuty === 'ann') assert.match(text, /on call now, until/, text);
    else assert.match(text, /\(in \d+ (hr|min)\.\) until/, text);
    assertNoProblems(w);
    await w.context.close();
  });

  it('shows an alert that pages me without a reload, and not one paging nobody I know', async () => {
    const w = await signedIn('ann');
    const { page } = w;
    await page.getByText('No open alert has paged you.').waitFor();
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    await trigger('Queue stuck on paging-ann', PAGING_ANN);
    await trigger('Something nobody is paged for', 'quiet-service');
    const paging = page.getByRole('list', { name: /open alerts paging you/ });
    await paging.getByRole('heading', { name: 'Queue stuck on paging-ann' }).waitFor();
    assert.equal(await paging.getByRole('heading', { name: 'Something nobody is paged for' }).count(), 0);
    assert.equal(
      await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
      true,
      'no reload',
    );
    assertNoProblems(w);
    await w.context.close();
  });

  it('narrows the alerts list with filters kept in the address, through a reload', async () => {
    await trigger('Primary database down', 'db', 'critical');
    await trigger('Replica lag on db', 'db', 'low');
    await trigger('Web front slow', 'web', 'critical');
    const w = await signedIn('ann', '/console/alerts', 'Alerts');
    const { page } = w;
    const heading = (name: string) =>
      page.getByRole('list', { name: /alerts/ }).getByRole('heading', { name });
    await heading('Web front slow').waitFor();

    await page.getByLabel('Service').fill('db');
    await page.getByLabel('Service').press('Enter');
    await heading('Replica lag on db').waitFor();
    await heading('Web front slow').waitFor({ state: 'detached' });
    await page.getByLabel('Severity').selectOption('critical');
    await heading('Replica lag on db').waitFor({ state: 'detached' });
    await heading('Primary database down').waitFor();
    const url = new URL(page.url());
    assert.equal(url.pathname, '/console/alerts');
    assert.equal(url.searchParams.get('service'), 'db');
    assert.equal(url.searchParams.get('severity'), 'critical');

    await page.reload();
    await heading('Primary database down').waitFor();
    assert.equal(await page.getByLabel('Service').inputValue(), 'db');
    assert.equal(await page.getByLabel('Severity').inputValue(), 'critical');
    assert.equal(
      await page
        .getByRole('list', { name: /alerts/ })
        .getByRole('listitem')
        .count(),
      1,
    );

    // A time range from an hour ahead leaves nothing; clearing the filters brings everything back.
    // A string, not a function: the test's compiler would wrap an inner function in a helper the page lacks.
    const ahead = await page.evaluate<string>(
      `(() => { const d = new Date(Date.now() + 3600000); const p = (n) => String(n).padStart(2, '0');
        return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()); })()`,
    );
    await page.getByLabel('Triggered from').fill(ahead);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No alerts match.').waitFor();
    assert.ok(new URL(page.url()).searchParams.get('from'), 'the range is in the address');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await heading('Web front slow').waitFor();
    assert.equal(new URL(page.url()).search, '');
    assertNoProblems(w);
    await w.context.close();
  });

  it('acknowledges a selection alert by alert, reporting the already-resolved one and keeping it selected', async () => {
    const one = await trigger('Bulk one', 'bulk');
    const two = await trigger('Bulk two', 'bulk');
    const done = await trigger('Bulk done', 'bulk');
    assert.equal((await h.request('POST', `/alerts/${done}/resolve`, {})).status, 200);
    await waitForState(done, 'resolved');

    const w = await signedIn('ann', '/console/alerts?state=all&service=bulk', 'Alerts');
    const { page } = w;
    await page.getByRole('heading', { name: 'Bulk done' }).waitFor();
    assert.equal(
      await page
        .getByRole('list', { name: /alerts/ })
        .getByRole('listitem')
        .count(),
      3,
    );
    await page.getByLabel('Select all shown').check();
    for (const name of ['Bulk one', 'Bulk two', 'Bulk done'])
      assert.equal(await page.getByLabel(`Select “${name}”`).isChecked(), true);
    await page.getByText('3 alerts selected').waitFor();
    const acks = page.waitForRequest((r) => r.url().endsWith(`/alerts/${one}/acknowledge`));
    await page.getByRole('button', { name: 'Acknowledge selected' }).click();
    assert.ok((await acks).headers()['idempotency-key'], 'each call has its Idempotency-Key');

    const report = page.getByRole('status').filter({ hasText: 'Acknowledged 2 of 3 alerts; 1 failed.' });
    await report.waitFor();
    await report.getByText('“Bulk one”: acknowledged').waitFor();
    await report.getByText('“Bulk two”: acknowledged').waitFor();
    const failed = await report.getByText('“Bulk done”: not acknowledged').innerText();
    assert.match(failed, /\(409\)/, failed);
    await waitForState(one, 'acknowledged');
    await waitForState(two, 'acknowledged');
    const api = await h.request('GET', `/alerts/${two}`);
    assert.equal(api.body.state, 'acknowledged');
    assert.equal((await h.request('GET', `/alerts/${done}`)).body.state, 'resolved');

    // The failed one stays selected for another try; the others are done.
    await page.getByText('1 alert selected').waitFor();
    assert.equal(await page.getByLabel('Select “Bulk done”').isChecked(), true);
    assert.equal(await page.getByLabel('Select “Bulk one”').isChecked(), false);
    assertNoProblems(w);
    await w.context.close();
  });

  it('loads older alerts with Load more, through the API’s next_cursor', async () => {
    // One more than a page (50).
    for (let i = 0; i < 51; i += 3)
      await Promise.all([i, i + 1, i + 2].filter((n) => n < 51).map((n) => trigger(`Many ${n}`, 'many')));
    const w = await signedIn('ann', '/console/alerts?service=many', 'Alerts');
    const { page } = w;
    const items = page.getByRole('list', { name: /alerts/ }).getByRole('listitem');
    await page.getByRole('list', { name: '50 alerts' }).waitFor();
    const more = page.waitForRequest((r) => new URL(r.url()).searchParams.has('cursor'));
    await page.getByRole('button', { name: 'Load more' }).click();
    await more;
    await page.getByRole('list', { name: '51 alerts' }).waitFor();
    assert.equal(await items.count(), 51);
    await page.getByRole('button', { name: 'Load more' }).waitFor({ state: 'detached' });
    // The next refresh keeps all 51.
    await page.waitForResponse((r) => r.url().includes('/alerts?') && r.url().includes('limit=51'));
    assert.equal(await items.count(), 51);
    assertNoProblems(w);
    await w.context.close();
  });

  it('shows a viewer the alerts but no checkboxes or bulk buttons', async () => {
    await trigger('Seen by the viewer', 'viewer-service');
    const w = await signedIn('vic', '/console/alerts?state=all', 'Alerts');
    const { page } = w;
    await page.getByRole('heading', { name: 'Seen by the viewer' }).waitFor();
    assert.equal(await page.getByRole('checkbox').count(), 0, 'no checkboxes');
    assert.equal(await page.getByRole('button', { name: /selected/ }).count(), 0, 'no bulk buttons');
    assert.equal(await page.getByRole('button', { name: 'Acknowledge' }).count(), 0);
    assertNoProblems(w);
    await w.context.close();
  });

  it('has no serious accessibility violation or sideways scrolling at phone and desktop width, light and dark', async () => {
    await trigger(
      'A long summary that has to wrap on a phone screen without scrolling sideways at all',
      PAGING_ANN,
    );
    await trigger(
      'Another long summary that has to wrap on a phone screen, beside its checkbox and badges',
      'bulk',
    );
    const looks = [
      ['phone', 'light'],
      ['desktop', 'light'],
      ['phone', 'dark'],
      ['desktop', 'dark'],
    ] as const;
    for (const [width, scheme] of looks) {
      const w = await signedIn('ann', '/console', 'Now', VIEWPORTS[width], scheme);
      const { page } = w;
      await page.getByRole('link', { name: 'Primary on-call' }).waitFor();
      await page.getByRole('heading', { name: /A long summary/ }).waitFor();
      const where = `at ${width} width, ${scheme}`;
      assert.deepEqual(await seriousAxeViolations(page), [], `Now ${where}`);
      assert.equal(await horizontalOverflow(page), 0, `Now ${where} scrolls sideways`);

      await page.goto('/console/alerts?state=all&service=bulk');
      await page.getByRole('heading', { name: /Another long summary/ }).waitFor();
      await page.getByLabel('Select “Bulk done”').check();
      await page.getByRole('button', { name: 'Resolve selected' }).click();
      await page.getByRole('status').filter({ hasText: 'failed' }).waitFor();
      assert.deepEqual(await seriousAxeViolations(page), [], `Alerts ${where}`);
      assert.equal(await horizontalOverflow(page), 0, `Alerts ${where} scrolls sideways`);
      assertNoProblems(w);
      await w.context.close();
    }
  });
});
