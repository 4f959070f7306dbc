// The console's Silences page in a real headless Chromium against the real app (API, worker, Postgres,
// Temporal): a responder previews a silence on a service (the preview lists its open alert), creates it,
// and the API then has it with those matchers; an alert of that service triggered afterwards is held
// (its page says silenced until when, its timeline says silenced), and its "Silence similar" link opens
// the form pre-filled; the responder expires the silence from the list and the API has it ended. A
// responder creates a weekly recurring silence and the API has that recurrence. A form
// the API refuses (no matcher, an end before the start) shows the refusal naming the field and creates
// nothing. A viewer sees the list without create or expire controls. No serious accessibility violation
// or sideways scrolling at phone and desktop width, light and dark, the Repeats section open too.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { buildConsole } from '../scripts/build-web';
import {
  LOOKS,
  VIEWPORTS,
  assertNoProblems,
  createPasswordUser,
  horizontalOverflow,
  launchBrowser,
  openSignedIn,
  seriousAxeViolations,
  type WatchedPage,
} from './helpers/browser';
import { startHarness, type Harness } from './helpers/harness';
import { startTogether } from './helpers/start-together';

const out = mkdtempSync(path.join(os.tmpdir(), 'klaxon-console-silences-'));
let h: Harness;
let browser: Browser;

before(async () => {
  const build = await buildConsole(path.join(out, 'web'));
  [h, browser] = await startTogether(startHarness({ consoleDir: build.dir }), launchBrowser());
  await createPasswordUser(h, 'rita@example.com', 'responder');
  await createPasswordUser(h, 'vic@example.com', 'viewer');
});

after(async () => {
  await browser?.close();
  await h?.close();
  rmSync(out, { recursive: true, force: true });
});

interface ApiSilence {
  id: string;
  matchers: { field: string; label?: string; op: string; value: string }[];
  starts_at: string;
  ends_at: string;
  recurrence: { weekdays: number[]; start: string; duration_minutes: number; time_zone: string } | null;
  reason: string;
  state: string;
  created_by: string;
  deleted_by: string | null;
}

const silences = async () => (await h.request('GET', '/silences')).body.silences as ApiSilence[];

/** POSTs to the API and returns the body of its 201. */
async function created(path: string, body: Record<string, unknown>) {
  const res = await h.request('POST', path, body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

const trigger = async (summary: string, service: string): Promise<string> =>
  (await created('/alerts', { summary, severity: 'high', service, source: 'silences-test' })).id;

/** Creates a silence through the API, as a script or Alertmanager's user would. */
const apiSilence = async (service: string, reason: string, body: Record<string, unknown> = {}) =>
  (await created('/silences', {
    matchers: [{ field: 'service', op: '=', value: service }],
    ends_at: new Date(Date.now() + 2 * 3_600_000).toISOString(),
    reason,
    ...body,
  })) as ApiSilence;

/** Waits until the form shows the API's refusal. */
const refusal = (form: Locator, text: string | RegExp) =>
  form.getByRole('alert').filter({ hasText: text }).waitFor();

function signedIn(
  login: string,
  address: string,
  viewport: { width: number; height: number } = VIEWPORTS.desktop,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<WatchedPage> {
  return openSignedIn(browser, h.baseUrl, `${login}@example.com`, { address, viewport, colorScheme });
}

describe('the console’s Silences page', () => {
  it('previews, creates and expires a silence that holds an alert of its service', async () => {
    await trigger('Payments API answering 500s', 'payments');
    await trigger('Search index stale', 'search');
    const w = await signedIn('rita', '/console');
    const { page } = w;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Silences' }).click();
    await page.getByRole('heading', { name: 'Silences', level: 1 }).waitFor();
    const form = page.getByRole('form', { name: 'New silence' });

    await form.getByLabel('Matcher 1 value').fill('payments');
    await form.getByLabel('4 hours').check();
    await form.getByLabel('Comment').fill('payments deploy');
    await form.getByRole('button', { name: 'Preview' }).click();
    const preview = form.getByRole('list', { name: 'Alerts it would silence' });
    await preview.getByRole('link', { name: 'Payments API answering 500s' }).waitFor();
    await form.getByRole('heading', { name: 'It would silence 1 open alert now' }).waitFor();
    assert.equal(await preview.getByRole('link', { name: 'Search index stale' }).count(), 0);
    assert.equal(
      (await silences()).filter((s) => s.reason === 'payments deploy').length,
      0,
      'a preview creates nothing',
    );

    await form.getByRole('button', { name: 'Create silence' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Created the silence on service = payments; it holds 1 open alert now.' })
      .waitFor();
    const row = page
      .getByRole('list', { name: 'Active and upcoming silences' })
      .getByRole('listitem')
      .filter({ hasText: 'payments deploy' });
    await row.getByText('service = payments', { exact: true }).waitFor();
    await row.getByText('By rita').waitFor();
    assert.equal(await form.getByLabel('Matcher 1 value').inputValue(), '', 'the form is cleared');

    const created = (await silences()).find((s) => s.reason === 'payments deploy');
    assert.ok(created, 'the API lists the silence');
    assert.deepEqual(created.matchers, [{ field: 'service', op: '=', value: 'payments' }]);
    assert.equal(created.state, 'active');
    assert.equal(created.created_by, 'user:rita');
    const lasts = Date.parse(created.ends_at) - Date.parse(created.starts_at);
    assert.ok(Math.abs(lasts - 4 * 3_600_000) < 60_000, `lasts 4 hours, not ${lasts} ms`);

    // An alert of that service triggered now is held: its page and its timeline say so.
    const held = await trigger('Payments queue backed up', 'payments');
    await page.goto(`/console/alerts/${held}`);
    await page.getByText('Silenced until', { exact: true }).waitFor();
    await page
      .getByRole('list', { name: 'Timeline' })
      .getByText(/payments deploy/)
      .waitFor();
    const detail = (await h.request('GET', `/alerts/${held}`)).body;
    assert.equal(detail.live.silencedUntil, new Date(Date.parse(created.ends_at)).toISOString());
    assert.ok(
      (detail.timeline as { action: string }[]).some((e) => e.action === 'silenced'),
      'the timeline has the silence',
    );

    // "Silence similar" opens the form with the alert's service.
    await page.getByRole('link', { name: 'Silence similar alerts' }).click();
    await page.getByRole('heading', { name: 'Silences', level: 1 }).waitFor();
    await page.getByLabel('Matcher 1 value').waitFor();
    assert.equal(await page.getByLabel('Matcher 1 value').inputValue(), 'payments');
    assert.equal(new URL(page.url()).searchParams.get('service'), 'payments');

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Expire' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Expired the silence on service = payments.' })
      .waitFor();
    await row.waitFor({ state: 'detached' });
    await page.getByText(/Ended in the last week/).click();
    const ended = page
      .getByRole('list', { name: 'Silences ended in the last week' })
      .getByRole('listitem')
      .filter({ hasText: 'payments deploy' });
    await ended.getByText('expired by rita', { exact: false }).waitFor();
    assert.equal(await ended.getByRole('button', { name: 'Expire' }).count(), 0);
    const after = (await h.request('GET', `/silences/${created.id}`)).body as ApiSilence;
    assert.equal(after.state, 'deleted');
    assert.equal(after.deleted_by, 'user:rita');
    assertNoProblems(w);
    await w.context.close();
  });

  it('creates a weekly recurring silence that the API returns with its days, start, length and zone', async () => {
    const w = await signedIn('rita', '/console/silences');
    const { page } = w;
    const form = page.getByRole('form', { name: 'New silence' });
    await form.getByLabel('Matcher 1 value').fill('warehouse');
    await form.getByLabel('Repeats', { exact: true }).check();
    const days = form.getByRole('group', { name: 'Repeats on' });
    assert.equal(
      await form.getByLabel('Time zone').inputValue(),
      await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
      'the zone is the viewer’s unless changed',
    );
    await days.getByLabel('Tuesday').check();
    await days.getByLabel('Saturday').check();
    await form.getByLabel('Time of day').fill('02:30');
    await form.getByLabel('Each lasts (minutes)').fill('90');
    await form.getByLabel('Time zone').fill('Europe/Berlin');
    const end = new Date(Date.now() + 60 * 86_400_000);
    const local = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T00:00`;
    await form.getByLabel('End', { exact: true }).fill(await page.evaluate(local, end));
    await form.getByLabel('Comment').fill('weekly warehouse sync');

    // A refused field is named and marked: here the length of each occurrence.
    await form.getByLabel('Each lasts (minutes)').fill('0');
    await form.getByRole('button', { name: 'Create silence' }).click();
    await refusal(form, /^Repeats, each lasts: /);
    const minutes = form.getByLabel('Each lasts (minutes)');
    assert.equal(await minutes.getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await seriousAxeViolations(page), [], 'the Repeats section with a refusal');

    await minutes.fill('90');
    await form.getByRole('button', { name: 'Create silence' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Created the silence on service = warehouse' })
      .waitFor();
    await page
      .getByRole('list', { name: 'Active and upcoming silences' })
      .getByRole('listitem')
      .filter({ hasText: 'weekly warehouse sync' })
      .getByText('every Tue, Sat at 02:30 for 1 h 30 min (Europe/Berlin)', { exact: false })
      .waitFor();
    const made = (await silences()).find((s) => s.reason === 'weekly warehouse sync');
    assert.ok(made, 'the API lists the silence');
    assert.deepEqual(made.recurrence, {
      weekdays: [2, 6],
      start: '02:30',
      duration_minutes: 90,
      time_zone: 'Europe/Berlin',
    });
    assert.ok(Math.abs(Date.parse(made.ends_at) - end.getTime()) < 86_400_000, 'it recurs until the End');
    assertNoProblems(w);
    await w.context.close();
  });

  it('shows the API’s refusal of a form with no matcher or an end before its start, creating nothing', async () => {
    const before = (await silences()).length;
    const w = await signedIn('rita', '/console/silences');
    const { page } = w;
    const form = page.getByRole('form', { name: 'New silence' });
    await form.getByLabel('Comment').fill('refused');
    await form.getByRole('button', { name: 'Remove matcher 1' }).click();
    await form.getByText('No matcher yet').waitFor();
    await form.getByRole('button', { name: 'Create silence' }).click();
    await refusal(form, /^Matchers: /);
    const add = form.getByRole('button', { name: 'Add matcher' });
    assert.equal(await add.getAttribute('aria-invalid'), 'true');
    assert.equal(await add.evaluate((e) => e === document.activeElement), true, 'the field is focused');

    await add.click();
    await form.getByLabel('Matcher 1 value').fill('payments');
    await form.getByLabel('Start').fill('2030-01-02T10:00');
    await form.getByLabel('Until a time').check();
    await form.getByLabel('End', { exact: true }).fill('2030-01-02T09:00');
    await form.getByRole('button', { name: 'Preview' }).click();
    await refusal(form, 'End: ends_at must be after starts_at');
    // Listening before the click: a quick 400 can come back before a listener added after it.
    const answered = page.waitForResponse((r) => r.url().endsWith('/silences') && r.request().method() === 'POST');
    await form.getByRole('button', { name: 'Create silence' }).click();
    await answered;
    await refusal(form, 'End: ends_at must be after starts_at');
    assert.equal(await form.getByLabel('End', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal((await silences()).length, before, 'nothing was created');
    assertNoProblems(w);
    await w.context.close();
  });

  it('shows a viewer the silences, recurring ones said so, without create or expire controls', async () => {
    await apiSilence('viewer-visible', 'seen by the viewer');
    await apiSilence('nightly', 'nightly backup', {
      ends_at: new Date(Date.now() + 14 * 86_400_000).toISOString(),
      recurrence: { weekdays: [1, 2, 3, 4, 5, 6, 7], start: '02:00', duration_minutes: 60, time_zone: 'UTC' },
    });
    const w = await signedIn('vic', '/console/silences');
    const { page } = w;
    const list = page.getByRole('list', { name: 'Active and upcoming silences' });
    await list.getByRole('listitem').filter({ hasText: 'seen by the viewer' }).waitFor();
    await list
      .getByRole('listitem')
      .filter({ hasText: 'nightly backup' })
      .getByText(/every day at 02:00 for 1 h \(UTC\)/)
      .waitFor();
    assert.equal(await page.getByRole('button', { name: 'Expire' }).count(), 0, 'no Expire');
    assert.equal(await page.getByRole('form', { name: 'New silence' }).count(), 0, 'no form');
    assert.equal(await page.getByRole('button', { name: 'Create silence' }).count(), 0);
    assertNoProblems(w);
    await w.context.close();
  });

  it('has no serious accessibility violation or sideways scrolling at phone and desktop width, light and dark', async () => {
    await trigger(
      'A long summary of a payments alert that has to wrap on a phone without scrolling',
      'payments',
    );
    for (const [width, scheme] of LOOKS) {
      const w = await signedIn('rita', '/console/silences?service=payments', VIEWPORTS[width], scheme);
      const { page } = w;
      const where = `at ${width} width, ${scheme}`;
      await page.getByRole('listitem').filter({ hasText: 'seen by the viewer' }).waitFor();
      await page.getByText(/Ended in the last week/).click();
      const form = page.getByRole('form', { name: 'New silence' });
      await form.getByRole('button', { name: 'Add matcher' }).click();
      await form.getByLabel('Matcher 2 field').selectOption('label');
      await form.getByLabel('Matcher 2 label name').fill('env');
      await form.getByLabel('Matcher 2 operator').selectOption('!~');
      await form.getByLabel('Matcher 2 value').fill('dev.*');
      await form.getByLabel('Comment').fill('checking how it looks');
      await form.getByLabel('Until a time').check();
      await form.getByRole('button', { name: 'Preview' }).click();
      await refusal(form, /^End: /);
      assert.deepEqual(await seriousAxeViolations(page), [], `Silences with a refusal ${where}`);
      assert.equal(await horizontalOverflow(page), 0, `Silences ${where} scrolls sideways`);

      await form.getByLabel('1 day').check();
      await form.getByRole('button', { name: 'Preview' }).click();
      await form.getByRole('link', { name: /A long summary/ }).waitFor();
      assert.deepEqual(await seriousAxeViolations(page), [], `Silences with a preview ${where}`);
      assert.equal(await horizontalOverflow(page), 0, `Silences with a preview ${where} scrolls sideways`);

      await form.getByLabel('Repeats', { exact: true }).check();
      await form.getByRole('group', { name: 'Repeats on' }).getByLabel('Sunday').check();
      assert.deepEqual(await seriousAxeViolations(page), [], `Silences repeating ${where}`);
      assert.equal(await horizontalOverflow(page), 0, `Silences repeating ${where} scrolls sideways`);
      assertNoProblems(w);
      await w.context.close();
    }
  });
});
