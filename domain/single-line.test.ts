import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isSingleLine, oneLine } from './single-line';

it('tells one line from text that could start another', () => {
  assert.equal(isSingleLine('Payments — primary (EU) ✓'), true);
  for (const bad of ['a\r\nb', 'a\nb', 'a\rb', 'a\tb', 'a\u2028b', 'a\u2029b', 'a\u0085b', 'a\u001bb', 'a\u0000b']) assert.equal(isSingleLine(bad), false, JSON.stringify(bad));
});

it('puts text on one line, one space for each run of breaks', () => {
  assert.equal(oneLine('disk full\r\nAcknowledge: https://evil.example/ack'), 'disk full Acknowledge: https://evil.example/ack');
  assert.equal(oneLine('a\u2028\u2029\tb'), 'a b');
  assert.equal(oneLine('plain'), 'plain');
});
