import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  matcherProblem,
  silenceFor,
  silenceHolds,
  silenceMatcher,
  windowProblem,
  type Matcher,
} from './silence';

const alert = { service: 'db', severity: 'high' as const, labels: { env: 'prod', host: 'db-12' } };
const m = (field: Matcher['field'], op: Matcher['op'], value: string, label?: string): Matcher => ({
  field,
  op,
  value,
  ...(label ? { label } : {}),
});

describe('silence matchers', () => {
  it('match on service, severity and labels with = != =~ !~, all of them', () => {
    assert.equal(silenceMatcher([m('service', '=', 'db')])(alert), true);
    assert.equal(silenceMatcher([m('service', '!=', 'db')])(alert), false);
    assert.equal(silenceMatcher([m('severity', '=~', 'high|critical')])(alert), true);
    assert.equal(silenceMatcher([m('severity', '!~', 'high|critical')])(alert), false);
    assert.equal(silenceMatcher([m('label', '=~', 'db-[0-9]+', 'host')])(alert), true);
    assert.equal(silenceMatcher([m('label', '=', 'prod', 'env'), m('service', '=', 'web')])(alert), false);
    assert.equal(silenceMatcher([])(alert), true);
  });
  it('compare a missing label as the empty string', () => {
    assert.equal(silenceMatcher([m('label', '=', '', 'team')])(alert), true);
    assert.equal(silenceMatcher([m('label', '!=', 'ops', 'team')])(alert), true);
    assert.equal(silenceMatcher([m('label', '=~', '.+', 'team')])(alert), false);
  });
  it('refuse a pattern that would backtrack and a label matcher without its label', () => {
    assert.match(matcherProblem(m('label', '=~', '(a+)+', 'host')) ?? '', /nested quantifier/);
    assert.match(matcherProblem(m('label', '=', 'x')) ?? '', /names its label/);
    assert.match(matcherProblem(m('service', '=', 'x', 'env')) ?? '', /takes no label/);
    assert.equal(matcherProblem(m('label', '!~', 'db-.*', 'host')), null);
  });
});

describe('silence windows', () => {
  it('refuse an empty, inverted or too long window', () => {
    assert.match(windowProblem({ startsAt: 10, endsAt: 10 }) ?? '', /after starts_at/);
    assert.match(windowProblem({ startsAt: 10, endsAt: 5 }) ?? '', /after starts_at/);
    assert.match(windowProblem({ startsAt: 0, endsAt: 32 * 86_400_000 }) ?? '', /at most 31 days/);
    assert.equal(windowProblem({ startsAt: 0, endsAt: 60_000 }), null);
  });
  it('hold from the start (inclusive) to the end (exclusive)', () => {
    assert.equal(silenceHolds({ startsAt: 10, endsAt: 20 }, 9), false);
    assert.equal(silenceHolds({ startsAt: 10, endsAt: 20 }, 10), true);
    assert.equal(silenceHolds({ startsAt: 10, endsAt: 20 }, 20), false);
  });
  it('an alert is held by the silence holding now that ends last, else by the next to start', () => {
    const a = { id: 'a', startsAt: 0, endsAt: 100 };
    const b = { id: 'b', startsAt: 50, endsAt: 300 };
    const c = { id: 'c', startsAt: 400, endsAt: 500 };
    const d = { id: 'd', startsAt: 350, endsAt: 600 };
    assert.equal(silenceFor([a, b, c], 60)?.id, 'b');
    assert.equal(silenceFor([a, b, c], 10)?.id, 'a');
    assert.equal(silenceFor([a, b, c, d], 320)?.id, 'd');
    assert.equal(silenceFor([a], 100), undefined);
    assert.equal(silenceFor([], 0), undefined);
  });
});
