// Flap damping through the API: the first re-triggers of a resolved alert page again as usual; from the
// third within an hour, a re-trigger pages only if the alert is still firing 15 minutes later.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startWorld, waitFor, type World } from './helpers/world';

let w: World;
before(async () => {
  w = await startWorld();
  await w.policy({ tiers: [{ delay_minutes: 0, targets: [{ type: 'webhook', url: `${w.hooks.url}/flap` }] }], is_default: true });
});
after(async () => {
  await w?.close();
});

const alert = { summary: 'disk-3 above 90%', severity: 'medium', service: 'storage', source: 'nagios', dedup_key: 'disk-3' };

it('pages a flapping check once it flaps, then again only if it stays firing through the hold', async () => {
  const first = await w.request('POST', '/alerts', alert);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const id = first.body.id as string;
  const state = async () => (await w.request('GET', `/alerts/${id}`)).body.state as string;
  const flap = async () => {
    assert.equal((await w.request('POST', `/alerts/${id}/resolve`, {})).status, 200);
    await w.env.sleep('4 minutes');
    assert.equal((await w.request('POST', '/alerts', alert)).status, 200);
    await waitFor('reopened', async () => (await state()) === 'new');
  };
  await waitFor('first page', () => w.hits('/flap') === 1);

  await flap();
  await waitFor('the first re-trigger pages', () => w.hits('/flap') === 2);
  await flap();
  await waitFor('the second re-trigger pages', () => w.hits('/flap') === 3);

  // The third within the hour is held; ten minutes on it is still within the hold, and the next flap
  // clears it before the hold ends, so nobody is paged for it.
  await flap();
  await w.env.sleep('10 minutes');
  assert.equal(w.hits('/flap'), 3, 'a flapping re-trigger does not page at once');
  const timeline = (await w.request('GET', `/alerts/${id}`)).body.timeline as { action: string; reason: string }[];
  assert.match(timeline.find((t) => t.action === 'flapping')?.reason ?? '', /re-triggered 3 times within 60 min/);

  // Once more, and this time it stays firing past the hold: a steady problem pages.
  await flap();
  await w.env.sleep('14 minutes');
  assert.equal(w.hits('/flap'), 3);
  await w.env.sleep('2 minutes');
  await waitFor('the held re-trigger pages after 15 minutes of firing', () => w.hits('/flap') === 4);
});
