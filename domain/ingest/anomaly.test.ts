import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bandSeverity,
  DEFAULT_ANOMALY_BANDS,
  parseAnomalyEvent,
  type SeverityBand,
  validateBands,
} from './anomaly';
import type { IngestEvent } from './types';

const BASE = { metric: 'checkout.latency_p99', score: 0.97, model: 'isoforest-v3' };

function event(body: unknown, bands?: readonly SeverityBand[]): IngestEvent {
  const r = parseAnomalyEvent(body, bands);
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return r.value;
}

function errorsOf(body: unknown, bands?: readonly SeverityBand[]): string[] {
  const r = parseAnomalyEvent(body, bands);
  assert.equal(r.ok, false, 'expected a rejection');
  return r.ok ? [] : r.errors;
}

describe('anomaly severity bands', () => {
  it('has the documented defaults', () => {
    assert.deepEqual(
      DEFAULT_ANOMALY_BANDS.map((b) => [b.min, b.severity]),
      [
        [0.95, 'critical'],
        [0.85, 'high'],
        [0.7, 'medium'],
        [0.5, 'low'],
      ],
    );
    assert.deepEqual(validateBands(DEFAULT_ANOMALY_BANDS), []);
  });

  it('puts each boundary in the higher band and just below it in the next', () => {
    const table: [number, string][] = [
      [1, 'critical'],
      [0.95, 'critical'],
      [0.9499, 'high'],
      [0.85, 'high'],
      [0.8499, 'medium'],
      [0.7, 'medium'],
      [0.6999, 'low'],
      [0.5, 'low'],
      [0.4999, 'info'],
      [0, 'info'],
      [-3, 'info'],
      [42, 'critical'],
    ];
    for (const [score, severity] of table) {
      assert.equal(bandSeverity(score, DEFAULT_ANOMALY_BANDS), severity, String(score));
      assert.equal(event({ ...BASE, score }).severity, severity, `parsed ${score}`);
    }
  });

  it('uses custom bands, which need not lie in [0, 1]', () => {
    const zScores: SeverityBand[] = [
      { min: 6, severity: 'critical' },
      { min: 3, severity: 'medium' },
      { min: -100, severity: 'low' },
    ];
    assert.equal(event({ ...BASE, score: 6 }, zScores).severity, 'critical');
    assert.equal(event({ ...BASE, score: 5.9 }, zScores).severity, 'medium');
    assert.equal(event({ ...BASE, score: -5 }, zScores).severity, 'low');
    assert.equal(event({ ...BASE, score: -101 }, zScores).severity, 'info');
  });

  it('reports every problem with a band list', () => {
    assert.deepEqual(validateBands([]), ['at least one band is required']);
    assert.deepEqual(
      validateBands([
        { min: Number.NaN, severity: 'high' },
        { min: Infinity, severity: 'low' },
        { min: 0.5, severity: 'urgent' as never },
        null as never,
      ]),
      [
        'bands[0].min must be a finite number',
        'bands[1].min must be a finite number',
        'bands[2].severity must be one of critical, high, medium, low, info',
        'bands[3] must be an object',
      ],
    );
    assert.deepEqual(
      validateBands([
        { min: 0.5, severity: 'low' },
        { min: 0.9, severity: 'high' },
        { min: 0.9, severity: 'medium' },
      ]),
      [
        'bands[1].min (0.9) must be lower than bands[0].min (0.5): bands go highest first',
        'bands[2].min duplicates bands[1].min (0.9)',
      ],
    );
  });

  it('refuses to parse with invalid bands', () => {
    assert.deepEqual(errorsOf(BASE, []), ['bands: at least one band is required']);
  });
});

describe('parseAnomalyEvent', () => {
  it('maps a full report to an exact event', () => {
    const e = event({
      ...BASE,
      threshold: 0.8,
      service: 'checkout',
      value: 1840,
      expected: 420.5,
      detected_at: '2026-03-01T10:00:00+02:00',
      dedup_key: 'checkout-latency',
      labels: { region: 'eu-west-1', metric: 'overridden' },
      details: { window: '5m', score: 'overridden' },
    });
    assert.deepEqual(e, {
      action: 'trigger',
      dedupKey: 'checkout-latency',
      summary: 'Anomaly in checkout.latency_p99: score 0.97 (threshold 0.8) by isoforest-v3',
      severity: 'critical',
      source: 'isoforest-v3',
      labels: {
        region: 'eu-west-1',
        metric: 'checkout.latency_p99',
        model: 'isoforest-v3',
        service: 'checkout',
      },
      details: {
        window: '5m',
        score: 0.97,
        model: 'isoforest-v3',
        threshold: 0.8,
        value: 1840,
        expected: 420.5,
      },
      links: [],
      occurredAt: '2026-03-01T08:00:00.000Z',
    });
  });

  it('keys by model and metric by default and leaves optional parts out', () => {
    assert.deepEqual(event({ ...BASE, score: 0.712345678 }), {
      action: 'trigger',
      dedupKey: 'anomaly:isoforest-v3:checkout.latency_p99',
      summary: 'Anomaly in checkout.latency_p99: score 0.7123 by isoforest-v3',
      severity: 'medium',
      source: 'isoforest-v3',
      labels: { metric: 'checkout.latency_p99', model: 'isoforest-v3' },
      details: { score: 0.712345678, model: 'isoforest-v3' },
      links: [],
    });
  });

  it('names every missing or wrongly typed field', () => {
    assert.deepEqual(errorsOf({}), [
      'metric is missing or blank',
      'model is missing or blank',
      'score is missing',
    ]);
    assert.deepEqual(
      errorsOf({
        metric: 5,
        model: ' ',
        score: '0.9',
        threshold: Infinity,
        value: 'high',
        expected: [],
        service: 1,
        detected_at: '2026-03-01',
        dedup_key: '',
        labels: { a: 1 },
        details: 'x',
      }),
      [
        'metric must be a string, not a number',
        'model is missing or blank',
        'score must be a finite number, not a string',
        'threshold must be a finite number, not Infinity',
        'value must be a finite number, not a string',
        'expected must be a finite number, not an array',
        'service must be a string',
        'detected_at must be an ISO 8601 date-time with a time zone',
        'dedup_key must be a non-blank string',
        'labels.a must be a string',
        'details must be an object',
      ],
    );
    assert.deepEqual(errorsOf({ ...BASE, labels: [] }), ['labels must be an object']);
    assert.deepEqual(errorsOf({ ...BASE, dedup_key: 'k'.repeat(256) }), [
      'dedup_key must be at most 255 characters',
    ]);
    assert.deepEqual(errorsOf({ ...BASE, metric: 'm'.repeat(256) }), [
      'metric must be at most 255 characters',
    ]);
    assert.deepEqual(errorsOf(null), ['body must be a JSON object, not null']);
    assert.deepEqual(errorsOf([BASE]), ['body must be a JSON object, not an array']);
  });
});
