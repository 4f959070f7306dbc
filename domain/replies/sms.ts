/** Inbound SMS replies to pages: what a reply asks for. Pure. */

export type SmsAction = 'acknowledge' | 'resolve' | 'escalate' | 'snooze';

export type SmsCommand =
  /** `minutes` only for a snooze that names them (else the default). */
  | { kind: 'action'; action: SmsAction; code?: string; minutes?: number }
  | { kind: 'help' }
  /** Anything else: answered with how to reply. */
  | { kind: 'unknown' };

const WORDS: Record<string, SmsAction> = {
  ACK: 'acknowledge',
  ACKNOWLEDGE: 'acknowledge',
  RES: 'resolve',
  RESOLVE: 'resolve',
  ESC: 'escalate',
  ESCALATE: 'escalate',
};
/** The word each action is replied with. */
export const SMS_WORD: Record<SmsAction, string> = { acknowledge: 'ACK', resolve: 'RES', escalate: 'ESC', snooze: 'SNOOZE' };

const ACTION_WORD = '(ACK|ACKNOWLEDGE|RES|RESOLVE|ESC|ESCALATE)';
// "ACK 4821", "ack4821", "ACK #4821", "ack", and the code first: "4821 ACK".
const WORD_FIRST = new RegExp(`^${ACTION_WORD}(?:\\s*#?\\s*(\\d{4}))?$`);
const CODE_FIRST = new RegExp(`^#?(\\d{4})\\s*${ACTION_WORD}$`);
// "SNOOZE 4821 30", "SNZ 4821 30M", "snooze 4821" (the default minutes), "snooze 30" (the one open page):
// a code is always four digits, so a lone number of one to three digits is the minutes.
const SNOOZE = /^(?:SNOOZE|SNZ)(?:\s*#?\s*(\d{4}))?(?:\s+(\d{1,4})\s*(?:M|MIN|MINS|MINUTES)?)?$/;
const SNOOZE_MINUTES_ONLY = /^(?:SNOOZE|SNZ)\s+(\d{1,3})\s*(?:M|MIN|MINS|MINUTES)?$/;

/** Returns what the reply asks for; case, surrounding spaces and trailing punctuation do not matter. */
export function parseSmsReply(body: string): SmsCommand {
  const text = body
    .toUpperCase()
    .replace(/[.!]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === 'HELP' || text === '?' || text === 'INFO') return { kind: 'help' };
  const wordFirst = WORD_FIRST.exec(text);
  if (wordFirst) return { kind: 'action', action: WORDS[wordFirst[1]!]!, ...(wordFirst[2] ? { code: wordFirst[2] } : {}) };
  const minutesOnly = SNOOZE_MINUTES_ONLY.exec(text);
  if (minutesOnly) return { kind: 'action', action: 'snooze', minutes: Number(minutesOnly[1]) };
  const snooze = SNOOZE.exec(text);
  if (snooze)
    return {
      kind: 'action',
      action: 'snooze',
      ...(snooze[1] ? { code: snooze[1] } : {}),
      ...(snooze[2] ? { minutes: Number(snooze[2]) } : {}),
    };
  const codeFirst = CODE_FIRST.exec(text);
  if (codeFirst) return { kind: 'action', action: WORDS[codeFirst[2]!]!, code: codeFirst[1]! };
  return { kind: 'unknown' };
}

/** Returns the phone number as stored for contact methods (E.164: "+" and digits); spaces and dashes dropped. */
export function normalizePhone(raw: string): string {
  const trimmed = raw.trim();
  return (trimmed.startsWith('+') ? '+' : '') + trimmed.replace(/\D/g, '');
}
