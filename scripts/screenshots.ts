/**
 * `npm run screenshots`: PNGs of the web console's main pages at phone (360×740) and desktop (1280×800)
 * width, light and dark, into .data/screenshots/. Runs the stack the browser tests run (embedded
 * Postgres, the time-skipping Temporal test server, the API and a worker), seeds a few users and alerts,
 * and photographs the pages in headless Chromium.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { firstStart } from '../api/app-config';
import { loadConfig, projectPath } from '../runtime/config';
import { VIEWPORTS, launchBrowser, openPage } from '../test/helpers/browser';
import type { Harness } from '../test/helpers/harness';
import { startStandaloneStack } from '../test/helpers/standalone-stack';

const say = (line: string) => console.log(`[screenshots] ${line}`);
const PASSWORD = 'screenshots password';

async function seed(h: Harness): Promise<{ scheduleId: string; policyId: string; alertId: string }> {
  const ids: Record<string, string> = {};
  for (const [login, role] of [
    ['rita@example.com', 'responder'],
    ['vic@example.com', 'viewer'],
    ['ada@example.com', 'admin'],
  ] as const) {
    const res = await h.request('POST', '/users', {
      name: login.split('@')[0],
      login,
      role,
      password: PASSWORD,
    });
    if (res.status !== 201) throw new Error(`POST /users: ${res.status} ${JSON.stringify(res.body)}`);
    ids[login] = res.body.id;
  }
  const alerts = [
    { summary: 'Checkout error rate above 5% for 10 minutes', severity: 'critical', service: 'checkout' },
    { summary: 'Disk 95% full on db-1', severity: 'high', service: 'db' },
    { summary: 'p99 latency above target on search', severity: 'medium', service: 'search' },
    { summary: 'Certificate for status.example.com expires in 14 days', severity: 'low', service: 'edge' },
  ];
  const alertIds: string[] = [];
  for (const a of alerts) {
    const res = await h.request('POST', '/alerts', { ...a, source: 'screenshots' });
    if (res.status !== 201) throw new Error(`POST /alerts: ${res.status} ${JSON.stringify(res.body)}`);
    alertIds.push(res.body.id);
  }
  await h.request('POST', `/alerts/${alertIds[1]}/acknowledge`, { actor: 'rita', reason: 'on it' });
  await h.request('POST', `/alerts/${alertIds[1]}/notes`, {
    actor: 'rita',
    text: 'Rotated the old WAL segments; 70% used now.',
  });
  await h.request('POST', `/alerts/${alertIds[3]}/resolve`, { actor: 'rita' });
  await h.request('PUT', '/sla/targets/checkout/critical', { tta_minutes: 5, ttr_minutes: 60 });
  // Events through an integration, so the noise report has some: four events, two alerts.
  const feed = await h.request('POST', '/integrations', {
    type: 'alertmanager',
    name: 'prometheus',
    service: 'db',
  });
  for (const fingerprint of ['disk-1', 'disk-1', 'disk-1', 'load-1']) {
    await h.request(
      'POST',
      `/integrations/alertmanager/${feed.body.routing_key}`,
      {
        version: '4',
        alerts: [
          {
            status: 'firing',
            fingerprint,
            labels: { alertname: fingerprint },
            startsAt: new Date().toISOString(),
          },
        ],
      },
      { key: null },
    );
  }
  for (const method of [
    { type: 'email', address: 'rita@example.com' },
    { type: 'sms', address: '+14155550100' },
  ]) {
    const res = await h.request('POST', `/users/${ids['rita@example.com']!}/contact-methods`, method);
    if (res.status !== 201) throw new Error(`POST contact method: ${res.status} ${JSON.stringify(res.body)}`);
  }
  // Silences: a one-off on the resolved alert's service and a recurring one on a label nothing carries,
  // so that no other page's alert is held.
  for (const silence of [
    {
      matchers: [{ field: 'service', op: '=', value: 'edge' }],
      ends_at: new Date(Date.now() + 4 * 3_600_000).toISOString(),
      reason: 'rotating the edge certificates',
    },
    {
      matchers: [{ field: 'label', label: 'job', op: '=~', value: 'reindex|compact' }],
      ends_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      recurrence: { weekdays: [6, 7], start: '02:00', duration_minutes: 120, time_zone: 'Europe/Berlin' },
      reason: 'weekend maintenance jobs',
    },
  ]) {
    const res = await h.request('POST', '/silences', silence);
    if (res.status !== 201) throw new Error(`POST /silences: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const onCall = await seedOnCall(h, ids['rita@example.com']!, ids['vic@example.com']!);
  return { ...onCall, alertId: alertIds[1]! };
}

/** A weekly rotation with an override covering the coming hours, and a two-tier policy paging it. */
async function seedOnCall(
  h: Harness,
  first: string,
  second: string,
): Promise<{ scheduleId: string; policyId: string }> {
  const lastWeek = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
  const schedule = await h.request('POST', '/schedules', {
    name: 'Primary on-call',
    time_zone: 'Europe/Berlin',
    layers: [
      {
        name: 'weekly',
        rotation: { type: 'weekly', length: 1 },
        start: `${lastWeek}T09:00`,
        participants: [first, second],
      },
    ],
  });
  if (schedule.status !== 201) throw new Error(`POST /schedules: ${schedule.status}`);
  const now = Date.now();
  await h.request('POST', `/schedules/${schedule.body.id}/overrides`, {
    kind: 'replace',
    user_id: second,
    start: new Date(now + 86_400_000).toISOString(),
    end: new Date(now + 2 * 86_400_000).toISOString(),
  });
  const policy = await h.request('POST', '/escalation-policies', {
    name: 'Checkout escalation',
    tiers: [
      { delay_minutes: 0, targets: [{ type: 'schedule', id: schedule.body.id }] },
      { delay_minutes: 15, targets: [{ type: 'user', id: second }] },
    ],
  });
  if (policy.status !== 201) throw new Error(`POST /escalation-policies: ${policy.status}`);
  return { scheduleId: schedule.body.id, policyId: policy.body.id };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const outDir = projectPath(path.join(config.KLAXON_DATA_DIR, 'screenshots'));
  const stack = await startStandaloneStack(say);
  const { h } = stack;
  const browser = await launchBrowser(say).catch(async (err: unknown) => {
    await stack.close();
    throw err;
  });
  try {
    const { setupLink } = await firstStart(h.db.pool, loadConfig({ PUBLIC_URL: h.baseUrl }));
    const { scheduleId, policyId, alertId } = await seed(h);
    mkdirSync(outDir, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      for (const [width, viewport] of Object.entries(VIEWPORTS)) {
        const w = await openPage(browser, h.baseUrl, viewport, { colorScheme: scheme });
        const shoot = async (name: string) => {
          const file = path.join(outDir, `${name}-${width}-${scheme}.png`);
          await w.page.screenshot({ path: file, fullPage: true });
          say(path.relative(process.cwd(), file));
        };
        await w.page.goto(setupLink ?? '/console/setup#token');
        await w.page.getByRole('heading', { name: 'Set up the first admin' }).waitFor();
        await shoot('setup');
        await w.page.goto('/console');
        await w.page.getByRole('heading', { name: 'Sign in to Klaxon' }).waitFor();
        await shoot('sign-in');
        await w.page.getByLabel('Login').fill('rita@example.com');
        await w.page.getByLabel('Password').fill(PASSWORD);
        await w.page.getByRole('button', { name: 'Sign in' }).click();
        await w.page.getByRole('heading', { name: 'Now', exact: true }).waitFor();
        await w.page.getByRole('link', { name: 'Primary on-call' }).waitFor();
        await w.page.getByText('Your next shifts').waitFor();
        await shoot('now');
        await w.page.goto('/console/alerts');
        await w.page.getByRole('heading', { name: 'Disk 95% full on db-1' }).waitFor();
        await shoot('alerts');
        await w.page.goto(`/console/alerts/${alertId}`);
        await w.page.getByRole('list', { name: 'Timeline' }).getByText('acknowledged (new').waitFor();
        await shoot('alert');
        await w.page.goto(`/console/schedules/${scheduleId}`);
        await w.page.getByRole('heading', { name: 'On call now' }).waitFor();
        await shoot('schedule');
        await w.page.goto(`/console/policies/${policyId}`);
        await w.page.getByRole('button', { name: 'Run dry-run' }).click();
        await w.page.getByRole('list', { name: 'Dry-run timeline' }).waitFor();
        await shoot('policy');
        // The form pre-filled as an alert's "Silence similar" opens it, previewed.
        await w.page.goto('/console/silences?service=checkout');
        await w.page.getByLabel('Comment').fill('checkout deploy');
        await w.page.getByRole('button', { name: 'Preview' }).click();
        await w.page.getByRole('heading', { name: 'It would silence 1 open alert now' }).waitFor();
        await shoot('silences');
        await w.page.getByRole('link', { name: 'Profile' }).click();
        await w.page.getByRole('heading', { name: 'Contact methods' }).waitFor();
        await shoot('profile');
        // The Admin pages, as an admin; the integrations page with a new routing key and its snippets.
        await w.page.getByRole('button', { name: 'Sign out' }).click();
        await w.page.getByLabel('Login').fill('ada@example.com');
        await w.page.getByLabel('Password').fill(PASSWORD);
        await w.page.getByRole('button', { name: 'Sign in' }).click();
        await w.page.getByRole('button', { name: 'Sign out' }).waitFor();
        await w.page.goto('/console/admin/users');
        await w.page.getByRole('listitem').filter({ hasText: 'rita@example.com' }).waitFor();
        await shoot('admin-users');
        await w.page.goto('/console/admin/integrations');
        await w.page.getByLabel('Integration name').fill(`grafana ${width} ${scheme}`);
        await w.page.getByLabel('Service', { exact: true }).fill('checkout');
        await w.page.getByRole('button', { name: 'Add integration' }).click();
        await w.page.getByText('you will not see it again').waitFor();
        await shoot('admin-integrations');
        await w.page.goto('/console/admin/sla');
        await w.page.getByRole('heading', { name: 'Defaults' }).waitFor();
        await shoot('admin-sla');
        await w.page.goto('/console/admin/reports');
        await w.page.getByRole('heading', { name: 'SLA compliance' }).waitFor();
        await shoot('admin-reports');
        if (w.problems.length > 0) throw new Error(`the page reported problems:\n${w.problems.join('\n')}`);
        await w.context.close();
      }
    }
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
