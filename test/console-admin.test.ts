// The console's Admin pages in a real headless Chromium against the real app (API, worker, Postgres,
// Temporal): an admin adds a user who can then sign in, changes their role, sets their password and
// removes them; creates an integration whose routing key is shown once, with an Alertmanager snippet
// whose URL takes alerts; sets an SLA target the API then lists; sees the reports drawn from seeded
// alerts. A responder or viewer has no Admin in the navigation, is told so at /console/admin, and the
// API refuses them. No serious accessibility violation, sideways scrolling or CSP refusal at phone and
// desktop widths, light and dark.
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
  TEST_PASSWORD,
  type WatchedPage,
  openSignedIn,
} from './helpers/browser';
import { startHarness, type Harness } from './helpers/harness';

const out = mkdtempSync(path.join(os.tmpdir(), 'klaxon-console-admin-'));
let h: Harness;
let browser: Browser;

before(async () => {
  const build = await buildConsole(path.join(out, 'web'));
  [h, browser] = await Promise.all([startHarness({ consoleDir: build.dir }), launchBrowser()]);
  await createPasswordUser(h, 'ada@example.com', 'admin');
  await createPasswordUser(h, 'rita@example.com', 'responder');
  await createPasswordUser(h, 'vic@example.com', 'viewer');
  // Alerts for the reports: three for checkout (one acknowledged, one resolved), one for search.
  const ids: string[] = [];
  for (const [summary, service] of [
    ['Checkout error rate above 5%', 'checkout'],
    ['Checkout latency above target', 'checkout'],
    ['Checkout payments failing', 'checkout'],
    ['Search index stale', 'search'],
  ] as const) {
    const res = await h.request('POST', '/alerts', {
      summary,
      severity: 'high',
      service,
      source: 'admin-test',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids.push(res.body.id);
  }
  assert.equal((await h.request('POST', `/alerts/${ids[0]}/acknowledge`, {})).status, 200);
  assert.equal((await h.request('POST', `/alerts/${ids[1]}/resolve`, {})).status, 200);
});

after(async () => {
  await browser?.close();
  await h?.close();
  rmSync(out, { recursive: true, force: true });
});

async function signedIn(
  login: string,
  page: string,
  viewport: { width: number; height: number } = VIEWPORTS.desktop,
  colorScheme: 'light' | 'dark' = 'light',
  password = TEST_PASSWORD,
): Promise<WatchedPage> {
  return openSignedIn(browser, h.baseUrl, login, { address: page, viewport, colorScheme, password });
}

const userByLogin = async (login: string) =>
  (
    (await h.request('GET', '/users')).body.users as {
      login: string | null;
      role: string;
      has_password: boolean;
    }[]
  ).find((u) => u.login === login);

describe('the console’s Admin pages', () => {
  it('adds a user who can then sign in, changes their role, sets their password and removes them', async () => {
    const w = await signedIn('ada@example.com', '/console/admin');
    const { page } = w;
    await page.getByRole('heading', { name: 'Users', level: 2 }).waitFor();
    const form = page.getByRole('form', { name: 'Add a user' });

    // The API's refusal is shown at the form.
    await form.getByLabel('Name').fill('Other Rita');
    await form.getByLabel('Login').fill('rita@example.com');
    await form.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await form.getByRole('button', { name: 'Add user' }).click();
    await form.getByRole('alert').filter({ hasText: /login/i }).waitFor();

    await form.getByLabel('Name').fill('Nina');
    await form.getByLabel('Login').fill('nina@example.com');
    await form.getByLabel('Role').selectOption('responder');
    await form.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await form.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('status').filter({ hasText: 'Added Nina.' }).waitFor();
    assert.equal(await form.locator('.error').textContent(), '', 'the refusal is gone');
    const nina = page.getByRole('listitem').filter({ hasText: 'nina@example.com' });
    await nina.waitFor();

    const asNina = await signedIn('nina@example.com', '/console/alerts');
    await asNina.page.getByText('Nina (responder)').waitFor();
    await asNina.context.close();

    await nina.getByLabel('Role for Nina').selectOption('viewer');
    await nina.getByRole('button', { name: 'Change role' }).click();
    await page.getByRole('status').filter({ hasText: 'Nina is now viewer.' }).waitFor();
    assert.equal((await userByLogin('nina@example.com'))?.role, 'viewer');

    await nina.getByRole('button', { name: 'Reset password' }).click();
    await nina.getByLabel('New password for Nina').fill('another long password');
    await nina.getByRole('button', { name: 'Set password', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Set a new password for Nina' }).waitFor();
    const login = (password: string) =>
      h.request('POST', '/auth/login', { login: 'nina@example.com', password }, { key: null });
    assert.equal((await login('another long password')).status, 200, 'the new password works');
    assert.equal((await login(TEST_PASSWORD)).status, 401, 'the old one does not');

    // Single sign-on only: a login and no password.
    await form.getByLabel('Name').fill('Sam');
    await form.getByLabel('Login').fill('sam@example.com');
    await form.getByLabel('Single sign-on only').check();
    assert.equal(await form.getByLabel('Password', { exact: true }).count(), 0, 'no password asked for');
    await form.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('status').filter({ hasText: 'Added Sam.' }).waitFor();
    const sam = await userByLogin('sam@example.com');
    assert.equal(sam?.has_password, false);
    await page
      .getByRole('listitem')
      .filter({ hasText: 'sam@example.com' })
      .getByText('single sign-on only')
      .waitFor();

    page.once('dialog', (d) => void d.accept());
    await nina.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('status').filter({ hasText: 'Removed Nina.' }).waitFor();
    assert.equal(await userByLogin('nina@example.com'), undefined, 'gone from the API');
    await nina.waitFor({ state: 'detached' }); // and from the list
    assertNoProblems(w);
    await w.context.close();
  });

  it('creates an integration, shows its routing key once with an Alertmanager snippet that takes alerts', async () => {
    const w = await signedIn('ada@example.com', '/console/admin');
    const { page } = w;
    await page
      .getByRole('navigation', { name: 'Admin sections' })
      .getByRole('link', { name: 'Integrations' })
      .click();
    assert.equal(new URL(page.url()).pathname, '/console/admin/integrations');
    await page.getByRole('heading', { name: 'Integrations', level: 2 }).waitFor();
    await page.getByText('No integrations yet.').waitFor();
    await page.getByLabel('Type').selectOption('alertmanager');
    await page.getByLabel('Integration name').fill('prometheus');
    await page.getByLabel('Service', { exact: true }).fill('db');
    await page.getByRole('button', { name: 'Add integration' }).click();
    await page.getByText('you will not see it again').waitFor();
    const key = await page.getByRole('textbox', { name: /Routing key for/ }).inputValue();
    assert.ok(key.length >= 20, `a routing key: ${key}`);

    const url = `${h.baseUrl}/integrations/alertmanager/${key}`;
    const yaml = await page.getByLabel('Alertmanager (alertmanager.yml)').inputValue();
    assert.match(yaml, /^receivers:\n/);
    assert.ok(yaml.includes(`url: '${url}'`), `the snippet names ${url}:\n${yaml}`);

    const sent = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            fingerprint: 'admin-test-1',
            labels: { alertname: 'DiskFull', severity: 'high' },
            annotations: { summary: 'Disk full on db-7' },
            startsAt: new Date().toISOString(),
          },
        ],
      }),
    });
    assert.equal(sent.status, 202, await sent.text());
    // The event is durable at 202; the alert's record follows from its workflow.
    const deadline = Date.now() + BROWSER_DEADLINE_MS;
    const arrived = async () =>
      ((await h.request('GET', '/alerts?service=db')).body.alerts as { summary: string }[]).some(
        (a) => a.summary === 'Disk full on db-7',
      );
    while (!(await arrived())) {
      if (Date.now() > deadline) assert.fail('the alert sent to the snippet’s URL never arrived');
      await new Promise((r) => setTimeout(r, 100));
    }

    // The curl example the page gives works as it stands: its body is accepted at the same URL.
    const command = await page.getByLabel(/Test it with curl/).inputValue();
    assert.ok(command.includes(`'${url}'`));

    await page.getByRole('button', { name: 'I have copied it' }).click();
    assert.equal(
      await page.getByRole('textbox', { name: /Routing key for/ }).count(),
      0,
      'the key is not shown again',
    );
    const row = page.getByRole('listitem').filter({ hasText: 'prometheus' });
    await row.getByText(`${key.slice(0, 6)}`, { exact: false }).waitFor();
    assert.equal(await page.getByText(key).count(), 0, 'the list shows only the prefix');

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No integrations yet.').waitFor();
    const after = await fetch(url, { method: 'POST', body: '{"version":"4","alerts":[]}' });
    assert.equal(after.status, 404, 'the key stops working');

    // A generic webhook: the API's refusal of its mapping is shown at the form, which keeps what was
    // typed; its curl example sends the title where the mapping looks for it.
    const form = page.getByRole('form', { name: 'Add an integration' });
    await form.getByLabel('Type').selectOption('generic');
    await form.getByLabel('Integration name').fill('builds');
    await form.getByLabel('Service', { exact: true }).fill('ci');
    await form.getByLabel('Summary field (JSONPath)').fill('alert.title');
    await form.getByRole('button', { name: 'Add integration' }).click();
    await form.getByRole('alert').filter({ hasText: 'mapping.summary' }).waitFor();
    assert.equal(await form.getByLabel('Summary field (JSONPath)').inputValue(), 'alert.title');
    await form.getByLabel('Summary field (JSONPath)').fill('$.alert.title');
    await form.getByRole('button', { name: 'Add integration' }).click();
    await page.getByText('you will not see it again').waitFor();
    const genericKey = await page.getByRole('textbox', { name: /Routing key for/ }).inputValue();
    const curl = await page.getByLabel('Send an event with curl').inputValue();
    const genericUrl = `${h.baseUrl}/integrations/generic/${genericKey}`;
    assert.ok(curl.includes(`'${genericUrl}'`), curl);
    const body = /-d '([\s\S]*)'$/.exec(curl)?.[1];
    assert.deepEqual(JSON.parse(body ?? 'null'), { alert: { title: 'A test alert from curl' } });
    const posted = await fetch(genericUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(posted.status, 202, await posted.text());
    assertNoProblems(w);
    await w.context.close();
  });

  it('sets an SLA target the API then lists, shows a refusal at the form, and removes it', async () => {
    const w = await signedIn('ada@example.com', '/console/admin/sla');
    const { page } = w;
    await page.getByRole('heading', { name: 'SLA targets', level: 2 }).waitFor();
    await page.getByText('No service has its own targets.').waitFor();
    const form = page.getByRole('form', { name: 'Set a target' });
    await form.getByLabel('Service').fill('checkout');
    await form.getByLabel('Severity').selectOption('high');
    await form.getByLabel('Acknowledge within (minutes)').fill('30');
    await form.getByLabel('Resolve within (minutes)').fill('10');
    await form.getByRole('button', { name: 'Set target' }).click();
    await form.getByRole('alert').filter({ hasText: 'ttr_minutes' }).waitFor();

    await form.getByLabel('Resolve within (minutes)').fill('120');
    await form.getByRole('button', { name: 'Set target' }).click();
    await page.getByRole('status').filter({ hasText: 'Set checkout high' }).waitFor();
    const listed = await h.request('GET', '/sla/targets');
    assert.deepEqual(listed.body.overrides, [
      { service: 'checkout', severity: 'high', tta_minutes: 30, ttr_minutes: 120 },
    ]);
    const row = page.getByRole('listitem').filter({ hasText: 'TTA 30 min' });
    await row.waitFor();

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No service has its own targets.').waitFor();
    assert.deepEqual((await h.request('GET', '/sla/targets')).body.overrides, []);
    assertNoProblems(w);
    await w.context.close();
  });

  it('adds a heartbeat whose ping address, shown once, a job then pings; a refusal shows at the form; delete', async () => {
    const w = await signedIn('ada@example.com', '/console/admin/heartbeats');
    const { page } = w;
    await page.getByRole('heading', { name: 'Heartbeats', level: 2 }).waitFor();
    await page.getByText('No heartbeat monitors yet.').waitFor();
    const form = page.getByRole('form', { name: 'Add a heartbeat' });
    await form.getByLabel('Heartbeat name').fill('nightly backup');
    await form.getByLabel('Service').fill('db');
    await form.getByLabel('Severity of its alert').selectOption('critical');
    await form.getByLabel('Expected every (minutes)').fill('20000'); // over a week: the API refuses it
    await form.getByRole('button', { name: 'Add heartbeat' }).click();
    await form.getByRole('alert').filter({ hasText: 'interval_seconds' }).waitFor();
    assert.equal(await form.getByLabel('Severity of its alert').inputValue(), 'critical', 'a refusal keeps the choice');

    await form.getByLabel('Expected every (minutes)').fill('15');
    await form.getByRole('button', { name: 'Add heartbeat' }).click();
    await page.getByText('you will not see its key again').waitFor();
    const url = await page.locator('#heartbeat-url').inputValue();
    assert.match(url, new RegExp(`^${h.baseUrl}/heartbeat/[0-9a-f]{32}$`));
    assert.ok((await page.getByLabel('In a crontab').inputValue()).startsWith('*/15 * * * * your-job && curl -fsS'));
    const row = page.getByRole('listitem').filter({ hasText: 'nightly backup' });
    await row.getByText('waiting for its first ping').waitFor();

    // The job pings the address as shown, with no API key; the list then says it is up.
    assert.equal((await fetch(url)).status, 200);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    assert.equal(await page.locator('#heartbeat-url').count(), 0, 'the address is not shown again');
    await page.reload();
    await page.getByRole('listitem').filter({ hasText: 'nightly backup' }).getByText('up', { exact: true }).waitFor();
    const listed = (await h.request('GET', '/heartbeats')).body.heartbeats;
    assert.deepEqual(
      listed.map((m: { name: string; severity: string; interval_seconds: number; grace_seconds: number }) => [m.name, m.severity, m.interval_seconds, m.grace_seconds]),
      [['nightly backup', 'critical', 900, 90]],
    );

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('listitem').filter({ hasText: 'nightly backup' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No heartbeat monitors yet.').waitFor();
    assert.equal((await fetch(url)).status, 404, 'its key stops working');
    assertNoProblems(w);
    await w.context.close();
  });

  it('lists every API key with whose it is, creates an install key shown once, and revokes it', async () => {
    const w = await signedIn('ada@example.com', '/console/admin/api-keys');
    const { page } = w;
    await page.getByRole('heading', { name: 'API keys', level: 2 }).waitFor();
    const form = page.getByRole('form', { name: 'Create an install key' });
    await form.getByLabel('Key name').fill('grafana reader');
    await form.getByLabel('Key role').selectOption('viewer');
    await form.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('New install key “grafana reader” (viewer)').waitFor();
    const key = await page.locator('#new-key').inputValue();
    const read = (k: string) => fetch(`${h.baseUrl}/alerts`, { headers: { authorization: `Bearer ${k}` } });
    assert.equal((await read(key)).status, 200, 'the new key reads');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    const row = page.getByRole('listitem').filter({ hasText: 'grafana reader' });
    await row.getByText('the install').waitFor();
    const listed = (await h.request('GET', '/api-keys')).body.api_keys.filter((k: { revoked_at: string | null }) => k.revoked_at === null);
    assert.equal(await page.locator('ul.keys > li').count(), listed.length, 'every active key is listed');

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('status').filter({ hasText: 'Revoked grafana reader.' }).waitFor();
    assert.equal((await read(key)).status, 401, 'revoked');
    assertNoProblems(w);
    await w.context.close();
  });

  it('draws the noise and SLA compliance reports from the alerts, over a chosen period', async () => {
    // Three events for one Alertmanager alert: the noise report counts three events and one alert.
    const feed = await h.request('POST', '/integrations', {
      type: 'alertmanager',
      name: 'feed',
      service: 'feed',
    });
    assert.equal(feed.status, 201, JSON.stringify(feed.body));
    for (let i = 0; i < 3; i++) {
      const sent = await h.request(
        'POST',
        `/integrations/alertmanager/${feed.body.routing_key}`,
        {
          version: '4',
          status: 'firing',
          alerts: [
            {
              status: 'firing',
              fingerprint: 'feed-1',
              labels: { alertname: 'QueueBacklog' },
              startsAt: new Date().toISOString(),
            },
          ],
        },
        { key: null },
      );
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
    }
    const today = new Date().toISOString().slice(0, 10);
    // Alerts are counted once recorded, which the worker does after the 202: wait until the feed's is,
    // and until two reads agree, so the page is compared with numbers that are no longer moving.
    const deadline = Date.now() + BROWSER_DEADLINE_MS;
    const totalsNow = async () => JSON.stringify((await h.request('GET', `/stats/noise?to=${today}`)).body.total);
    for (let last = ''; ; ) {
      const recorded = (await h.request('GET', '/alerts?service=feed')).body.alerts.length === 1;
      const now = await totalsNow();
      if (recorded && now === last) break;
      if (Date.now() > deadline) assert.fail(`the noise totals did not settle: ${now}`);
      last = now;
      await new Promise((r) => setTimeout(r, 300));
    }
    const noise = await h.request('GET', `/stats/noise?to=${today}`);
    const { raw_events: events, alerts, pages } = noise.body.total;
    assert.ok(events >= 3, `the events are counted: ${JSON.stringify(noise.body.total)}`);

    const w = await signedIn('ada@example.com', '/console/admin/reports');
    const { page } = w;
    await page.getByRole('heading', { name: 'Noise' }).waitFor();
    const totals = page.locator('.totals');
    await totals.getByText(`Events received: ${events}`).waitFor();
    await totals.getByText(`Alerts: ${alerts}`).waitFor();
    await totals.getByText(`Pages sent: ${pages}`).waitFor();
    const days = page.getByRole('table', { name: 'Events received and pages sent per UTC day' });
    assert.equal(await days.getByRole('row').count(), 1 + 7, 'a header and seven days');
    const todayRow = days.getByRole('row').last();
    assert.deepEqual(
      (await todayRow.getByRole('cell').allTextContents()).map((t) => t.trim()),
      [String(noise.body.days.at(-1).raw_events), String(noise.body.days.at(-1).pages)],
    );
    // Today has the most events: its bar is the full length, drawn and visible.
    const fullBar = await todayRow.locator('rect.bar-fill').first().boundingBox();
    const drawn = await todayRow.locator('svg').first().boundingBox();
    const near = (a: number, b: number) => Math.abs(a - b) < 1;
    assert.ok(
      fullBar && drawn && drawn.width > 40 && drawn.height > 4,
      `a bar has room: ${JSON.stringify(drawn)}`,
    );
    assert.ok(
      near(fullBar.width, drawn.width) && near(fullBar.height, drawn.height),
      `the bar fills it: ${JSON.stringify({ fullBar, drawn })}`,
    );

    const compliance = page.getByRole('table', { name: /within target/ });
    const checkout = compliance.getByRole('row').filter({ hasText: 'checkout' });
    await checkout.getByText('3 alerts', { exact: false }).waitFor();
    await compliance.getByRole('row').filter({ hasText: 'search' }).waitFor();
    const slaNow = await h.request('GET', `/sla/compliance?service=checkout`);
    const met = slaNow.body.totals[0];
    await checkout
      .getByText(`(${met.tta_met} of ${met.tta_met + met.tta_breached})`)
      .first()
      .waitFor();
    assert.ok(met.tta_met > 0, JSON.stringify(met));
    const metBar = await checkout.locator('rect.bar-fill').first().boundingBox();
    const metDrawn = await checkout.locator('svg').first().boundingBox();
    const share = met.tta_met / (met.tta_met + met.tta_breached);
    assert.ok(
      metBar &&
        metDrawn &&
        near(metBar.height, metDrawn.height) &&
        near(metBar.width, metDrawn.width * share),
      `the TTA bar is drawn to its share: ${JSON.stringify({ metBar, metDrawn, share })}`,
    );
    // The bars are for the eye: screen readers read the table's numbers.
    assert.equal(
      await page.locator('svg.chart-bar[aria-hidden="true"]').count(),
      await page.locator('svg.chart-bar').count(),
    );

    await page.getByLabel('Period').selectOption('30');
    await days.getByRole('row').nth(30).waitFor();
    assert.equal(await days.getByRole('row').count(), 1 + 30);
    assertNoProblems(w);
    await w.context.close();
  });

  it('shows a responder or viewer no Admin, says they may not at its address, and the API refuses them', async () => {
    for (const login of ['rita@example.com', 'vic@example.com']) {
      const w = await signedIn(login, '/console/alerts');
      const nav = w.page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Alerts' }).waitFor();
      assert.equal(await nav.getByRole('link', { name: 'Admin' }).count(), 0, `${login} sees no Admin`);
      await w.page.goto('/console/admin/users');
      await w.page.getByText('Admin is for admins only', { exact: false }).waitFor();
      assert.equal(await w.page.getByRole('form').count(), 0, 'no forms');
      assert.equal((await fetchFromPage(w.page, 'POST', '/users')).status, 403);
      assert.equal((await fetchFromPage(w.page, 'POST', '/integrations')).status, 403);
      assertNoProblems(w);
      await w.context.close();
    }
    const admin = await signedIn('ada@example.com', '/console/alerts');
    await admin.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await admin.page.getByRole('heading', { name: 'Users', level: 2 }).waitFor();
    await admin.context.close();
  });

  it('has no serious accessibility violation and fits a phone, light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      for (const [name, viewport] of Object.entries(VIEWPORTS)) {
        const w = await signedIn('ada@example.com', '/console/admin/users', viewport, scheme);
        const { page } = w;
        const check = async (what: string) => {
          assert.deepEqual(await seriousAxeViolations(page), [], `${what} at ${name}, ${scheme}`);
          assert.equal(
            await horizontalOverflow(page),
            0,
            `no sideways scrolling: ${what} at ${name}, ${scheme}`,
          );
        };
        await page.getByRole('listitem').filter({ hasText: 'ada@example.com' }).waitFor();
        await page
          .getByRole('listitem')
          .filter({ hasText: 'rita@example.com' })
          .getByRole('button', { name: 'Reset password' })
          .click();
        await check('users');
        await page.goto('/console/admin/integrations');
        await page.getByLabel('Type').selectOption('pagerduty');
        await page.getByLabel('Integration name').fill(`pd ${name} ${scheme}`);
        await page.getByLabel('Service', { exact: true }).fill('checkout');
        await page.getByRole('button', { name: 'Add integration' }).click();
        await page.getByText('you will not see it again').waitFor();
        await check('integrations with a new key');
        await page.goto('/console/admin/heartbeats');
        await page.getByLabel('Heartbeat name').fill(`job ${name} ${scheme}`);
        await page.getByLabel('Service', { exact: true }).fill('batch');
        await page.getByLabel('Expected every (minutes)').fill('60');
        await page.getByRole('button', { name: 'Add heartbeat' }).click();
        await page.getByText('you will not see its key again').waitFor();
        await check('heartbeats with a new address');
        await page.goto('/console/admin/api-keys');
        await page.getByLabel('Key name').fill(`ci ${name} ${scheme}`);
        await page.getByRole('button', { name: 'Create key' }).click();
        await page.getByText('you will not see it again').waitFor();
        await check('API keys with a new key');
        await page.goto('/console/admin/sla');
        await page.getByRole('heading', { name: 'Defaults' }).waitFor();
        await check('SLA targets');
        await page.goto('/console/admin/reports');
        await page.getByRole('heading', { name: 'SLA compliance' }).waitFor();
        await check('reports');
        assertNoProblems(w);
        await w.context.close();
      }
    }
    const w = await signedIn('vic@example.com', '/console/admin', VIEWPORTS.phone);
    await w.page.getByText('Admin is for admins only', { exact: false }).waitFor();
    assert.deepEqual(await seriousAxeViolations(w.page), [], 'refusal at phone');
    await w.context.close();
  });
});
