// promtool on what deploy/prometheus ships (the rules, their unit tests, the scrape config) and on the
// metrics a running Klaxon and its Temporal SDK actually expose after paging someone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { PROMETHEUS_DIR, promtool } from './helpers/prometheus';
import { installSdkRuntimeWithMetrics } from './helpers/temporal';
import { startWorld, waitFor, type World } from './helpers/world';

/** The job names the rules and the dashboards assume (and docker compose's Prometheus scrapes). */
const JOBS = ['klaxon-api', 'klaxon-worker', 'temporal-sdk'];
const RUNBOOK = 'https://github.com/klaxon-oncall/klaxon/blob/main/docs/operations.md#';

interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const readYaml = (file: string) => parse(readFileSync(path.join(PROMETHEUS_DIR, file), 'utf8'));
const rules = (readYaml('klaxon-rules.yml') as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);

describe('the files in deploy/prometheus', () => {
  it('promtool check rules accepts every rule; each has a severity, a summary, a description and its runbook anchor', () => {
    const { status, output } = promtool(['check', 'rules', 'klaxon-rules.yml']);
    assert.equal(status, 0, output);
    assert.match(output, new RegExp(`SUCCESS: ${rules.length} rules found`));
    for (const r of rules) {
      assert.match(r.labels?.severity ?? '', /^(critical|warning)$/, `${r.alert}: severity`);
      assert.ok(r.annotations?.summary && r.annotations.description, `${r.alert}: summary and description`);
      assert.equal(
        r.annotations?.runbook_url,
        `${RUNBOOK}alert-${r.alert.toLowerCase()}`,
        `${r.alert}: runbook_url`,
      );
    }
  });

  it('promtool test rules passes, and tests every rule both firing and quiet', () => {
    const { status, output } = promtool(['test', 'rules', 'klaxon-rules.test.yml']);
    assert.equal(status, 0, output);
    const tests = (
      readYaml('klaxon-rules.test.yml') as {
        tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
      }
    ).tests;
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of rules) {
      const mine = cases.filter((c) => c.alertname === alert);
      assert.ok(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert}: a case where it fires`,
      );
      assert.ok(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert}: a case where it stays quiet`,
      );
    }
  });

  it('promtool check config accepts prometheus.yml; its jobs are the ones the rules name', () => {
    const { status, output } = promtool(['check', 'config', 'prometheus.yml']);
    assert.equal(status, 0, output);
    const config = readYaml('prometheus.yml') as {
      rule_files: string[];
      scrape_configs: { job_name: string }[];
    };
    assert.deepEqual(config.scrape_configs.map((j) => j.job_name).sort(), [...JOBS].sort());
    assert.deepEqual(config.rule_files, ['klaxon-rules.yml']);
    // A job matcher that no job satisfies would leave its rule silent forever.
    for (const r of rules) {
      for (const [, op, value] of r.expr.matchAll(/\bjob\s*(=~|=)\s*"([^"]*)"/g)) {
        const matches = (job: string) =>
          op === '=~' ? new RegExp(`^(?:${value})$`).test(job) : job === value;
        assert.ok(JOBS.some(matches), `${r.alert}: job${op}"${value}" matches one of ${JOBS.join(', ')}`);
      }
    }
  });
});

/**
 * prom-client's default Node.js collector exports these gauges with a `_total` suffix; the names are
 * prom-client's (and every Node.js dashboard's), not ours to change. Nothing else is excused.
 */
const FOREIGN_LINT =
  /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;

describe('promtool check metrics on a running Klaxon', () => {
  let w: World;
  let sdkAddress: string;
  before(async () => {
    sdkAddress = await installSdkRuntimeWithMetrics();
    w = await startWorld();
    const userId = await w.user('metrics-responder', [
      { type: 'email', address: 'responder@example.com' },
      { type: 'sms', address: '+15551234001' },
    ]);
    await w.policy({
      tiers: [
        {
          delay_minutes: 0,
          targets: [
            { type: 'user', id: userId },
            { type: 'webhook', url: `${w.hooks.url}/metrics-page` },
          ],
        },
      ],
      is_default: true,
    });
    await w.trigger({ service: 'metrics' });
    await waitFor(
      'pages by email, sms and webhook',
      () => w.smtp.received() === 1 && w.twilio.messages.length === 1 && w.hits('/metrics-page') === 1,
    );
  });
  after(async () => {
    await w?.close();
  });

  const lint = (exposition: string) => {
    const { status, output } = promtool(['check', 'metrics'], exposition);
    const problems = output.split('\n').filter((line) => line.trim() !== '' && !FOREIGN_LINT.test(line));
    assert.ok(
      problems.length === 0,
      `promtool check metrics (exit ${status}) reports:\n  ${problems.join('\n  ')}`,
    );
  };

  it("Klaxon's own exposition (the API's GET /metrics) has no problems", async () => {
    const res = await fetch(`${w.baseUrl}/metrics`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.ok(
      /^klaxon_pages_total\{channel="webhook",outcome="sent"\} 1$/m.test(body),
      'the webhook page is counted in klaxon_pages_total',
    );
    lint(body);
  });

  it("the Temporal SDK's exposition has no problems", async () => {
    const res = await fetch(`http://${sdkAddress}/metrics`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.ok(
      /^temporal_activity_schedule_to_start_latency_seconds_bucket\{/m.test(body),
      'the page activities are measured',
    );
    lint(body);
  });
});
