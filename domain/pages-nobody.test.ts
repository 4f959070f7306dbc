import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pagesNobody, type PagingFacts } from './pages-nobody';

const facts = (over: Partial<PagingFacts>): PagingFacts => ({
  service: 'payments',
  severity: 'critical',
  hasPolicy: false,
  groupRole: null,
  ...over,
});

it('says why an alert without a policy pages nobody, naming its service and severity', () => {
  assert.equal(
    pagesNobody(facts({})),
    'no escalation policy matches service "payments" severity critical and there is no default policy',
  );
});

it("is silent when a policy pages: its own, or its group's carried on", () => {
  assert.equal(pagesNobody(facts({ hasPolicy: true })), null);
  assert.equal(pagesNobody(facts({ hasPolicy: true, groupRole: 'leader' })), null);
  assert.equal(pagesNobody(facts({ hasPolicy: true, groupRole: 'undecided' })), null);
});

it('leaves a group member to its leader, and marks a leader that has no policy to page with', () => {
  assert.equal(pagesNobody(facts({ groupRole: 'member' })), null);
  assert.match(
    pagesNobody(facts({ groupRole: 'leader' })) ?? '',
    /^no escalation policy matches .* no default policy$/,
  );
});

it('before the group is decided, says that only the group can still page for it', () => {
  assert.match(
    pagesNobody(facts({ groupRole: 'undecided' })) ?? '',
    /no default policy; only its group's escalation can page for it/,
  );
});
