// The console's alert page in a real headless Chromium against the real app (API, worker, Postgres,
// Temporal): opened from the list, it shows the live next tier, the timeline and the pages sent; a
// responder acknowledges there (the timeline gains the entry, the next tier never pages), escalates
// another now and snoozes it, and adds a note;
// a viewer sees no actions and the API refuses them anyway; no serious accessibility violation or
// sideways scrolling at phone and desktop widths, light and dark.
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
  fetchFromPage,
  horizontalOverflow,
  launchBrowser,
  seriousAxeViolations,
  type WatchedPage,
  openSignedIn,
} from './helpers/browser';
import { startHarness, type Harness } from './helpers/harness';
import { startTogether } from './helpers/start-together';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver';

const out = mkdtempSync(path.join(os.tmpdir(), 'klaxon-console-alert-'));
let h: Harness;
let browser: Browser;
let receiver: WebhookReceiver;
/** The service whose policy pages the receiver at once (/tier-1) and again 5 minutes later (/tier-2). */
const ESCALATING = 'alert-page-escalating';
const SUMMARY = 'Disk full on web-1';
let alertId: string;
let unanswered: string;

before(async () => {
  const build = await buildConsole(path.join(out, 'web'));
  [h, browser, receiver] = await startTogether(
    startHarness({ consoleDir: build.dir }),
    launchBrowser(),
    startWebhookReceiver(),
  );
  const hook = (p: string) => [{ type: 'webhook', url: `${receiver.url}${p}` }];
  const policy = await h.request('POST', '/escalation-policies', {
    name: 'Disk escalation',
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
  await createPasswordUser(h, 'rita@example.com', 'responder');
  await createPasswordUser(h, 'vic@example.com', 'viewer');
  alertId = await triggerAlert(SUMMARY, {
    labels: { host: 'web-1', mount: '/var/lib/postgresql' },
    details: { used_percent: 97, note: 'grows 2% an hour' },
    links: [{ href: 'https://runbooks.example.com/disk-full', text: 'Disk-full runbook' }],
  });
  // Beside it, one nobody answers: its second tier shows that skipping the clock does page.
  unanswered = await triggerAlert('Queue backed up on web-2');
  await waitFor(() => pagedFor('/tier-1', alertId) && pagedFor('/tier-1', unanswered), 'both page tier 1');
});

after(async () => {
  await browser?.close();
  await receiver?.close();
  await h?.close();
  rmSync(out, { recursive: true, force: true });
});

async function triggerAlert(summary: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.request('POST', '/alerts', {
    summary,
    severity: 'high',
    service: ESCALATING,
    source: 'console-alert-test',
    ...extra,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

const pagedFor = (p: string, id: string) =>
  receiver.requests.some(
    (r) => r.path === p && (r.json as { alert?: { alertId?: string } }).alert?.alertId === id,
  );

async function waitFor(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + BROWSER_DEADLINE_MS;
  while (!(await done())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stateOf(id: string): Promise<string | undefined> {
  const { rows } = await h.db.pool.query<{ state: string }>('select state from alerts where id = $1', [id]);
  return rows[0]?.state;
}

async function signedIn(
  login: string,
  viewport: { width: number; height: number } = VIEWPORTS.desktop,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<WatchedPage> {
  return openSignedIn(browser, h.baseUrl, login, { viewport, colorScheme });
}

/** Opens the alert page by its address and waits for its heading. */
async function openAlert(w: WatchedPage, id = alertId, summary = SUMMARY): Promise<void> {
  await w.page.goto(`/console/alerts/${id}`);
  await w.page.getByRole('heading', { level: 1, name: summary }).waitFor();
}

describe('the console’s alert page', () => {
  let rita: WatchedPage;

  it('opens from the list and shows the live next tier, the timeline, the pages sent and the alert’s facts', async () => {
    rita = await signedIn('rita@example.com');
    const { page } = rita;
    await page.goto('/console/alerts');
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    await page.getByRole('link', { name: SUMMARY }).click();
    await page.getByRole('heading', { level: 1, name: SUMMARY }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/console/alerts/${alertId}`);

    // Tier 1 paged at once; tier 2 is next, five minutes after the trigger.
    const nextTier = page.locator('.next-tier');
    await nextTier.filter({ hasText: 'Tier 2 (loop 1)' }).waitFor();
    assert.match((await nextTier.textContent()) ?? '', /\(in [45] minutes\)/);
    const live = page.getByRole('region', { name: 'Escalation and SLA' });
    await live.getByText('Disk escalation').waitFor();
    await live.getByText('Acknowledge within 15 min').waitFor();
    await live.getByText('on track').first().waitFor();

    const timeline = page.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('triggered the alert').waitFor();
    const pages = page.getByRole('list', { name: 'Pages sent' });
    const tier1 = pages.getByRole('listitem').filter({ hasText: `${receiver.url}/tier-1` });
    await tier1.filter({ hasText: 'tier 1, loop 1' }).filter({ hasText: 'sent' }).waitFor();
    assert.match((await tier1.textContent()) ?? '', /webhook to/);

    const about = page.getByRole('region', { name: 'About' });
    await about.getByText('/var/lib/postgresql').waitFor();
    await about.getByText('grows 2% an hour').waitFor();
    assert.equal(
      await about.getByRole('link', { name: 'Disk-full runbook' }).getAttribute('href'),
      'https://runbooks.example.com/disk-full',
    );

    // What a new alert allows, from the lifecycle's rule, and escalate-now while a tier is next.
    const actions = page.getByRole('region', { name: 'Actions' });
    assert.deepEqual(await actions.getByRole('button').allTextContents(), [
      'Acknowledge',
      'Investigate',
      'Resolve',
      'Snooze',
      'Escalate now',
    ]);
    assertNoProblems(rita);
  });

  it('acknowledges on its page: the timeline gains the entry with its reason and the next tier never pages', async () => {
    const { page } = rita;
    const actions = page.getByRole('region', { name: 'Actions' });
    await actions.getByLabel('Reason (optional, goes on the timeline)').fill('looking at the disk');
    await actions.getByRole('button', { name: 'Acknowledge' }).click();
    await actions.getByRole('status').filter({ hasText: 'Acknowledged.' }).waitFor();
    await waitFor(async () => (await stateOf(alertId)) === 'acknowledged', 'acknowledged in Postgres');

    const entry = page
      .getByRole('list', { name: 'Timeline' })
      .getByRole('listitem')
      .filter({ hasText: 'rita acknowledged (new → acknowledged)' });
    await entry.filter({ hasText: 'looking at the disk' }).waitFor();
    await page.locator('.next-tier').filter({ hasText: 'None: escalation stopped (acknowledged)' }).waitFor();
    assert.deepEqual(await actions.getByRole('button').allTextContents(), [
      'Investigate',
      'Resolve',
      'Unacknowledge',
      'Snooze',
    ]);

    // Past the second tier's 5 minutes: the acknowledged alert's escalation stopped, the other's went on.
    await h.env.sleep('6 minutes');
    await waitFor(() => pagedFor('/tier-2', unanswered), 'the unanswered alert pages tier 2');
    assert.equal(pagedFor('/tier-2', alertId), false, 'no further page for the acknowledged alert');
    assertNoProblems(rita);
  });

  it('adds a note, which the notes list then shows with who wrote it', async () => {
    const { page } = rita;
    const form = page.getByRole('form', { name: 'Add note' });
    await form.getByRole('button', { name: 'Add note' }).click();
    await form.getByRole('alert').filter({ hasText: 'Write the note first.' }).waitFor();
    await form.getByLabel('Note').fill('Freed 20 GB of old WAL; watching it.');
    await form.getByRole('button', { name: 'Add note' }).click();
    await form.getByRole('status').filter({ hasText: 'Note added.' }).waitFor();
    const note = page
      .getByRole('list', { name: 'Notes' })
      .getByRole('listitem')
      .filter({ hasText: 'Freed 20 GB of old WAL; watching it.' });
    await note.filter({ hasText: 'rita' }).waitFor();
    assert.equal(await form.getByLabel('Note').inputValue(), '', 'the form is cleared');
    const { rows } = await h.db.pool.query(
      "select count(*)::int as n from alert_audit where alert_id = $1 and action = 'note'",
      [alertId],
    );
    assert.equal(rows[0].n, 1, 'one note recorded');
    assertNoProblems(rita);
  });

  it('escalates now (the next tier pages at once, the timeline says so), then snoozes', async () => {
    const id = await triggerAlert('Replication lag on db-2');
    await waitFor(() => pagedFor('/tier-1', id), 'tier 1 paged');
    const { page } = rita;
    await openAlert(rita, id, 'Replication lag on db-2');
    await page.locator('.next-tier').filter({ hasText: 'Tier 2 (loop 1)' }).waitFor();
    const actions = page.getByRole('region', { name: 'Actions' });
    await actions.getByRole('button', { name: 'Escalate now' }).click();
    await actions.getByRole('status').filter({ hasText: 'Escalated.' }).waitFor();
    await waitFor(() => pagedFor('/tier-2', id), 'tier 2 paged without waiting its 5 minutes');
    await page.getByRole('list', { name: 'Timeline' }).getByText('rita escalated now').waitFor();

    // Snoozed for 15 minutes: acknowledged meanwhile, and the page says until when.
    await actions.getByLabel('Snooze for').selectOption({ label: '15 min' });
    await actions.getByRole('button', { name: 'Snooze' }).click();
    await actions.getByRole('status').filter({ hasText: 'Snoozed.' }).waitFor();
    await waitFor(async () => (await stateOf(id)) === 'acknowledged', 'acknowledged by the snooze');
    await page.getByRole('region', { name: 'Escalation and SLA' }).getByText('Snoozed until').waitFor();
    assert.match(
      (await page.getByRole('list', { name: 'Timeline' }).textContent()) ?? '',
      /rita snoozed\s*snoozed for 15 min/,
    );
    assertNoProblems(rita);
  });

  it('shows a viewer the alert without actions or the note form, and the API refuses them anyway', async () => {
    const w = await signedIn('vic@example.com');
    await openAlert(w);
    await w.page.getByRole('list', { name: 'Timeline' }).getByText('rita acknowledged').waitFor();
    await w.page.getByRole('list', { name: 'Notes' }).getByText('Freed 20 GB').waitFor();
    assert.equal(await w.page.getByRole('main').getByRole('button').count(), 0, 'no buttons');
    assert.equal(await w.page.getByRole('form', { name: 'Add note' }).count(), 0, 'no note form');
    const refused = await fetchFromPage(w.page, 'POST', `/alerts/${alertId}/resolve`);
    assert.equal(refused.status, 403);
    assert.equal((await stateOf(alertId)) ?? '', 'acknowledged');

    // An address naming no alert says so.
    await w.page.goto('/console/alerts/00000000-0000-4000-8000-000000000000');
    await w.page.getByRole('heading', { level: 1, name: 'Alert not found' }).waitFor();
    assertNoProblems(w);
  });

  it('has no serious accessibility violation and no sideways scrolling at phone and desktop width, light and dark', async () => {
    const looks = [
      ['phone', 'light'],
      ['desktop', 'light'],
      ['phone', 'dark'],
      ['desktop', 'dark'],
    ] as const;
    for (const [width, scheme] of looks) {
      const w = await signedIn('rita@example.com', VIEWPORTS[width], scheme);
      for (const [id, summary] of [
        [alertId, SUMMARY],
        [unanswered, 'Queue backed up on web-2'],
      ] as const) {
        await openAlert(w, id, summary);
        await w.page.getByRole('list', { name: 'Pages sent' }).waitFor();
        const where = `${summary} at ${width} width, ${scheme}`;
        assert.deepEqual(await seriousAxeViolations(w.page), [], where);
        assert.equal(await horizontalOverflow(w.page), 0, `${where} scrolls sideways`);
      }
      assertNoProblems(w);
      await w.context.close();
    }
  });
});
