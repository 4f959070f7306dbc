import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RETURN_TO, parseRoleMap, roleFromClaim, safeReturnTo } from './sign-in-rules';

const ROLES = ['viewer', 'responder', 'admin'] as const;
const mapOf = (text: string) => {
  const { map, problems } = parseRoleMap(text, ROLES);
  assert.deepEqual(problems, []);
  return map;
};

describe('parseRoleMap', () => {
  it('reads value=role entries and the * default, spaces and empty entries aside', () => {
    const map = mapOf(' oncall-admins = admin, oncall=responder,,*=viewer ');
    assert.deepEqual(
      [...map.byValue],
      [
        ['oncall-admins', 'admin'],
        ['oncall', 'responder'],
      ],
    );
    assert.equal(map.fallback, 'viewer');
  });

  it('keeps an = inside a value, splitting at the last one', () => {
    const map = mapOf('cn=ops=admin');
    assert.deepEqual([...map.byValue], [['cn=ops', 'admin']]);
  });

  it('names each bad entry: no =, no value, an unknown role, a value mapped twice, nothing at all', () => {
    const { problems } = parseRoleMap('ops,=admin,sre=root,a=viewer,a=admin,*=viewer,*=admin', ROLES);
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.match(problems[0]!, /"ops" is not claim-value=role/);
    assert.match(problems[1]!, /"=admin" is not claim-value=role/);
    assert.match(problems[2]!, /"sre=root": root is not a role \(viewer, responder, admin\)/);
    assert.match(problems[3]!, /"a=admin": a is mapped twice/);
    assert.match(problems[4]!, /"\*=admin": \* is mapped twice/);
    assert.match(parseRoleMap(' , ', ROLES).problems[0]!, /maps nothing/);
  });
});

describe('roleFromClaim', () => {
  const map = mapOf('oncall-admins=admin,oncall=responder,*=viewer');

  it('gives the highest role any value maps to, whatever their order', () => {
    assert.equal(roleFromClaim(map, ['oncall', 'oncall-admins']), 'admin');
    assert.equal(roleFromClaim(map, ['oncall-admins', 'oncall']), 'admin');
    assert.equal(roleFromClaim(map, 'oncall'), 'responder');
  });

  it('gives the * role to anyone else, and when the claim is missing or not strings', () => {
    assert.equal(roleFromClaim(map, ['finance']), 'viewer');
    assert.equal(roleFromClaim(map, undefined), 'viewer');
    assert.equal(roleFromClaim(map, 42), 'viewer');
    assert.equal(roleFromClaim(map, [7, 'oncall']), 'responder');
  });

  it('never lowers a matched role to the * default', () => {
    assert.equal(roleFromClaim(mapOf('ops=admin,*=responder'), ['ops']), 'admin');
    assert.equal(roleFromClaim(mapOf('ops=viewer,*=responder'), ['ops']), 'responder');
  });

  it('gives no role without a match and without *, and matches case exactly', () => {
    const strict = mapOf('Oncall=responder');
    assert.equal(roleFromClaim(strict, ['oncall']), undefined);
    assert.equal(roleFromClaim(strict, []), undefined);
    assert.equal(roleFromClaim(strict, 'Oncall'), 'responder');
  });
});

describe('safeReturnTo', () => {
  it('keeps a path under /console with its query and fragment', () => {
    assert.equal(safeReturnTo('/console'), '/console');
    assert.equal(safeReturnTo('/console/alerts/42?tab=notes#n3'), '/console/alerts/42?tab=notes#n3');
  });

  it('refuses anything else for the default', () => {
    for (const bad of [
      undefined,
      42,
      '',
      'console/alerts',
      'https://evil.example/console',
      '//evil.example/console',
      '/\\evil.example/console',
      '/console/../api-keys',
      '/consoleevil',
      '/alerts',
      '/console/\nSet-Cookie:x',
      `/console/${'a'.repeat(2000)}`,
    ])
      assert.equal(safeReturnTo(bad), DEFAULT_RETURN_TO, String(bad));
  });
});
