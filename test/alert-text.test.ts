// The alert page's sentences: timeline entries (known actions, unknown ones, state moves), which tier a
// page was for, SLA standings with and without a live view.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pageSource, settledSla, slaStandingText, timelineHeadline } from '../web/alert-text';

describe('alert page text', () => {
  it('says who did what, with the state move when there was one', () => {
    assert.equal(
      timelineHeadline({ action: 'acknowledge', actor: 'rita', from: 'new', to: 'acknowledged' }),
      'rita acknowledged (new → acknowledged)',
    );
    assert.equal(
      timelineHeadline({ action: 'note', actor: 'ann', from: null, to: null }),
      'ann added a note',
    );
    assert.equal(
      timelineHeadline({ action: 'sla_tta_breached', actor: 'system', from: null, to: null }),
      'system marked the acknowledge SLA breached',
    );
    // An action this console does not know yet still reads as words.
    assert.equal(
      timelineHeadline({ action: 'text_replaced', actor: 'system', from: 'new', to: 'new' }),
      'system text replaced',
    );
  });

  it('names the tier a page was for, counted from one', () => {
    assert.equal(pageSource({ kind: 'page', tier: 0, loop: 0 }), 'tier 1, loop 1');
    assert.equal(pageSource({ kind: 'page', tier: 2, loop: null }), 'tier 3');
    assert.equal(pageSource({ kind: 'sla_breached', tier: null, loop: null }), 'SLA breached');
    assert.equal(pageSource({ kind: 'test_page', tier: null, loop: null }), 'test page');
  });

  it('judges a settled SLA by the time taken against the target', () => {
    assert.equal(settledSla(60_000, 300_000), 'met');
    assert.equal(settledSla(300_000, 300_000), 'met');
    assert.equal(settledSla(300_001, 300_000), 'breached');
    assert.equal(settledSla(null, 300_000), 'breached');
    assert.equal(settledSla(60_000, null), null);
    assert.equal(slaStandingText('at_risk'), 'at risk');
    assert.equal(slaStandingText('ok'), 'on track');
  });
});
