import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePattern, MAX_PATTERN_LENGTH } from './bounded-regex';

const matches = (pattern: string, value: string) => {
  const c = compilePattern(pattern);
  assert.ok(c.ok, `${pattern}: ${c.ok ? '' : c.problem}`);
  return c.pattern.test(value);
};
const refused = (pattern: string) => {
  const c = compilePattern(pattern);
  assert.equal(c.ok, false, `${pattern} should be refused`);
  return c.ok ? '' : c.problem;
};

describe('bounded regex', () => {
  it('matches the whole value, like an anchored RE2 pattern', () => {
    assert.equal(matches('db', 'db'), true);
    assert.equal(matches('db', 'db-1'), false);
    assert.equal(matches('db.*', 'db-1'), true);
    assert.equal(matches('', ''), true);
    assert.equal(matches('', 'x'), false);
  });
  it('supports classes, ranges, escapes, groups, alternation and * + ?', () => {
    assert.equal(matches('web-[0-9]+', 'web-12'), true);
    assert.equal(matches('web-[0-9]+', 'web-'), false);
    assert.equal(matches('[^a-c]x', 'dx'), true);
    assert.equal(matches('[^a-c]x', 'bx'), false);
    assert.equal(matches('(prod|staging)-(eu|us)', 'staging-us'), true);
    assert.equal(matches('(?:prod|staging)-(eu|us)', 'dev-us'), false);
    assert.equal(matches('colou?r', 'color'), true);
    assert.equal(matches('a\\.b', 'a.b'), true);
    assert.equal(matches('a\\.b', 'axb'), false);
    assert.equal(matches('\\d\\d\\w\\s', '12_ '), true);
    assert.equal(matches('[\\d.-]+', '1.2-3'), true);
    assert.equal(matches('(ab)*c', 'ababc'), true);
    assert.equal(matches('(ab)*c', 'abac'), false);
    assert.equal(matches('a|', ''), true);
  });
  it('refuses what would backtrack and what it does not support, saying what', () => {
    assert.match(refused('(a+)+$'), /\$|nested quantifier/);
    assert.match(refused('(a+)+'), /nested quantifier/);
    assert.match(refused('(a|a*)*'), /nested quantifier/);
    assert.match(refused('a**'), /nested quantifier/);
    assert.match(refused('(a)\\1'), /back-references/);
    assert.match(refused('(?=a)'), /lookaround/);
    assert.match(refused('a{2,}'), /counted repetition/);
    assert.match(refused('^a'), /whole value/);
    assert.match(refused('(a'), /unclosed \(/);
    assert.match(refused('a)'), /unopened \)/);
    assert.match(refused('[a'), /unclosed \[/);
    assert.match(refused('[z-a]'), /inverted range/);
    assert.match(refused('*a'), /nothing to repeat/);
    assert.match(refused('a\\'), /trailing backslash/);
    assert.match(refused('a'.repeat(MAX_PATTERN_LENGTH + 1)), /at most/);
  });
  it('runs in linear time on inputs that hang a backtracking engine', () => {
    // (a|aa)*b on a long run of a's is exponential for JS RegExp; here it is a few states per character.
    const started = process.hrtime.bigint();
    assert.equal(matches('(a|aa)*b', 'a'.repeat(50_000)), false);
    assert.equal(matches('.*.*.*.*x', 'a'.repeat(20_000)), false);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 5_000, `took ${ms} ms`);
  });
});
