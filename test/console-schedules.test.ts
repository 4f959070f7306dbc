// The console's Schedules and Escalation policies pages in a real headless Chromium against the real app:
// an admin sees who is on call, covers now with an override from the calendar page (and the API then
// names the override's user) and removes it; a viewer sees the overrides but no controls; the dry-run's
// timeline is the API's simulate answer; no serious accessibility violation, sideways scrolling or CSP
// refusal at phone and desktop widths.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { buildConsole } from '../scripts/build-web';
import {
  VIEWPORTS,
  horizontalOverflow,
  launchBrowser,
  openPage,
  seriousAxeViolations,
  TEST_PASSWORD,
  assertNoProblems,
  createPasswordUser,
} from './helpers/browser';
import { startHarness, type Harness } from './helpers/harness';

const out = mkdtempSync(path.join(os.tmpdir(), 'klaxon-console-schedules-'));
let h: Harness;
let browser: Browser;
const users: Record<string, string> = {};
let scheduleId: string;
let policyId: string;

before(async () => {
  const build = await buildConsole(path.join(out, 'web'));
  [h, browser] = await Promise.all([startHarness({ consoleDir: build.dir }), launchBrowser()]);
  for (const [name, role] of [
    ['ada', 'admin'],
    ['vic', 'viewer'],
    ['ann', 'responder'],
    ['ben', 'responder'],
  ] as const)
    users[name] = await createUser(name, role);
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
    name: 'Checkout escalation',
    tiers: [
      { delay_minutes: 0, targets: [{ type: 'schedule', id: scheduleId }] },
      { delay_minutes: 10, targets: [{ type: 'user', id: users.ada }] },
    ],
  });
  assert.equal(policy.status, 201, JSON.stringify(policy.body));
  policyId = policy.body.id;
});

after(async () => {
  await browser?.close();
  await h?.close();
  rmSync(out, { recursive: true, force: true });
});

/** A user named `name` signing in as name@example.com, with an email contact method; returns their id. */
const createUser = (name: string, role: string) =>
  createPasswordUser(h, `${name}@example.com`, role, {
    contact_methods: [{ type: 'email', address: `${name}@example.com` }],
  });

async function signedIn(login: string, viewport: { width: number; height: number } = VIEWPORTS.desktop) {
  const w = await openPage(browser, h.baseUrl, viewport);
  await w.page.goto('/console');
  await w.page.getByLabel('Login').fill(`${login}@example.com`);
  await w.page.getByLabel('Password').fill(TEST_PASSWORD);
  await w.page.getByRole('button', { name: 'Sign in' }).click();
  await w.page.getByRole('heading', { name: 'Now', exact: true }).waitFor();
  return w;
}

async function onCallNow(): Promise<{ user_id: string; override_id: string | null }[]> {
  const res = await h.request('GET', `/schedules/${scheduleId}/on-call`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.on_call;
}

const nameOf = (id: string) => Object.keys(users).find((n) => users[n] === id);

describe('the console’s schedules and escalation policies', () => {
  it('lets an admin cover now with an override from the calendar page, then remove it', async () => {
    const w = await signedIn('ada');
    const { page } = w;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedules' }).click();
    await page.getByRole('heading', { name: 'Schedules' }).waitFor();
    await page.getByRole('link', { name: 'Primary on-call' }).click();
    await page.getByRole('heading', { name: 'Primary on-call' }).waitFor();

    const [current] = await onCallNow();
    assert.ok(current, 'someone is on call on the rotation');
    const onDuty = nameOf(current.user_id)!;
    const other = onDuty === 'ann' ? 'ben' : 'ann';
    const nowList = page.locator('section', { has: page.getByRole('heading', { name: 'On call now' }) });
    await nowList.getByText(onDuty, { exact: true }).waitFor();

    // The form's default range is the coming hour from now, in the displayed zone.
    const form = page.getByRole('form', { name: 'Add override' });
    await form.getByLabel('Who covers').selectOption({ label: other });
    await form.getByLabel('Kind').selectOption('replace');
    await form.getByRole('button', { name: 'Add override' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Added the override for ${other}` })
      .waitFor();

    const covered = await onCallNow();
    assert.deepEqual(
      covered.map((o) => nameOf(o.user_id)),
      [other],
      'the API names the override’s user',
    );
    assert.ok(covered[0]!.override_id, 'through the override');
    await nowList.getByText(other, { exact: true }).waitFor();
    await nowList.getByText('(override)').waitFor();
    // The calendar shows the override's shift too.
    await page.locator('.calendar').getByText(`${other} (override)`).first().waitFor();

    const overrides = page.locator('section', { has: page.getByRole('heading', { name: 'Overrides' }) });
    await overrides.getByRole('button', { name: 'Remove' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Removed the override for ${other}` })
      .waitFor();
    await overrides.getByText('No overrides.').waitFor();
    assert.deepEqual(
      (await onCallNow()).map((o) => nameOf(o.user_id)),
      [onDuty],
    );
    const listed = await h.request('GET', `/schedules/${scheduleId}/overrides`);
    assert.deepEqual(listed.body.overrides, []);

    // The toggle shows the schedule's own zone.
    await page.getByLabel(/the schedule’s zone/).check();
    await page.getByText('Times in America/New_York', { exact: false }).first().waitFor();
    assertNoProblems(w);
    await w.context.close();
  });

  it('shows a viewer the overrides but no control to add or remove one', async () => {
    const now = Date.now();
    const added = await h.request('POST', `/schedules/${scheduleId}/overrides`, {
      kind: 'add',
      user_id: users.ada,
      start: new Date(now).toISOString(),
      end: new Date(now + 3_600_000).toISOString(),
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    try {
      const w = await signedIn('vic');
      await w.page.goto(`/console/schedules/${scheduleId}`);
      const overrides = w.page.locator('section', {
        has: w.page.getByRole('heading', { name: 'Overrides' }),
      });
      await overrides.getByText('ada joins', { exact: false }).waitFor();
      assert.equal(await overrides.getByRole('button').count(), 0, 'no Remove button');
      assert.equal(await w.page.getByRole('form', { name: 'Add override' }).count(), 0, 'no form');
      assert.equal(await w.page.getByRole('button', { name: 'Add override' }).count(), 0);
      assertNoProblems(w);
      await w.context.close();
    } finally {
      await h.request('DELETE', `/schedules/${scheduleId}/overrides/${added.body.id}`);
    }
  });

  it('runs the dry-run and shows the API’s simulate answer as a timeline', async () => {
    const w = await signedIn('ada');
    const { page } = w;
    await page.getByRole('link', { name: 'Escalation policies' }).click();
    await page.getByRole('link', { name: 'Checkout escalation' }).click();
    await page.getByRole('heading', { name: 'Checkout escalation' }).waitFor();
    await page.getByText('Tier 2: after 10 min').waitFor();
    await page.getByText('whoever is on call on Primary on-call').waitFor();

    await page.getByLabel('Severity').selectOption('high');
    await page.getByLabel('Service').fill('checkout');
    await page.getByLabel('Look ahead (hours)').fill('1');
    const answered = page.waitForResponse(`**/escalation-policies/${policyId}/simulate`);
    await page.getByRole('button', { name: 'Run dry-run' }).click();
    await answered;
    const timeline = page.getByRole('list', { name: 'Dry-run timeline' });
    await timeline.waitFor();

    const expected = await h.request('POST', `/escalation-policies/${policyId}/simulate`, {
      severity: 'high',
      service: 'checkout',
      acknowledge_after_minutes: null,
      horizon_hours: 1,
    });
    assert.equal(expected.status, 200, JSON.stringify(expected.body));
    const entries: { at: string; kind: string; tier: number | null; user_id?: string | null }[] =
      expected.body.timeline;
    const shown = await timeline.getByRole('listitem').allInnerTexts();
    assert.equal(shown.length, entries.length, shown.join('\n'));
    // Escalation pages have a tier; SLA pages (at risk, breached) have none.
    const pages = entries.filter((e) => e.kind === 'page' && e.tier !== null);
    assert.deepEqual(
      pages.map((e) => [e.tier, Math.round((Date.parse(e.at) - Date.parse(expected.body.start)) / 60_000)]),
      [
        [0, 0],
        [1, 10],
      ],
      'the API pages tier 1 at once and tier 2 ten minutes later',
    );
    entries.forEach((e, i) => {
      const minutes = Math.round((Date.parse(e.at) - Date.parse(expected.body.start)) / 60_000);
      assert.ok(shown[i]!.includes(`+${minutes} min`), `${shown[i]} at +${minutes} min`);
      if (e.kind === 'page') {
        const tier = e.tier === null ? '' : `Tier ${e.tier + 1}: `;
        assert.ok(shown[i]!.includes(`${tier}pages ${nameOf(e.user_id!)}`), shown[i]);
      }
    });
    assertNoProblems(w);
    await w.context.close();
  });

  it('has no serious accessibility violation, sideways scrolling or CSP refusal at phone and desktop width', async () => {
    for (const width of ['phone', 'desktop'] as const) {
      const w = await signedIn('ada', VIEWPORTS[width]);
      const checks: [string, string, string][] = [
        ['schedules list', '/console/schedules', 'Schedules'],
        ['schedule', `/console/schedules/${scheduleId}`, 'Primary on-call'],
        ['policies list', '/console/policies', 'Escalation policies'],
        ['policy', `/console/policies/${policyId}`, 'Checkout escalation'],
      ];
      for (const [name, address, heading] of checks) {
        await w.page.goto(address);
        await w.page.getByRole('heading', { name: heading, exact: true }).waitFor();
        if (name === 'schedule') await w.page.getByRole('heading', { name: 'On call now' }).waitFor();
        if (name === 'policy') {
          await w.page.getByRole('button', { name: 'Run dry-run' }).click();
          await w.page.getByRole('list', { name: 'Dry-run timeline' }).waitFor();
        }
        assert.deepEqual(await seriousAxeViolations(w.page), [], `${name} at ${width} width`);
        assert.equal(await horizontalOverflow(w.page), 0, `${name} at ${width} width scrolls sideways`);
      }
      assertNoProblems(w);
      await w.context.close();
    }
  });
});
