// The console's policy and escalation-rule editors in a real headless Chromium against the real app: an
// admin adds a tier, sees it in the dry-run of the draft before saving, saves it (a webhook's stored
// secret survives); a bad delay shows the API's error beside the field; an admin edits the rules; a
// viewer sees no edit controls; no serious accessibility violation, sideways scrolling or CSP refusal at
// phone and desktop widths, light and dark.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
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

const out = mkdtempSync(path.join(os.tmpdir(), 'klaxon-console-policies-'));
let h: Harness;
let browser: Browser;
const users: Record<string, string> = {};
let policyId: string;
let fallbackId: string;
const HOOK = 'https://hooks.example.com/klaxon';

interface StoredPolicy {
  name: string;
  tiers: {
    delay_minutes: number;
    targets: { type: string; id?: string; url?: string; has_secret?: boolean }[];
  }[];
}

before(async () => {
  const build = await buildConsole(path.join(out, 'web'));
  [h, browser] = await Promise.all([startHarness({ consoleDir: build.dir }), launchBrowser()]);
  for (const [name, role] of [
    ['ada', 'admin'],
    ['vic', 'viewer'],
    ['ann', 'responder'],
    ['ben', 'responder'],
  ] as const) {
    users[name] = await createPasswordUser(h, `${name}@example.com`, role, {
      contact_methods: [{ type: 'email', address: `${name}@example.com` }],
    });
  }
  const fallback = await h.request('POST', '/escalation-policies', {
    name: 'Fallback',
    tiers: [{ delay_minutes: 0, targets: [{ type: 'user', id: users.ada }] }],
    is_default: true,
  });
  assert.equal(fallback.status, 201, JSON.stringify(fallback.body));
  fallbackId = fallback.body.id;
  const policy = await h.request('POST', '/escalation-policies', {
    name: 'Checkout escalation',
    tiers: [
      {
        delay_minutes: 0,
        targets: [
          { type: 'user', id: users.ann },
          { type: 'webhook', url: HOOK, secret: 'a signing secret of some length' },
        ],
      },
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

/** Signs in and opens `address` (which page is home is not this test's business). */
async function signedIn(
  login: string,
  address: string,
  viewport: { width: number; height: number } = VIEWPORTS.desktop,
  colorScheme: 'light' | 'dark' = 'light',
) {
  return openSignedIn(browser, h.baseUrl, `${login}@example.com`, { address, viewport, colorScheme });
}

const stored = async (id = policyId): Promise<StoredPolicy> => {
  const res = await h.request('GET', `/escalation-policies/${id}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as StoredPolicy;
};

describe('the console’s policy and rule editors', () => {
  it('lets an admin add a tier, dry-run the draft before saving, and save it with the webhook secret kept', async () => {
    const w = await signedIn('ada', `/console/policies/${policyId}`);
    const { page } = w;
    await page.getByRole('heading', { name: 'Checkout escalation', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Edit policy' }).click();
    await page.getByRole('heading', { name: 'Edit the policy' }).waitFor();
    await page.getByRole('button', { name: 'Add a tier' }).click();
    const tier2 = page.getByRole('group', { name: 'Tier 2', exact: true });
    await tier2.getByLabel('Delay (minutes)').fill('15');
    await tier2.getByLabel('New target for tier 2').selectOption('user');
    await tier2.getByLabel('User', { exact: true }).selectOption({ label: 'ben' });
    await tier2.getByRole('button', { name: 'Add target to tier 2' }).click();
    await tier2.getByRole('list', { name: 'Targets' }).getByText('ben', { exact: true }).waitFor();

    await page.getByLabel('Look ahead (hours)').fill('1');
    const answered = page.waitForResponse(`**/escalation-policies/${policyId}/simulate`);
    await page.getByRole('button', { name: 'Run dry-run' }).click();
    const request = (await answered).request().postDataJSON() as { policy?: StoredPolicy };
    assert.equal(request.policy?.tiers.length, 2, 'the draft went with the dry-run');
    const timeline = page.getByRole('list', { name: 'Dry-run timeline' });
    await timeline.getByText('Tier 2: pages ben by email').waitFor();
    assert.match(await timeline.innerText(), /\+15 min[\s\S]*Tier 2: pages ben/);
    assert.equal((await stored()).tiers.length, 1, 'the dry-run saved nothing');

    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Tier 2: after 15 min').waitFor();
    const saved = await stored();
    assert.deepEqual(
      saved.tiers.map((t) => [t.delay_minutes, t.targets.map((x) => x.id ?? x.url)]),
      [
        [0, [users.ann, HOOK]],
        [15, [users.ben]],
      ],
    );
    assert.equal(saved.tiers[0]!.targets[1]!.has_secret, true, 'the stored secret is kept');
    assertNoProblems(w);
    await w.context.close();
  });

  it('shows the API’s error beside the field for a bad value, and saves nothing', async () => {
    const before = await stored();
    const w = await signedIn('ada', `/console/policies/${policyId}`);
    const { page } = w;
    await page.getByRole('button', { name: 'Edit policy' }).click();
    await page.getByRole('group', { name: 'Tier 1', exact: true }).getByLabel('Delay (minutes)').fill('20');
    const answered = page.waitForResponse(`**/escalation-policies/${policyId}`);
    await page.getByRole('button', { name: 'Save policy' }).click();
    assert.equal((await answered).status(), 400);
    const delay2 = page.getByRole('group', { name: 'Tier 2', exact: true }).getByLabel('Delay (minutes)');
    await page
      .locator('#pe-delay-1-problem')
      .getByText("must be ≥ the previous tier's 20", { exact: false })
      .waitFor();
    assert.equal(await delay2.getAttribute('aria-invalid'), 'true');
    assert.equal(await delay2.getAttribute('aria-describedby'), 'pe-delay-1-problem');
    await page
      .getByRole('alert')
      .filter({ hasText: "Tier 2, delay: must be ≥ the previous tier's 20" })
      .waitFor();
    assert.deepEqual(await stored(), before);
    assertNoProblems(w);
    await w.context.close();
  });

  it('lets an admin add, edit and reorder rules, and GET /escalation-rules has them', async () => {
    const w = await signedIn('ada', '/console/policies');
    const { page } = w;
    const rules = page.getByRole('form', { name: 'Escalation rules' });
    await rules.getByText('No rules').waitFor();
    await rules.getByRole('button', { name: 'Add a rule' }).click();
    await rules.getByRole('button', { name: 'Add a rule' }).click();
    const first = rules.getByRole('group', { name: 'Rule 1', exact: true });
    await first.getByLabel('Policy').selectOption({ label: 'Checkout escalation' });
    await first.getByLabel('critical').check();
    await first.getByLabel('Services').fill('checkout, payments');
    await first.getByLabel('Labels').fill('team=shop');
    await rules
      .getByRole('group', { name: 'Rule 2', exact: true })
      .getByLabel('Policy')
      .selectOption({ label: 'Fallback' });
    await first.getByRole('button', { name: 'Move down rule 1' }).click();
    const moved = rules.getByRole('group', { name: 'Rule 1', exact: true });
    assert.equal(await moved.getByLabel('Policy').inputValue(), fallbackId, 'the rules swapped places');
    assert.equal(await moved.getByLabel('Services').inputValue(), '');
    await rules.getByRole('button', { name: 'Save rules' }).click();
    await rules.getByRole('status').filter({ hasText: 'Saved 2 rules.' }).waitFor();
    const res = await h.request('GET', '/escalation-rules');
    assert.deepEqual(res.body.rules, [
      { policy_id: fallbackId, severities: null, services: null, labels: {} },
      {
        policy_id: policyId,
        severities: ['critical'],
        services: ['checkout', 'payments'],
        labels: { team: 'shop' },
      },
    ]);

    await rules
      .getByRole('group', { name: 'Rule 1', exact: true })
      .getByRole('button', { name: 'Remove rule 1' })
      .click();
    await rules.getByRole('button', { name: 'Save rules' }).click();
    await rules.getByRole('status').filter({ hasText: 'Saved 1 rule.' }).waitFor();
    assert.deepEqual(
      (await h.request('GET', '/escalation-rules')).body.rules.map((r: { policy_id: string }) => r.policy_id),
      [policyId],
    );
    assertNoProblems(w);
    await w.context.close();
  });

  it('lets an admin create a policy and reorder its tiers from the keyboard', async () => {
    const w = await signedIn('ada', '/console/policies');
    const { page } = w;
    await page.getByRole('link', { name: 'New policy' }).click();
    await page.getByRole('heading', { name: 'New escalation policy' }).waitFor();
    await page.getByLabel('Name').fill('Payments');
    const tier1 = page.getByRole('group', { name: 'Tier 1', exact: true });
    await tier1.getByLabel('New target for tier 1').selectOption('schedule');
    assert.equal(
      await tier1.getByRole('button', { name: 'Add target to tier 1' }).isDisabled(),
      true,
      'no schedules',
    );
    await tier1.getByLabel('New target for tier 1').selectOption('user');
    await tier1.getByLabel('User', { exact: true }).selectOption({ label: 'ann' });
    await tier1.getByRole('button', { name: 'Add target to tier 1' }).click();
    await page.getByRole('button', { name: 'Add a tier' }).click();
    const tier2 = page.getByRole('group', { name: 'Tier 2', exact: true });
    await tier2.getByLabel('Delay (minutes)').fill('5');
    await tier2.getByLabel('User', { exact: true }).selectOption({ label: 'ben' });
    await tier2.getByRole('button', { name: 'Add target to tier 2' }).click();
    await tier2.getByRole('button', { name: 'Move up tier 2' }).focus();
    await page.keyboard.press('Enter');
    // ben moved to tier 1 and the focus with him; the delays stayed in order.
    await tier1.getByRole('list', { name: 'Targets' }).getByText('ben', { exact: true }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'pe-down-0');
    assert.equal(await tier1.getByLabel('Delay (minutes)').inputValue(), '0');
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('heading', { name: 'Payments', level: 1 }).waitFor();
    await page.getByText('Tier 2: after 5 min').waitFor();
    const id = page.url().split('/').pop()!;
    const created = await stored(id);
    assert.deepEqual(
      created.tiers.map((t) => [t.delay_minutes, t.targets.map((x) => x.id)]),
      [
        [0, [users.ben]],
        [5, [users.ann]],
      ],
    );
    assertNoProblems(w);
    await w.context.close();
  });

  it('shows a viewer the policies and rules without any edit control', async () => {
    const w = await signedIn('vic', '/console/policies');
    const { page } = w;
    await page.getByRole('heading', { name: 'Escalation rules' }).waitFor();
    await page
      .getByText('severity critical; service checkout or payments; labels team=shop → Checkout escalation')
      .waitFor();
    assert.equal(await page.getByRole('link', { name: 'New policy' }).count(), 0);
    assert.equal(await page.getByRole('main').getByRole('button').count(), 0, 'no buttons on the list');
    assert.equal(await page.getByRole('main').getByRole('textbox').count(), 0, 'no fields on the list');

    await page.goto(`/console/policies/${policyId}`);
    await page.getByRole('heading', { name: 'Dry-run' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit policy' }).count(), 0);
    assert.deepEqual(await page.getByRole('main').getByRole('button').allInnerTexts(), ['Run dry-run']);
    await page.goto('/console/policies/new');
    await page.getByText('Only an admin creates escalation policies.').waitFor();
    assert.equal(await page.getByRole('main').getByRole('textbox').count(), 0, 'no form for a new policy');
    assertNoProblems(w);
    await w.context.close();
  });

  it('has no serious accessibility violation, sideways scrolling or CSP refusal at phone and desktop, light and dark', async () => {
    for (const width of ['phone', 'desktop'] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const w = await signedIn('ada', '/console/policies', VIEWPORTS[width], scheme);
        const { page } = w;
        const where = `at ${width} width, ${scheme}`;
        const check = async (name: string) => {
          assert.deepEqual(await seriousAxeViolations(page), [], `${name} ${where}`);
          assert.equal(await horizontalOverflow(page), 0, `${name} ${where} scrolls sideways`);
        };
        await page.getByRole('button', { name: 'Save rules' }).waitFor();
        await check('rules editor');

        await page.goto(`/console/policies/${policyId}`);
        await page.getByRole('button', { name: 'Edit policy' }).click();
        await page
          .getByRole('group', { name: 'Tier 1', exact: true })
          .getByLabel('Delay (minutes)')
          .fill('20');
        await page.getByRole('button', { name: 'Save policy' }).click();
        await page.locator('#pe-delay-1-problem').waitFor();
        await page.getByRole('button', { name: 'Run dry-run' }).click();
        await page.getByRole('alert').filter({ hasText: 'body.policy.tiers.1.delay_minutes' }).waitFor();
        await page
          .getByRole('group', { name: 'Tier 1', exact: true })
          .getByLabel('Delay (minutes)')
          .fill('0');
        await page.getByRole('button', { name: 'Run dry-run' }).click();
        await page.getByRole('list', { name: 'Dry-run timeline' }).waitFor();
        await check('policy editor with errors and a dry-run');

        await page.goto('/console/policies/new');
        await page.getByRole('heading', { name: 'The policy' }).waitFor();
        await check('new policy');
        assertNoProblems(w);
        await w.context.close();
      }
    }
  });
});
