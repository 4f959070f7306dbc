import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageMessage } from './types';
import {
  GATHER_TIMEOUT_S,
  SPOKEN_SUMMARY_MAX,
  speakable,
  spokenAlert,
  voiceAnswerTwiml,
  voicePageTwiml,
} from './voice-twiml';

const GATHER = 'http://klaxon.test/integrations/twilio/voice/abc.def';

const page = (over: Partial<PageMessage> = {}): PageMessage => ({
  alertId: '4b0c1c5e-8f1e-4a51-9b1e-0d5d3c6f7a10',
  kind: 'page',
  summary: 'disk full on db-1',
  severity: 'critical',
  service: 'payments',
  source: 'prometheus',
  triggeredAt: '2024-05-01T10:00:00.000Z',
  tier: 0,
  loop: 0,
  ackUrl: 'http://klaxon.test/alerts/4b0c1c5e-8f1e-4a51-9b1e-0d5d3c6f7a10',
  ...over,
});

/** The text of every <Say>, in order. */
const says = (xml: string) => [...xml.matchAll(/<Say>([^<]*)<\/Say>/g)].map((m) => m[1]);

describe('voicePageTwiml', () => {
  it('reads the alert and offers 1 / 2 in a Gather posting to the callback, twice, then says goodbye and hangs up', () => {
    const xml = voicePageTwiml(page(), GATHER);
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?><Response>/);
    const gathers = [...xml.matchAll(/<Gather ([^>]*)>(.*?)<\/Gather>/g)];
    assert.equal(gathers.length, 2, xml);
    for (const [, attrs, inner] of gathers) {
      assert.match(attrs!, new RegExp(`action="${GATHER.replace(/\./g, '\\.')}"`));
      assert.match(attrs!, /numDigits="1"/);
      assert.match(attrs!, new RegExp(`timeout="${GATHER_TIMEOUT_S}"`));
      assert.match(attrs!, /method="POST"/);
      assert.deepEqual(says(inner!), [
        'Klaxon page. critical: disk full on db-1 in payments.',
        'Press 1 to acknowledge, 2 to escalate.',
      ]);
    }
    assert.match(
      xml,
      /<\/Gather><Say>No key was pressed\. Klaxon goes on escalating\. Goodbye\.<\/Say><Hangup\/><\/Response>$/,
    );
  });

  it('escapes what the alert says and keeps it on one line, without markup characters', () => {
    const xml = voicePageTwiml(
      page({ summary: 'a <Hangup/> & "quoted"\n<Dial>+1555</Dial>', service: 'pay&ments' }),
      GATHER,
    );
    assert.doesNotMatch(xml, /<Dial>/);
    assert.equal((xml.match(/<Hangup\/>/g) ?? []).length, 1, 'only the hang-up Klaxon put there');
    assert.ok(xml.includes('critical: a Hangup/ &amp; "quoted" Dial +1555 /Dial in pay&amp;ments.'), xml);
  });

  it('cuts a long summary at a word and marks the cut', () => {
    const said = spokenAlert(page({ summary: 'word '.repeat(100) }));
    const summary = said.slice('critical: '.length, said.lastIndexOf(' in payments'));
    assert.ok(summary.length <= SPOKEN_SUMMARY_MAX + 3, String(summary.length));
    assert.match(summary, /^(word )+word\.\.\.$/);
    assert.equal(speakable('  a\tb\u2028c  ', 10), 'a b c');
  });

  it('names SLA marks, and without a callback offers no keys', () => {
    assert.ok(
      voicePageTwiml(page({ kind: 'sla_breached' }), GATHER).includes(
        '<Say>Klaxon: S L A breached. critical: disk full on db-1 in payments.</Say>',
      ),
    );
    const plain = voicePageTwiml(page());
    assert.doesNotMatch(plain, /<Gather/);
    assert.deepEqual(says(plain), [
      'Klaxon page. critical: disk full on db-1 in payments.',
      'Acknowledge it in Klaxon. Goodbye.',
    ]);
  });

  it('reads a test page and a handoff notice without keys', () => {
    const test = voicePageTwiml(
      { kind: 'test', userName: 'Ada', requestedBy: 'key:ops', consoleUrl: 'http://klaxon.test/console' },
      GATHER,
    );
    assert.doesNotMatch(test, /<Gather/);
    assert.match(says(test)[0]!, /^This is a test page from Klaxon for Ada, requested by key:ops\./);
    const handoff = voicePageTwiml({
      kind: 'handoff',
      scheduleId: 's',
      scheduleName: 'Primary',
      userName: 'Ada',
      start: '',
      until: null,
      scheduleUrl: '',
    });
    assert.equal(says(handoff)[0], 'Klaxon: Ada, you are now on call for Primary.');
  });
});

describe('voicePageTwiml: verification code', () => {
  it('reads the code digit by digit, twice, without keys', () => {
    const xml = voicePageTwiml(
      { kind: 'test', userName: 'Ada', requestedBy: 'key:ops', consoleUrl: '', verificationCode: '042917' },
      GATHER,
    );
    assert.doesNotMatch(xml, /<Gather/);
    assert.equal(
      says(xml)[0],
      'Your Klaxon verification code is 0, 4, 2, 9, 1, 7. Again: 0, 4, 2, 9, 1, 7. Type it in Klaxon to confirm that pages reach this phone.',
    );
  });
});

describe('voiceAnswerTwiml', () => {
  it('says what happened and hangs up', () => {
    assert.equal(
      voiceAnswerTwiml('Acknowledged: critical: x in y.'),
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Acknowledged: critical: x in y.</Say><Say>Goodbye.</Say><Hangup/></Response>',
    );
  });

  it('with the callback, offers the options again', () => {
    const xml = voiceAnswerTwiml('Key 7 does nothing here.', GATHER);
    assert.match(
      xml,
      /^<\?xml[^>]*><Response><Gather [^>]*action="[^"]+"[^>]*><Say>Key 7 does nothing here\.<\/Say><Say>Press 1 to acknowledge, 2 to escalate\.<\/Say><\/Gather>/,
    );
  });
});
