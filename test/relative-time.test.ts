// The alert page's relative times and durations: units, rounding towards now, both directions, "now".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationText, relativeTime } from '../web/relative-time';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('relative time', () => {
  it('says "now" within a second either way', () => {
    assert.equal(relativeTime(NOW, NOW, 'en'), 'now');
    assert.equal(relativeTime(NOW + 999, NOW, 'en'), 'now');
    assert.equal(relativeTime(NOW - 999, NOW, 'en'), 'now');
  });

  it('takes the largest unit the distance fills, future and past', () => {
    assert.equal(relativeTime(NOW + SECOND, NOW, 'en'), 'in 1 second');
    assert.equal(relativeTime(NOW - 45 * SECOND, NOW, 'en'), '45 seconds ago');
    assert.equal(relativeTime(NOW + MINUTE, NOW, 'en'), 'in 1 minute');
    assert.equal(relativeTime(NOW + 5 * MINUTE, NOW, 'en'), 'in 5 minutes');
    assert.equal(relativeTime(NOW - 3 * HOUR, NOW, 'en'), '3 hours ago');
    assert.equal(relativeTime(NOW - DAY, NOW, 'en'), 'yesterday');
    assert.equal(relativeTime(NOW + 2 * DAY, NOW, 'en'), 'in 2 days');
    assert.equal(relativeTime(NOW - 40 * DAY, NOW, 'en'), '40 days ago');
  });

  it('counts whole units towards now, so a deadline is never shown later than it is', () => {
    assert.equal(relativeTime(NOW + 5 * MINUTE - 1, NOW, 'en'), 'in 4 minutes');
    assert.equal(relativeTime(NOW + MINUTE - 1, NOW, 'en'), 'in 59 seconds');
    assert.equal(relativeTime(NOW - 2 * HOUR + 1, NOW, 'en'), '1 hour ago');
    assert.equal(relativeTime(NOW + DAY - 1, NOW, 'en'), 'in 23 hours');
  });

  it('follows the locale', () => {
    assert.equal(relativeTime(NOW + 5 * MINUTE, NOW, 'de'), 'in 5 Minuten');
    assert.equal(relativeTime(NOW - 3 * HOUR, NOW, 'fr'), 'il y a 3 heures');
  });
});

describe('durations', () => {
  it('shows the two largest units, dropping a zero second one', () => {
    assert.equal(durationText(15 * MINUTE), '15 min');
    assert.equal(durationText(HOUR + 30 * MINUTE), '1 h 30 min');
    assert.equal(durationText(4 * HOUR), '4 h');
    assert.equal(durationText(7 * DAY), '7 d');
    assert.equal(durationText(DAY + HOUR + MINUTE), '1 d 1 h');
    assert.equal(durationText(90 * SECOND), '1 min 30 s');
  });

  it('rounds down and never goes below zero', () => {
    assert.equal(durationText(59_999), '59 s');
    assert.equal(durationText(999), '0 s');
    assert.equal(durationText(0), '0 s');
    assert.equal(durationText(-5 * MINUTE), '0 s');
  });
});
