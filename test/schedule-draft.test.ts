// The schedule editor's draft: participants reordered, added and removed; the request body it stands for
// (stored layer ids kept, text passed on for the API to judge); the layer start and restriction ends
// between the form's inputs and the API's values; an API error's field in the form's words.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  controlIdFor,
  draftFromSchedule,
  draftToBody,
  emptyDraft,
  errorField,
  fieldLabel,
  focusAfterMove,
  layerStartFromInput,
  lengthFromInput,
  moveItem,
  removeItem,
  restrictionEndFromInput,
  restrictionEndToInput,
  updateLayer,
} from '../web/schedule-draft';

const ANN = '11111111-1111-4111-8111-111111111111';
const BEN = '22222222-2222-4222-8222-222222222222';
const CY = '33333333-3333-4333-8333-333333333333';

const stored = {
  id: '44444444-4444-4444-8444-444444444444',
  name: 'Primary',
  time_zone: 'Europe/Berlin',
  handoff_notifications: true,
  created_at: '2026-03-01T00:00:00.000Z',
  updated_at: '2026-03-01T00:00:00.000Z',
  layers: [
    {
      id: 'layer-a',
      name: 'weekdays',
      rotation: { type: 'daily' as const, length: 2 },
      start: '2026-03-02T09:00',
      participants: [ANN, BEN],
      restrictions: [{ weekday: 5, start: '18:00', end: '24:00' }],
    },
  ],
};

describe('the schedule editor’s draft', () => {
  it('moves a participant up and down, not past either end, and removes one', () => {
    assert.deepEqual(moveItem([ANN, BEN, CY], 1, -1), [BEN, ANN, CY]);
    assert.deepEqual(moveItem([ANN, BEN, CY], 0, 1), [BEN, ANN, CY]);
    assert.deepEqual(moveItem([ANN, BEN, CY], 2, -2), [CY, ANN, BEN]);
    assert.deepEqual(moveItem([ANN, BEN, CY], 0, -1), [ANN, BEN, CY]);
    assert.deepEqual(moveItem([ANN, BEN, CY], 2, 1), [ANN, BEN, CY]);
    assert.deepEqual(moveItem([ANN, BEN], 5, -1), [ANN, BEN]);
    assert.deepEqual(moveItem([], 0, 1), []);
    assert.deepEqual(removeItem([ANN, BEN, CY], 1), [ANN, CY]);
    assert.deepEqual(removeItem([ANN], 0), []);
    const list = [ANN, BEN];
    moveItem(list, 0, 1);
    assert.deepEqual(list, [ANN, BEN], 'the draft’s own list is not changed in place');
  });

  it('keeps the focus on the moved participant, on the button that still works at either end', () => {
    assert.deepEqual(focusAfterMove(2, -1, 3), { index: 1, button: 'up' });
    assert.deepEqual(focusAfterMove(1, -1, 3), { index: 0, button: 'down' });
    assert.deepEqual(focusAfterMove(0, 1, 3), { index: 1, button: 'down' });
    assert.deepEqual(focusAfterMove(1, 1, 3), { index: 2, button: 'up' });
  });

  it('round-trips a stored schedule to the same request body, keeping the layer’s id', () => {
    const body = draftToBody(draftFromSchedule(stored));
    assert.deepEqual(body, {
      name: 'Primary',
      time_zone: 'Europe/Berlin',
      handoff_notifications: true,
      layers: [
        {
          id: 'layer-a',
          name: 'weekdays',
          rotation: { type: 'daily', length: 2 },
          start: '2026-03-02T09:00',
          participants: [ANN, BEN],
          restrictions: [{ weekday: 5, start: '18:00', end: '24:00' }],
        },
      ],
    });
  });

  it('swaps participants in one layer only, and a new layer has no id for the API to generate one', () => {
    const draft = draftFromSchedule(stored);
    const first = draft.layers[0]!;
    const swapped = updateLayer(draft, first.key, (l) => ({
      ...l,
      participants: moveItem(l.participants, 1, -1),
    }));
    assert.deepEqual(draftToBody(swapped).layers[0]!.participants, [BEN, ANN]);
    assert.deepEqual(draft.layers[0]!.participants, [ANN, BEN], 'the earlier draft is unchanged');
    const fresh = emptyDraft(Date.parse('2026-03-02T23:30:00Z'), 'Asia/Tokyo');
    const layer = draftToBody(fresh).layers[0]!;
    assert.equal('id' in layer, false);
    // 23:30Z is already the 3rd in Tokyo: the first shift starts there today at 09:00.
    assert.equal(layer.start, '2026-03-03T09:00');
    assert.equal(fresh.timeZone, 'Asia/Tokyo');
  });

  it('passes text on as typed (trimmed) so that the API names what is wrong', () => {
    const draft = draftFromSchedule(stored);
    const key = draft.layers[0]!.key;
    const body = draftToBody({
      ...updateLayer(draft, key, (l) => ({ ...l, length: '', participants: [] })),
      name: '  Secondary ',
      timeZone: ' Mars/Olympus ',
    });
    assert.equal(body.name, 'Secondary');
    assert.equal(body.time_zone, 'Mars/Olympus');
    assert.ok(Number.isNaN(body.layers[0]!.rotation.length));
    assert.equal(JSON.stringify(body.layers[0]!.rotation), '{"type":"daily","length":null}');
    assert.deepEqual(body.layers[0]!.participants, []);
    assert.equal(lengthFromInput(' 3 '), 3);
    assert.ok(Number.isNaN(lengthFromInput('three')));
  });

  it('reads a layer start from a datetime-local value with or without seconds, and a midnight end as 24:00', () => {
    assert.equal(layerStartFromInput('2026-03-02T09:00'), '2026-03-02T09:00');
    assert.equal(layerStartFromInput('2026-03-02T09:00:00'), '2026-03-02T09:00');
    assert.equal(layerStartFromInput('2026-03-02T09:00:00.000'), '2026-03-02T09:00');
    assert.equal(layerStartFromInput(''), '');
    assert.equal(layerStartFromInput('tomorrow'), 'tomorrow');
    assert.equal(restrictionEndToInput('24:00'), '00:00');
    assert.equal(restrictionEndToInput('17:30'), '17:30');
    assert.equal(restrictionEndFromInput('00:00'), '24:00');
    assert.equal(restrictionEndFromInput('17:30'), '17:30');
  });

  it('says an API error’s field in the form’s words and finds the control it was typed in', () => {
    assert.deepEqual(errorField('body.layers.0.participants: Too small: expected array to have >=1 items'), {
      field: 'body.layers.0.participants',
      text: 'Too small: expected array to have >=1 items',
    });
    assert.equal(errorField('schedule 123 not found'), null);
    assert.equal(fieldLabel('body.layers.0.participants'), 'Layer 1 participants');
    assert.equal(fieldLabel('body.layers.1.participants.0'), 'Layer 2 participant 1');
    assert.equal(fieldLabel('body.time_zone'), 'Time zone');
    assert.equal(fieldLabel('body.layers.0.rotation.length'), 'Layer 1 rotation length');
    assert.equal(fieldLabel('body.layers.2.restrictions.0.end'), 'Layer 3 time window 1 end');
    assert.equal(fieldLabel('query.to'), null);
    assert.equal(controlIdFor('body.layers.0.rotation.length'), 'schedule-layers-0-rotation-length');
    assert.equal(controlIdFor('body.time_zone'), 'schedule-time_zone');
  });
});
