import assert from 'node:assert/strict';
import { it } from 'node:test';
import { defaultPolicyRefusal } from './default-policy';

const A = 'policy-a';
const B = 'policy-b';

it('refuses deleting the default policy, and nothing else', () => {
  assert.match(
    defaultPolicyRefusal(A, { kind: 'delete', policyId: A }) ?? '',
    /policy-a is the default.*Make another policy the default/,
  );
  assert.equal(defaultPolicyRefusal(A, { kind: 'delete', policyId: B }), null);
  assert.equal(
    defaultPolicyRefusal(null, { kind: 'delete', policyId: A }),
    null,
    'no default yet: nothing to keep',
  );
});

it('refuses unsetting is_default on the default, and lets the default move', () => {
  assert.match(defaultPolicyRefusal(A, { kind: 'save', policyId: A, isDefault: false }) ?? '', /no other is/);
  assert.equal(defaultPolicyRefusal(A, { kind: 'save', policyId: A, isDefault: true }), null);
  assert.equal(
    defaultPolicyRefusal(A, { kind: 'save', policyId: B, isDefault: true }),
    null,
    'B takes the default over',
  );
  assert.equal(defaultPolicyRefusal(A, { kind: 'save', policyId: B, isDefault: false }), null);
  assert.equal(
    defaultPolicyRefusal(A, { kind: 'save', policyId: null, isDefault: false }),
    null,
    'a new policy',
  );
  assert.equal(defaultPolicyRefusal(null, { kind: 'save', policyId: A, isDefault: false }), null);
});
