// The console's schedule editor in a real headless Chromium against the real app: an admin creates a
// schedule with two participants and sees their shifts in the calendar; swaps their order and the API
// then names the other person on call; a bad value (no participants, an unknown zone) shows the API's
// error naming the field, at the control it names; a viewer sees no edit controls; the calendar says
// "until midnight" for a shift ending at midnight; no serious accessibility violation, sideways
// scrolling or CSP refusal at phone and desktop widths, light and dark.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildConsole } from '../scripts/build-web';
import {
  VIEWPORTS,
  assertNoProblems,
  createPasswordUser,
  horizontalOverflow,
  launchBrowser,
  seriousAxeViolations,
  openSignedIn,
} from './helpers/browser';
import { startHarness, type Harness } from './helpers/harness';
import { startTogether } from './helpers/start-together';

const out = mkdtempSync(path.join(os.tmpdir(), 'klaxon-console-schedules-edit-'));
let h: Harness;
let browser: Browser;
const users: Record<string, string> = {};
const DAY = 86_400_000;

before(async () => {
  const build = await buildConsole(path.join(out, 'web'));
  [h, browser] = await startTogether(startHarness({ consoleDir: build.dir }), launchBrowser());
  for (const [name, role] of [
    ['ada', 'admin'],
    ['vic', 'viewer'],
    ['ann', 'responder'],
    ['ben', 'responder'],
  ] as const)
    users[name] = await createPasswordUser(h, `${name}@example.com`, role);
});

after(async () => {
  await browser?.close();
  await h?.close();
  rmSync(out, { recursive: true, force: true });
});

const nameOf = (id: string) => Object.keys(users).find((n) => users[n] === id);

/** Signs in and opens `address`; waits for the shell rather than for whichever page is home. */
async function signedIn(
  login: string,
  address: string,
  viewport: { width: number; height: number } = VIEWPORTS.desktop,
  colorScheme: 'light' | 'dark' = 'light',
) {
  return openSignedIn(browser, h.baseUrl, `${login}@example.com`, { address, viewport, colorScheme });
}

async function onCallNames(id: string): Promise<string[]> {
  const res = await h.request('GET', `/schedules/${id}/on-call`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.on_call.map((o: { user_id: string }) => nameOf(o.user_id));
}

/** Adds the users to the layer's participants through its "Add participant" picker. */
async function addParticipants(page: Page, layer: number, names: string[]) {
  const fieldset = page.getByRole('group', { name: new RegExp(`^Layer ${layer}`) });
  for (const name of names) {
    await fieldset.getByLabel('Add participant').selectOption({ label: name });
    await fieldset.getByRole('button', { name: `Add the chosen participant to Layer ${layer}` }).click();
    await fieldset.getByRole('listitem').filter({ hasText: name }).waitFor();
  }
}

/** A daily rotation of ann and ben from yesterday 09:00 UTC, created through the API; returns its id. */
async function apiSchedule(name: string, restrictions: unknown[] = []): Promise<string> {
  const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
  const res = await h.request('POST', '/schedules', {
    name,
    time_zone: 'UTC',
    layers: [
      {
        name: 'daily',
        rotation: { type: 'daily', length: 1 },
        start: `${yesterday}T09:00`,
        participants: [users.ann, users.ben],
        restrictions,
      },
    ],
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

describe('the console’s schedule editor', () => {
  let createdId: string;

  it('lets an admin create a schedule with two participants and shows its shifts in the calendar', async () => {
    const w = await signedIn('ada', '/console/schedules');
    const { page } = w;
    await page.getByRole('link', { name: 'New schedule' }).click();
    await page.getByRole('heading', { name: 'New schedule', level: 1 }).waitFor();
    const form = page.getByRole('form', { name: 'Name, zone and layers' });
    await form.getByLabel('Name', { exact: true }).fill('Platform on-call');
    await form.getByLabel('Time zone').fill('UTC');
    const layer = form.getByRole('group', { name: /^Layer 1/ });
    await layer.getByLabel('Layer name').fill('days');
    await layer.getByLabel('Rotation').selectOption('daily');
    await layer.getByLabel(/Shift length/).fill('1');
    const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    await layer.getByLabel('First shift starts').fill(`${yesterday}T09:00`);
    await addParticipants(page, 1, ['ann', 'ben']);
    await form.getByRole('button', { name: 'Create schedule' }).click();

    await page.getByRole('heading', { name: 'Platform on-call', level: 1 }).waitFor();
    createdId = new URL(page.url()).pathname.split('/').pop()!;
    const stored = await h.request('GET', `/schedules/${createdId}`);
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    assert.equal(stored.body.time_zone, 'UTC');
    assert.deepEqual(stored.body.layers[0].rotation, { type: 'daily', length: 1 });
    assert.equal(stored.body.layers[0].start, `${yesterday}T09:00`);
    assert.deepEqual(stored.body.layers[0].participants, [users.ann, users.ben]);

    // Daily shifts alternate, so the two weeks' calendar names both, and today's on call is the API's.
    const shifts = page.locator('.calendar li li');
    await shifts.filter({ hasText: / ann$/ }).first().waitFor();
    await shifts.filter({ hasText: / ben$/ }).first().waitFor();
    const [now] = await onCallNames(createdId);
    const nowList = page.locator('section', { has: page.getByRole('heading', { name: 'On call now' }) });
    await nowList.getByText(now!, { exact: true }).waitFor();
    assertNoProblems(w);
    await w.context.close();
  });

  it('swaps the participants’ order in an edit, and the API then names the other person on call', async () => {
    const before = await h.request('GET', `/schedules/${createdId}`);
    const [onDuty] = await onCallNames(createdId);
    assert.ok(onDuty === 'ann' || onDuty === 'ben', `on call: ${onDuty}`);
    const other = onDuty === 'ann' ? 'ben' : 'ann';

    const w = await signedIn('ada', `/console/schedules/${createdId}`);
    const { page } = w;
    await page.getByRole('button', { name: 'Edit schedule' }).click();
    const form = page.getByRole('form', { name: 'Edit schedule' });
    // By keyboard: at the top ben's Up is disabled, so the focus stays with him on his Down button.
    await form.getByRole('button', { name: 'Move ben up' }).press('Enter');
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Move ben down');
    assert.deepEqual(
      await form.locator('.participants .participant-name').allInnerTexts(),
      ['ben', 'ann'],
      'the list shows the new order before saving',
    );
    await form.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Platform on-call' }).waitFor();
    assert.equal(await page.getByRole('form', { name: 'Edit schedule' }).count(), 0, 'the editor closes');

    assert.deepEqual(await onCallNames(createdId), [other]);
    const nowList = page.locator('section', { has: page.getByRole('heading', { name: 'On call now' }) });
    await nowList.getByText(other, { exact: true }).waitFor();
    const afterEdit = await h.request('GET', `/schedules/${createdId}`);
    assert.deepEqual(afterEdit.body.layers[0].participants, [users.ben, users.ann]);
    assert.equal(afterEdit.body.layers[0].id, before.body.layers[0].id, 'the edit keeps the layer');
    assertNoProblems(w);
    await w.context.close();
  });

  it('shows the API’s error naming the field at the form, and saves nothing', async () => {
    const before = await h.request('GET', `/schedules/${createdId}`);
    const w = await signedIn('ada', `/console/schedules/${createdId}`);
    const { page } = w;
    await page.getByRole('button', { name: 'Edit schedule' }).click();
    const form = page.getByRole('form', { name: 'Edit schedule' });
    const layer = form.getByRole('group', { name: /^Layer 1/ });

    await layer.getByRole('button', { name: 'Remove ben from Layer 1' }).click();
    await layer.getByRole('button', { name: 'Remove ann from Layer 1' }).click();
    const refused = page.waitForResponse(
      (r) => r.url().endsWith(`/schedules/${createdId}`) && r.status() === 400,
    );
    await form.getByRole('button', { name: 'Save schedule' }).click();
    const answer = await (await refused).json();
    assert.match(answer.error.message, /^body\.layers\.0\.participants: /);
    const alert = form.getByRole('alert');
    await alert.filter({ hasText: 'Layer 1 participants:' }).waitFor();
    assert.ok(
      (await alert.innerText()).includes(answer.error.message.replace(/^[^:]+: /, '')),
      'the API’s words',
    );
    const picker = layer.getByLabel('Add participant');
    assert.equal(await picker.getAttribute('aria-invalid'), 'true', 'the participants control is marked');
    assert.equal(await picker.evaluate((el) => el === document.activeElement), true, 'and has the focus');

    await addParticipants(page, 1, ['ann']);
    await form.getByLabel('Time zone').fill('Mars/Olympus');
    await form.getByRole('button', { name: 'Save schedule' }).click();
    await alert.filter({ hasText: 'Time zone: not an IANA time zone' }).waitFor();
    assert.equal(await form.getByLabel('Time zone').getAttribute('aria-invalid'), 'true');
    assert.equal(await picker.getAttribute('aria-invalid'), null, 'the earlier mark is gone');

    const after = await h.request('GET', `/schedules/${createdId}`);
    assert.deepEqual(after.body, before.body, 'nothing was saved');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Edit schedule' }).waitFor();
    assertNoProblems(w);
    await w.context.close();
  });

  it('shows a viewer no control to create or edit a schedule', async () => {
    const w = await signedIn('vic', '/console/schedules');
    const { page } = w;
    await page.getByRole('link', { name: 'Platform on-call' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'New schedule' }).count(), 0);
    await page.goto(`/console/schedules/${createdId}`);
    await page.getByRole('heading', { name: 'On call now' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit schedule' }).count(), 0);
    await page.goto('/console/schedules/new');
    await page.getByText('Only an admin can create schedules.').waitFor();
    assert.equal(await page.getByRole('form').count(), 0, 'no editor');
    assertNoProblems(w);
    await w.context.close();
  });

  it('says a shift that ends at midnight ends at midnight, not at 00:00', async () => {
    const everyEvening = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '18:00', end: '24:00' }));
    const id = await apiSchedule('Evenings', everyEvening);
    const w = await signedIn('ada', `/console/schedules/${id}`);
    const { page } = w;
    await page.getByLabel(/the schedule’s zone/).check();
    const times = page.locator('.calendar .shift-time');
    await times.first().waitFor();
    const texts = await times.allInnerTexts();
    assert.ok(texts.length >= 13, texts.join(' | '));
    assert.ok(
      texts.every((t) => / until midnight$/.test(t)),
      `every evening ends "until midnight": ${texts.join(' | ')}`,
    );
    assert.ok(!texts.some((t) => t.includes('00:00')), texts.join(' | '));
    assertNoProblems(w);
    await w.context.close();
  });

  it('has no serious accessibility violation, sideways scrolling or CSP refusal at phone and desktop, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const)
      for (const width of ['phone', 'desktop'] as const) {
        const where = `${width} width, ${colorScheme}`;
        const w = await signedIn('ada', '/console/schedules', VIEWPORTS[width], colorScheme);
        const { page } = w;
        const check = async (what: string) => {
          assert.deepEqual(await seriousAxeViolations(page), [], `${what} at ${where}`);
          assert.equal(await horizontalOverflow(page), 0, `${what} at ${where} scrolls sideways`);
        };
        await page.getByRole('link', { name: 'New schedule' }).waitFor();
        await check('schedules list');

        await page.goto('/console/schedules/new');
        const form = page.getByRole('form', { name: 'Name, zone and layers' });
        await form.getByRole('button', { name: 'Add layer' }).click();
        await addParticipants(page, 1, ['ann', 'ben']);
        await form.getByRole('button', { name: 'Add time window' }).first().click();
        await check('new schedule with two layers, participants and a time window');
        // Nothing in layer 2: the API refuses it, and the marked field must stay readable.
        await form.getByLabel('Name', { exact: true }).fill(`Draft ${where}`);
        await form.getByRole('button', { name: 'Create schedule' }).click();
        await form.getByRole('alert').filter({ hasText: 'Layer 2 participants' }).waitFor();
        await check('new schedule with an error');

        await page.goto(`/console/schedules/${createdId}`);
        await page.getByRole('button', { name: 'Edit schedule' }).click();
        await page.getByRole('form', { name: 'Edit schedule' }).waitFor();
        await check('schedule with the editor open');
        assertNoProblems(w);
        await w.context.close();
      }
  });
});
