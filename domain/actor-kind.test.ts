import assert from 'node:assert/strict';
import { it } from 'node:test';
import { actorKind } from './actor-kind';

it('names the channel a paged user answered through, and the other kinds of actor', () => {
  assert.equal(actorKind('user:ann via sms'), 'sms');
  assert.equal(actorKind('user:ann via voice'), 'voice');
  assert.equal(actorKind('user:ann via email'), 'email');
  assert.equal(actorKind('key:ops'), 'api_key');
  assert.equal(actorKind('ann (key:ops)'), 'api_key');
  assert.equal(actorKind('system:klaxon'), 'system');
  assert.equal(actorKind('integration:alertmanager'), 'integration');
  assert.equal(actorKind('anonymous'), 'anonymous');
  assert.equal(actorKind('user:ann via pigeon'), 'other');
});
