/**
 * What a voice page says, as TwiML built with the twilio SDK (which escapes every value): the alert, then
 * "press 1 to acknowledge, 2 to escalate" in a Gather that posts the key to the signed callback, once more
 * if nothing was pressed, then a goodbye. Pure.
 */
import twilio from 'twilio';
import { spokenCode } from '../domain/contact-verification';
import { oneLine } from '../domain/single-line';
import type { HandoffMessage, PageMessage, TestMessage } from './types';

/** Longest summary a call reads out; a page is a prompt to look, not the whole story. */
export const SPOKEN_SUMMARY_MAX = 200;
const SPOKEN_NAME_MAX = 60;
/** Seconds the Gather waits for a key after the prompt. */
export const GATHER_TIMEOUT_S = 10;
export const VOICE_OPTIONS = 'Press 1 to acknowledge, 2 to escalate.';

/** Returns `text` fit to be read aloud: one line, no markup characters, runs of spaces folded, cut at a word. */
export function speakable(text: string, max: number): string {
  const flat = oneLine(text)
    // Not unsafe in TwiML (the SDK escapes), but read out as "less than" or spelled: noise on a call.
    .replace(/[<>{}[\]|\\^`~*_#]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}...`;
}

/** Returns the sentence a call reads for an alert, e.g. "critical: disk full on db-1 in payments". */
export function spokenAlert(m: Pick<PageMessage, 'severity' | 'summary' | 'service'>): string {
  return `${speakable(m.severity, 20)}: ${speakable(m.summary, SPOKEN_SUMMARY_MAX)} in ${speakable(m.service, SPOKEN_NAME_MAX)}`;
}

function opening(m: PageMessage | HandoffMessage | TestMessage): string {
  if (m.kind === 'handoff')
    return `Klaxon: ${speakable(m.userName, SPOKEN_NAME_MAX)}, you are now on call for ${speakable(m.scheduleName, SPOKEN_NAME_MAX)}.`;
  if (m.kind === 'test' && m.verificationCode) {
    const code = spokenCode(m.verificationCode);
    return `Your Klaxon verification code is ${code}. Again: ${code}. Type it in Klaxon to confirm that pages reach this phone.`;
  }
  if (m.kind === 'test')
    return `This is a test page from Klaxon for ${speakable(m.userName, SPOKEN_NAME_MAX)}, requested by ${speakable(m.requestedBy, SPOKEN_NAME_MAX)}. A page would reach you on this phone. Nothing else to do.`;
  const alert = spokenAlert(m);
  if (m.kind === 'sla_at_risk') return `Klaxon: S L A at risk. ${alert}.`;
  if (m.kind === 'sla_breached') return `Klaxon: S L A breached. ${alert}.`;
  return `Klaxon page. ${alert}.`;
}

/** Returns the TwiML of a call placing the message; with `gatherUrl` it offers the keypad options there. */
export function voicePageTwiml(m: PageMessage | HandoffMessage | TestMessage, gatherUrl?: string): string {
  const response = new twilio.twiml.VoiceResponse();
  const text = opening(m);
  // Only a page about an alert has anything to acknowledge.
  if (!gatherUrl || m.kind === 'test' || m.kind === 'handoff') {
    response.say(text);
    response.say(
      m.kind === 'test' || m.kind === 'handoff' ? 'Goodbye.' : 'Acknowledge it in Klaxon. Goodbye.',
    );
    response.hangup();
    return response.toString();
  }
  // The alert is read inside the Gather, so a key pressed while it is read counts; repeated once.
  for (let i = 0; i < 2; i++) {
    const gather = response.gather({
      numDigits: 1,
      action: gatherUrl,
      method: 'POST',
      timeout: GATHER_TIMEOUT_S,
    });
    gather.say(text);
    gather.say(VOICE_OPTIONS);
  }
  response.say('No key was pressed. Klaxon goes on escalating. Goodbye.');
  response.hangup();
  return response.toString();
}

/**
 * Returns the TwiML answering a key press: `text`, then a hang-up; with `gatherUrl` (a key that means
 * nothing) the options are offered again instead.
 */
export function voiceAnswerTwiml(text: string, gatherUrl?: string): string {
  const response = new twilio.twiml.VoiceResponse();
  if (gatherUrl) {
    const gather = response.gather({
      numDigits: 1,
      action: gatherUrl,
      method: 'POST',
      timeout: GATHER_TIMEOUT_S,
    });
    gather.say(text);
    gather.say(VOICE_OPTIONS);
    response.say('No key was pressed. Goodbye.');
  } else {
    response.say(text);
    response.say('Goodbye.');
  }
  response.hangup();
  return response.toString();
}
