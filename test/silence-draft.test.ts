// The Silences page's form and list as data: the POST /silences body a draft stands for (presets from
// the start or now, times read in the viewer's zone, text the form cannot read passed on for the API
// to judge), the ?service= a "Silence similar" link pre-fills, matchers and recurrences in words, which
// silences are current and which ended lately, and an API error's field in the form's words.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  actorText,
  controlIdFor,
  draftFromQuery,
  fieldLabel,
  matcherText,
  recurrenceText,
  silenceBody,
  silenceSimilarPath,
  splitSilences,
  type Silence,
} from '../web/silence-draft';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const ZONE = 'Europe/Berlin';

describe('the silence form’s body', () => {
  it('starts now and lasts a preset from now, with one matcher per row, labels only where they belong', () => {
    const draft = {
      ...draftFromQuery('?service=%20payments%20', ZONE),
      comment: 'deploy',
    };
    draft.matchers.push({ field: 'label', label: ' env ', op: '=~', value: 'prod|staging' });
    draft.matchers.push({ field: 'severity', label: 'stale', op: '!=', value: 'info' });
    assert.deepEqual(silenceBody(draft, NOW, ZONE), {
      matchers: [
        { field: 'service', op: '=', value: 'payments' },
        { field: 'label', label: 'env', op: '=~', value: 'prod|staging' },
        { field: 'severity', op: '!=', value: 'info' },
      ],
      ends_at: '2026-03-02T13:00:00.000Z',
      reason: 'deploy',
    });
  });

  it('reads the start and end in the viewer’s zone; a preset counts from the start', () => {
    const draft = { ...draftFromQuery('', ZONE), start: '2026-03-03T09:00', lasts: '4h' as const };
    const body = silenceBody(draft, NOW, ZONE);
    assert.equal(body.starts_at, '2026-03-03T08:00:00.000Z');
    assert.equal(body.ends_at, '2026-03-03T12:00:00.000Z');
    const until = silenceBody({ ...draft, lasts: 'until', end: '2026-03-03T08:00' }, NOW, ZONE);
    assert.equal(until.ends_at, '2026-03-03T07:00:00.000Z', 'an end before the start goes to the API as is');
  });

  it('passes an end it cannot read on as text, for the API to refuse by name', () => {
    const body = silenceBody({ ...draftFromQuery('', ZONE), lasts: 'until', end: '' }, NOW, ZONE);
    assert.equal(body.ends_at, '');
    assert.equal(body.starts_at, undefined);
  });

  it('adds the recurrence when it repeats: days in order, the minutes as a number, End as the last bound', () => {
    const draft = {
      ...draftFromQuery('?service=db', ZONE),
      start: '2026-03-03T00:00',
      lasts: '1h' as const,
      end: '2026-05-31T00:00',
      repeats: true,
      repeat: { weekdays: [7, 6], at: '02:00', minutes: ' 120 ', timeZone: 'America/New_York' },
      comment: 'weekend maintenance',
    };
    assert.deepEqual(silenceBody(draft, NOW, ZONE), {
      matchers: [{ field: 'service', op: '=', value: 'db' }],
      starts_at: '2026-03-02T23:00:00.000Z',
      ends_at: '2026-05-30T22:00:00.000Z',
      recurrence: { weekdays: [6, 7], start: '02:00', duration_minutes: 120, time_zone: 'America/New_York' },
      reason: 'weekend maintenance',
    });
    const unread = silenceBody({ ...draft, repeat: { ...draft.repeat, minutes: 'two hours' } }, NOW, ZONE);
    assert.ok(Number.isNaN(unread.recurrence?.duration_minutes), 'left for the API to refuse');
    assert.equal(JSON.parse(JSON.stringify(unread)).recurrence.duration_minutes, null);
  });

  it('opens one-off in the viewer’s zone and, turned off again, sends no recurrence', () => {
    const draft = draftFromQuery('', ZONE);
    assert.equal(draft.repeats, false);
    assert.equal(draft.repeat.timeZone, ZONE);
    const typed = { ...draft, repeat: { weekdays: [1], at: '02:00', minutes: '60', timeZone: 'UTC' } };
    assert.deepEqual(silenceBody(typed, NOW, ZONE), silenceBody(draft, NOW, ZONE));
    assert.equal('recurrence' in silenceBody(typed, NOW, ZONE), false);
  });

  it('pre-fills the service from the address a “Silence similar” link makes', () => {
    const path = silenceSimilarPath('checkout & co');
    assert.equal(path, 'silences?service=checkout+%26+co');
    assert.equal(draftFromQuery(path.slice(path.indexOf('?')), ZONE).matchers[0]?.value, 'checkout & co');
    assert.equal(draftFromQuery('', ZONE).matchers[0]?.value, '');
  });
});

describe('silences in words', () => {
  it('writes matchers as they are typed, an empty value as ""', () => {
    assert.equal(matcherText({ field: 'service', op: '=', value: 'payments' }), 'service = payments');
    assert.equal(matcherText({ field: 'label', label: 'env', op: '!~', value: 'dev.*' }), 'env !~ dev.*');
    assert.equal(matcherText({ field: 'label', label: 'host', op: '=', value: '' }), 'host = ""');
  });

  it('says a recurrence’s days in order, its start, its length and its zone', () => {
    assert.equal(
      recurrenceText({
        weekdays: [7, 6],
        start: '02:00',
        duration_minutes: 150,
        time_zone: 'America/New_York',
      }),
      'every Sat, Sun at 02:00 for 2 h 30 min (America/New_York)',
    );
    assert.equal(
      recurrenceText({
        weekdays: [1, 2, 3, 4, 5, 6, 7],
        start: '23:00',
        duration_minutes: 60,
        time_zone: ZONE,
      }),
      'every day at 23:00 for 1 h (Europe/Berlin)',
    );
  });

  it('names people without the user: prefix and keys as they are', () => {
    assert.equal(actorText('user:rita'), 'rita');
    assert.equal(actorText('key:deploy-bot'), 'key:deploy-bot');
  });
});

describe('current and recently ended silences', () => {
  const silence = (id: string, state: Silence['state'], starts: number, ends: number, deleted?: number) =>
    ({
      id,
      matchers: [{ field: 'service', op: '=', value: id }],
      starts_at: new Date(NOW + starts * 3_600_000).toISOString(),
      ends_at: new Date(NOW + ends * 3_600_000).toISOString(),
      recurrence: null,
      reason: 'why',
      state,
      created_by: 'user:rita',
      created_at: new Date(NOW).toISOString(),
      deleted_by: deleted === undefined ? null : 'user:rita',
      deleted_at: deleted === undefined ? null : new Date(NOW + deleted * 3_600_000).toISOString(),
    }) satisfies Silence;

  it('lists the active first, then the upcoming by start; the ended of the last week latest first', () => {
    const { current, ended } = splitSilences(
      [
        silence('later', 'pending', 5, 6),
        silence('soon', 'pending', 1, 2),
        silence('now', 'active', -1, 1),
        silence('ended', 'expired', -3, -2),
        silence('expired-early', 'deleted', -3, 5, -1),
        silence('long-ago', 'expired', -24 * 9, -24 * 8),
      ],
      NOW,
    );
    assert.deepEqual(
      current.map((s) => s.id),
      ['now', 'soon', 'later'],
    );
    assert.deepEqual(
      ended.map((s) => s.id),
      ['expired-early', 'ended'],
    );
  });
});

describe('API errors in the form’s words', () => {
  it('names matcher rows from 1 and the window’s fields, and the control to mark', () => {
    assert.equal(fieldLabel('body.matchers'), 'Matchers');
    assert.equal(fieldLabel('body.matchers.1.value'), 'Matcher 2, value');
    assert.equal(fieldLabel('body.matchers.0.op'), 'Matcher 1, operator');
    assert.equal(fieldLabel('body.ends_at'), 'End');
    assert.equal(fieldLabel('body.reason'), 'Comment');
    assert.equal(fieldLabel('body.surprise'), null);
    assert.equal(controlIdFor('body.matchers', '1h'), 'silence-add-matcher');
    assert.equal(controlIdFor('body.matchers.2.label', '1h'), 'silence-matcher-2-label');
    assert.equal(controlIdFor('body.ends_at', 'until'), 'silence-end');
    assert.equal(controlIdFor('body.ends_at', '1d'), 'silence-start', 'a preset has no End field to mark');
    assert.equal(controlIdFor('body.ends_at', '1d', true), 'silence-end', 'a repeating silence has End');
  });

  it('names the Repeats section’s fields and their controls', () => {
    assert.equal(fieldLabel('body.recurrence.weekdays'), 'Repeats, days');
    assert.equal(fieldLabel('body.recurrence.weekdays.0'), 'Repeats, days');
    assert.equal(fieldLabel('body.recurrence.start'), 'Repeats, start time');
    assert.equal(fieldLabel('body.recurrence.duration_minutes'), 'Repeats, each lasts');
    assert.equal(fieldLabel('body.recurrence.time_zone'), 'Repeats, time zone');
    assert.equal(fieldLabel('body.recurrence'), 'Repeats');
    assert.equal(controlIdFor('body.recurrence.weekdays', '1h', true), 'silence-weekday-1');
    assert.equal(controlIdFor('body.recurrence.start', '1h', true), 'silence-repeat-at');
    assert.equal(controlIdFor('body.recurrence.duration_minutes', '1h', true), 'silence-repeat-minutes');
    assert.equal(controlIdFor('body.recurrence.time_zone', '1h', true), 'silence-repeat-zone');
    assert.equal(controlIdFor('body.recurrence', '1h', true), 'silence-end', 'no occurrence before the End');
  });
});
