import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigError, loadConfig } from '../runtime/config';

it('applies defaults when nothing is set', () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 3000);
  assert.equal(c.DATABASE_URL, undefined);
  assert.equal(c.TEMPORAL_ADDRESS, undefined);
  assert.equal(c.TEMPORAL_NAMESPACE, 'default');
  assert.equal(c.TEMPORAL_UI_PORT, 8233);
  assert.equal(c.API_RATE_LIMIT_PER_MINUTE, 600);
  assert.equal(c.INGEST_RATE_LIMIT_PER_MINUTE, 1200);
});

it('reads valid values', () => {
  const c = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u:p@db:5432/klaxon', TEMPORAL_ADDRESS: 'temporal:7233', LOG_LEVEL: 'debug' });
  assert.equal(c.PORT, 8080);
  assert.equal(c.DATABASE_URL, 'postgres://u:p@db:5432/klaxon');
  assert.equal(c.TEMPORAL_ADDRESS, 'temporal:7233');
});

it('treats an empty variable as unset', () => {
  assert.equal(loadConfig({ DATABASE_URL: '' }).DATABASE_URL, undefined);
});

it('names every bad variable at once', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', BODY_LIMIT: 'huge' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const joined = err.problems.join('\n');
      for (const key of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'BODY_LIMIT']) assert.match(joined, new RegExp(`^${key}:`, 'm'));
      assert.equal(err.problems.length, 4);
      return true;
    },
  );
});

it('reads rate limits as positive whole numbers', () => {
  assert.equal(loadConfig({ API_RATE_LIMIT_PER_MINUTE: '30' }).API_RATE_LIMIT_PER_MINUTE, 30);
  for (const bad of ['0', '-5', '1.5', 'lots']) {
    assert.throws(() => loadConfig({ API_RATE_LIMIT_PER_MINUTE: bad }), (err: unknown) => err instanceof ConfigError && /^API_RATE_LIMIT_PER_MINUTE:/.test(err.problems[0]!), bad);
  }
});
