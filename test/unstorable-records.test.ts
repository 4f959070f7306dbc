// Defence in depth behind the edge's guard: an event or an action carrying text Postgres cannot hold
// (one from before the guard, or from a path around it) is recorded with that text replaced by U+FFFD
// and a `text_replaced` entry on the timeline naming the fields, instead of a write retried for ever;
// the alert still pages. A data error that replacing cannot cure fails for good; a connection error is
// left to the retry policy. The activities are called directly against real Postgres, and the workflow
// is driven around the API through Temporal.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createRecordActivities, UNSTORABLE_RECORD, type RecordAlertInput } from '../activities/records';
import { triggerAlert } from '../api/trigger';
import { insertAlert } from '../store/alerts';
import { createPool } from '../store/db';
import { acknowledgeUpdate, type AlertEvent } from '../workflows/messages';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { startWorld, waitFor, type World } from './helpers/world';

const NUL = '\u0000';
const LOW = '\uDC00';
const FFFD = '\uFFFD';

let db: TestDatabase;
let acts: ReturnType<typeof createRecordActivities>;
before(async () => {
  db = await createTestDatabase();
  acts = createRecordActivities({ pool: db.pool });
});
after(async () => {
  await db?.drop();
});

const event = (over: Partial<AlertEvent> = {}): AlertEvent => ({
  eventId: randomUUID(),
  summary: 'Disk full',
  severity: 'high',
  service: 'records',
  source: 'test',
  dedupKey: randomUUID(),
  labels: {},
  details: {},
  links: [],
  ...over,
});

const recordInput = (e: AlertEvent, over: Partial<RecordAlertInput> = {}): RecordAlertInput => ({
  alertId: randomUUID(),
  workflowId: `alert:${e.service}:${e.dedupKey}`,
  firstRunId: randomUUID(),
  event: e,
  triggeredAt: '2026-11-27T10:00:00.000Z',
  policy: null,
  ttaTargetMs: 300_000,
  ttrTargetMs: 3_600_000,
  ...over,
});

// These records have no policy, so each also carries a `pages_nobody` entry (test/pages-nobody.test.ts
// covers it); the entries here are the ones about the text.
const timeline = async (alertId: string) =>
  (
    await db.pool.query("select action, actor, reason from alert_audit where alert_id = $1 and action <> 'pages_nobody' order by at, id", [
      alertId,
    ])
  ).rows as {
    action: string;
    actor: string;
    reason: string | null;
  }[];

describe('recordAlert with text Postgres cannot hold', () => {
  it('is refused by Postgres as written (the premise): NUL in text is 22021, \\u0000 in jsonb 22P05, a lone surrogate in jsonb 22P02', async () => {
    const base = {
      id: randomUUID(),
      workflowId: 'w',
      firstRunId: 'r',
      dedupKey: 'd',
      summary: 's',
      severity: 'high' as const,
      service: 's',
      source: 's',
      labels: {},
      details: {},
      links: [],
      triggeredAt: new Date(),
      policyId: null,
      policyName: null,
      ttaTargetMs: 1,
      ttrTargetMs: 1,
    };
    await assert.rejects(insertAlert(db.pool, { ...base, summary: `a${NUL}` }), { code: '22021' });
    await assert.rejects(insertAlert(db.pool, { ...base, labels: { env: NUL } }), { code: '22P05' });
    await assert.rejects(insertAlert(db.pool, { ...base, details: { x: LOW } }), { code: '22P02' });
  });

  it('records the alert with each offending value replaced by U+FFFD and says which fields on its timeline, once', async () => {
    const e = event({
      summary: `disk${NUL}full`,
      service: `pay${NUL}`,
      labels: { env: `prod${NUL}`, [`t${NUL}eam`]: 'db' },
      details: { runbook: [`step${LOW}`], fine: 'ok' },
      links: [{ href: 'https://example.com', text: `x${NUL}` }],
    });
    const input = recordInput(e);
    await acts.recordAlert(input);
    // A retried activity writes nothing twice.
    await acts.recordAlert(input);
    const { rows } = await db.pool.query(
      'select summary, service, workflow_id, labels, details, links, state from alerts where id = $1',
      [input.alertId],
    );
    assert.deepEqual(rows, [
      {
        summary: `disk${FFFD}full`,
        service: `pay${FFFD}`,
        workflow_id: `alert:pay${FFFD}:${e.dedupKey}`,
        labels: { env: `prod${FFFD}`, [`t${FFFD}eam`]: 'db' },
        details: { runbook: [`step${FFFD}`], fine: 'ok' },
        links: [{ href: 'https://example.com', text: `x${FFFD}` }],
        state: 'new',
      },
    ]);
    const trail = await timeline(input.alertId);
    assert.deepEqual(
      trail.map((t) => t.action),
      ['trigger', 'text_replaced'],
    );
    assert.equal(trail[0]!.reason, `disk${FFFD}full (no escalation policy matched)`);
    assert.equal(trail[1]!.actor, 'system:klaxon');
    assert.equal(
      trail[1]!.reason,
      'Postgres cannot store NUL or lone UTF-16 surrogates; replaced them with U+FFFD in: workflowId, summary, service, labels.env, labels.t\\u0000eam, details.runbook.0, links.0.text',
    );
  });

  it('writes a clean event as it is, with no text_replaced entry', async () => {
    const input = recordInput(event({ summary: 'Zürich 😀\r\n' }));
    await acts.recordAlert(input);
    assert.equal(
      (await db.pool.query('select summary from alerts where id = $1', [input.alertId])).rows[0].summary,
      'Zürich 😀\r\n',
    );
    assert.deepEqual(
      (await timeline(input.alertId)).map((t) => t.action),
      ['trigger'],
    );
  });

  it('fails for good (non-retryable) on a data error that replacing text cannot cure', async () => {
    const input = recordInput(event(), { triggeredAt: 'not a time' });
    await assert.rejects(acts.recordAlert(input), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure, String(err));
      assert.equal(err.type, UNSTORABLE_RECORD);
      assert.equal(err.nonRetryable, true);
      return true;
    });
  });

  it('leaves a connection error to the retry policy: thrown as it is, not as a non-retryable failure', async () => {
    const unreachable = createPool('postgres://klaxon:klaxon@127.0.0.1:1/klaxon', { max: 1 });
    try {
      const err = await createRecordActivities({ pool: unreachable })
        .recordAlert(recordInput(event({ summary: NUL })))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof Error);
      assert.ok(!(err instanceof ApplicationFailure), `not an ApplicationFailure: ${String(err)}`);
      assert.equal((err as { code?: string }).code, 'ECONNREFUSED');
    } finally {
      await unreachable.end();
    }
  });
});

describe('recordTransition and recordAuditEntry with text Postgres cannot hold', () => {
  it('record the transition and the note with actor, reason and text replaced, and say so on the timeline', async () => {
    const input = recordInput(event());
    await acts.recordAlert(input);
    const transition = {
      alertId: input.alertId,
      action: 'acknowledge',
      from: 'new' as const,
      to: 'acknowledged' as const,
      stateVersion: 1,
      actor: `alice${NUL} (key:ci)`,
      reason: `on it${LOW}`,
      at: '2026-11-27T10:01:00.000Z',
      idempotencyKey: `update:${randomUUID()}`,
    };
    await acts.recordTransition(transition);
    await acts.recordTransition(transition);
    await acts.recordAuditEntry({
      alertId: input.alertId,
      action: 'note',
      actor: 'bob',
      reason: `look${NUL}here`,
      at: '2026-11-27T10:02:00.000Z',
      idempotencyKey: `note:${randomUUID()}`,
    });
    assert.equal(
      (await db.pool.query('select state from alerts where id = $1', [input.alertId])).rows[0].state,
      'acknowledged',
    );
    assert.deepEqual(await timeline(input.alertId), [
      { action: 'trigger', actor: 'integration:test', reason: 'Disk full (no escalation policy matched)' },
      { action: 'acknowledge', actor: `alice${FFFD} (key:ci)`, reason: `on it${FFFD}` },
      {
        action: 'text_replaced',
        actor: 'system:klaxon',
        reason:
          'Postgres cannot store NUL or lone UTF-16 surrogates; replaced them with U+FFFD in: actor, reason',
      },
      { action: 'note', actor: 'bob', reason: `look${FFFD}here` },
      {
        action: 'text_replaced',
        actor: 'system:klaxon',
        reason: 'Postgres cannot store NUL or lone UTF-16 surrogates; replaced them with U+FFFD in: reason',
      },
    ]);
  });
});

describe('an alert whose event bypassed the edge', () => {
  let w: World;
  before(async () => {
    w = await startWorld();
  });
  after(async () => {
    await w?.close();
  });

  it('is recorded, readable through the API, pages, and can be acknowledged by an actor with NUL', async () => {
    await w.policy({
      tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/bypass` }] }],
      is_default: true,
    });
    // Straight to Temporal, as an event accepted before the edge refused such text would have gone.
    const { candidateId, handle } = await triggerAlert(
      {
        pool: w.db.pool,
        workflows: w.env.client.workflow,
        taskQueue: w.taskQueue,
        slaAtRiskFraction: 0.75,
        reopenWindowMs: 30 * 60_000,
        now: () => w.env.currentTimeMs(),
      },
      {
        summary: `disk${NUL}full`,
        severity: 'critical',
        service: 'bypass',
        source: 'old-api',
        dedupKey: 'bypass-1',
        labels: { env: `prod${NUL}` },
        details: {},
        links: [],
      },
    );
    await waitFor('the page', () => w.hits('/bypass') === 1);
    const res = await w.request('GET', `/alerts/${candidateId}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.summary, `disk${FFFD}full`);
    assert.deepEqual(res.body.labels, { env: `prod${FFFD}` });
    const replaced = res.body.timeline.find((t: { action: string }) => t.action === 'text_replaced');
    assert.match(replaced?.reason ?? '', /in: summary, labels\.env$/);

    // The Update completes, and Temporal and Postgres agree on the state.
    const result = await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: `carol${NUL}` }] });
    assert.equal(result.to, 'acknowledged');
    const acked = await w.request('GET', `/alerts/${candidateId}`);
    assert.equal(acked.body.state, 'acknowledged');
    assert.equal(acked.body.live.state, 'acknowledged');
    const ack = acked.body.timeline.find((t: { action: string }) => t.action === 'acknowledge');
    assert.equal(ack?.actor, `carol${FFFD}`);
  });
});
