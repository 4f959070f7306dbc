// The console's policy and rules drafts: adding, moving and removing tiers and rules, and the request
// bodies made from them (numbers as typed, webhook secrets kept unless replaced or dropped).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addTier,
  draftOf,
  fieldLabel,
  moved,
  moveTier,
  policyBody,
  removeTier,
  type Policy,
} from '../web/policy-draft';
import { labelsOf, newRule, ruleDraftOf, ruleFieldLabel, rulesBody } from '../web/rules-draft';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const S = '00000000-0000-4000-8000-00000000000c';

const stored: Policy = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'db',
  tiers: [
    { delay_minutes: 0, targets: [{ type: 'user', id: A }] },
    {
      delay_minutes: 10,
      targets: [
        { type: 'schedule', id: S },
        { type: 'webhook', url: 'https://hooks.example.com/x', has_secret: true },
      ],
    },
  ],
  repeat: 2,
  repeat_delay_minutes: 5,
  ack_timeout_minutes: null,
  auto_resolve_minutes: 60,
  is_default: true,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};

describe('policy drafts', () => {
  it('round-trips a stored policy, keeping a webhook secret it cannot see', () => {
    assert.deepEqual(policyBody(draftOf(stored)), {
      name: 'db',
      tiers: [
        { delay_minutes: 0, targets: [{ type: 'user', id: A }] },
        {
          delay_minutes: 10,
          targets: [
            { type: 'schedule', id: S },
            { type: 'webhook', url: 'https://hooks.example.com/x', keep_secret: true },
          ],
        },
      ],
      repeat: 2,
      repeat_delay_minutes: 5,
      ack_timeout_minutes: null,
      auto_resolve_minutes: 60,
      is_default: true,
    });
  });

  it('sends a new secret, or none when dropped or never stored', () => {
    const webhook = (over: object) => {
      const d = draftOf(stored);
      d.tiers[1]!.targets[1] = { ...(d.tiers[1]!.targets[1] as object), ...over } as never;
      return policyBody(d).tiers[1]!.targets[1];
    };
    assert.deepEqual(webhook({ newSecret: 'sixteen characters!' }), {
      type: 'webhook',
      url: 'https://hooks.example.com/x',
      secret: 'sixteen characters!',
    });
    assert.deepEqual(webhook({ dropSecret: true }), { type: 'webhook', url: 'https://hooks.example.com/x' });
    assert.deepEqual(webhook({ hasSecret: false }), { type: 'webhook', url: 'https://hooks.example.com/x' });
  });

  it('starts a new policy with one tier at 0 minutes and no targets', () => {
    const body = policyBody(draftOf(null));
    assert.deepEqual(body.tiers, [{ delay_minutes: 0, targets: [] }]);
    assert.equal(body.ack_timeout_minutes, null);
  });

  it('sends text that is not a number as null (the API names the field), blank optional fields as null', () => {
    const d = { ...draftOf(stored), repeat: 'two', ackTimeout: '  ', autoResolve: '1e400' };
    d.tiers = [{ ...d.tiers[0]!, delay: '' }];
    const body = policyBody(d);
    assert.equal(body.repeat, null);
    assert.equal(body.tiers[0]!.delay_minutes, null);
    assert.equal(body.ack_timeout_minutes, null);
    assert.equal(body.auto_resolve_minutes, null);
    assert.equal(policyBody({ ...d, repeat: ' 3 ' }).repeat, 3);
  });

  it('adds a tier at the end as late as the last, and removes one', () => {
    const added = addTier(draftOf(stored));
    assert.deepEqual(
      added.tiers.map((t) => [t.delay, t.targets.length]),
      [
        ['0', 1],
        ['10', 2],
        ['10', 0],
      ],
    );
    assert.deepEqual(addTier({ ...draftOf(stored), tiers: [] }).tiers, [{ delay: '0', targets: [] }]);
    assert.deepEqual(
      removeTier(added, 0).tiers.map((t) => t.delay),
      ['10', '10'],
    );
    assert.equal(removeTier(added, 7).tiers.length, 3, 'no such tier: nothing removed');
  });

  it('moves a tier’s targets, leaving the delays in place so they stay in order', () => {
    const d = moveTier(draftOf(stored), 1, -1);
    assert.deepEqual(
      d.tiers.map((t) => [t.delay, t.targets[0]!.type]),
      [
        ['0', 'schedule'],
        ['10', 'user'],
      ],
    );
    assert.deepEqual(
      moveTier(draftOf(stored), 0, -1).tiers,
      draftOf(stored).tiers,
      'the first cannot move up',
    );
    assert.deepEqual(
      moveTier(draftOf(stored), 1, 1).tiers,
      draftOf(stored).tiers,
      'the last cannot move down',
    );
  });

  it('moves items within bounds and leaves the input alone', () => {
    const list = ['a', 'b', 'c', 'd'];
    assert.deepEqual(moved(list, 0, 2), ['b', 'c', 'a', 'd']);
    assert.deepEqual(moved(list, 3, -1), ['a', 'b', 'd', 'c']);
    assert.deepEqual(moved(list, 1, 10), ['a', 'c', 'd', 'b']);
    assert.deepEqual(moved(list, 5, -1), list);
    assert.deepEqual(moved([], 0, 1), []);
    assert.deepEqual(list, ['a', 'b', 'c', 'd']);
  });

  it('names API fields as the form does', () => {
    assert.equal(fieldLabel('body.name'), 'Name');
    assert.equal(fieldLabel('body.policy.repeat'), 'Repeats');
    assert.equal(fieldLabel('body.tiers'), 'Tiers');
    assert.equal(fieldLabel('body.tiers.1.delay_minutes'), 'Tier 2, delay');
    assert.equal(fieldLabel('body.policy.tiers.0.targets'), 'Tier 1, targets');
    assert.equal(fieldLabel('body.tiers.2.targets.0.url'), 'Tier 3, target 1, URL');
    assert.equal(fieldLabel('body.tiers.2.targets.4'), 'Tier 3, target 5');
    assert.equal(fieldLabel('body.something'), 'body.something');
  });
});

describe('rule drafts', () => {
  it('round-trips stored rules; empty severities and services mean any', () => {
    const rules: Parameters<typeof ruleDraftOf>[0][] = [
      {
        policy_id: A,
        severities: ['critical' as const, 'high' as const],
        services: ['db', 'api'],
        labels: { team: 'core', url: 'a=b' },
      },
      { policy_id: B, severities: null, services: null, labels: {} },
    ];
    assert.deepEqual(rulesBody(rules.map((r) => ruleDraftOf(r))), {
      rules: [
        {
          policy_id: A,
          severities: ['critical', 'high'],
          services: ['db', 'api'],
          labels: { team: 'core', url: 'a=b' },
        },
        { policy_id: B, severities: null, services: null, labels: {} },
      ],
    });
    assert.deepEqual(rulesBody([newRule(B)]).rules[0], {
      policy_id: B,
      severities: null,
      services: null,
      labels: {},
    });
  });

  it('reads services and labels as typed: commas, blank lines, spaces, a key without a value', () => {
    assert.deepEqual(rulesBody([{ ...newRule(A), services: ' db ,, api,' }]).rules[0]!.services, [
      'db',
      'api',
    ]);
    assert.deepEqual(rulesBody([{ ...newRule(A), services: ' , ' }]).rules[0]!.services, null);
    assert.deepEqual(labelsOf('team = core\n\n  env=prod  \nregion'), {
      team: 'core',
      env: 'prod',
      region: '',
    });
  });

  it('names rule fields', () => {
    assert.equal(ruleFieldLabel('body.rules.2.policy_id'), 'Rule 3, policy');
    assert.equal(ruleFieldLabel('body.rules.0'), 'Rule 1');
    assert.equal(ruleFieldLabel('body.rules'), 'body.rules');
  });
});
