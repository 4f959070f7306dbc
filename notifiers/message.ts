import { oneLine } from '../domain/single-line';
import type { HandoffMessage, PageMessage, TestMessage } from './types';
import { LINK_VERB } from '../domain/replies/links';

export interface RenderedMessage {
  subject: string;
  text: string;
  sms: string;
}

/** Two SMS segments: long enough for the essentials, short enough not to be split into many parts. */
export const SMS_MAX_LENGTH = 320;
// Three dots rather than "…": one character outside GSM-7 switches the whole SMS to UCS-2 (70 chars/segment).
const ELLIPSIS = '...';
const DETAIL_VALUE_MAX = 500;
const SUBJECT_SUMMARY_MAX = 200;

const SLA_TARGET = { tta: 'time to acknowledge', ttr: 'time to resolve' } as const;

/** Returns a span in milliseconds as "under 1 min", "12 min", "2 h 5 min" or "3 d 4 h"; negative spans count as 0. */
export function humanDuration(ms: number): string {
  const totalMin = Math.floor(Math.max(0, ms) / 60_000);
  if (totalMin < 1) return 'under 1 min';
  if (totalMin < 60) return `${totalMin} min`;
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  if (h < 48) return m ? `${h} h ${m} min` : `${h} h`;
  const d = Math.floor(h / 24);
  const rest = h % 24;
  return rest ? `${d} d ${rest} h` : `${d} d`;
}

/**
 * Returns the message with every field a sender chose on one line. The text of an email is read line by
 * line: a summary with its own line breaks could otherwise add a line of its choosing, such as a fake
 * "Acknowledge:" link, and a header would break.
 */
function untrustedOnOneLine<M extends PageMessage | HandoffMessage | TestMessage>(m: M): M {
  if (m.kind === 'handoff') return { ...m, scheduleName: oneLine(m.scheduleName), userName: oneLine(m.userName) };
  if (m.kind === 'test') return { ...m, userName: oneLine(m.userName), requestedBy: oneLine(m.requestedBy) };
  const p = m as PageMessage;
  return {
    ...p,
    summary: oneLine(p.summary).trim(),
    service: oneLine(p.service),
    source: oneLine(p.source),
    severity: oneLine(p.severity) as PageMessage['severity'],
  } as M;
}

/** Returns the rendered subject, plain-text body and SMS text of a page; pure, the clock is `now`. */
export function renderMessage(message: PageMessage | HandoffMessage | TestMessage, now: Date = new Date()): RenderedMessage {
  const m = untrustedOnOneLine(message);
  if (m.kind === 'handoff') return renderHandoff(m);
  if (m.kind === 'test') return renderTest(m);
  const sev = m.severity.toUpperCase();
  // Runs of spaces too are folded: an SMS has no characters to waste.
  const summaryLine = m.summary.replace(/\s+/g, ' ');
  const headline = `[${sev}] ${m.service}: ${truncate(summaryLine, SUBJECT_SUMMARY_MAX)}`;
  const triggered = describeTime(m.triggeredAt);
  const since =
    triggered.ms === undefined
      ? triggered.iso
      : `${triggered.iso} (for ${humanDuration(now.getTime() - triggered.ms)})`;
  const escalation = describeEscalation(m);
  const sla = describeSla(m, now);

  const subject = sla ? `[${sla.tag}] ${headline} (${sla.target})` : headline;
  const opening = sla
    ? `${sla.tag}: the ${sla.target} target of this ${sev} alert on ${m.service} ${sla.verb} ${sla.deadline}.`
    : `${sev} alert on ${m.service}, firing since ${since}.`;

  const rows: [string, string | undefined][] = [
    ['Summary', m.summary],
    ['Severity', m.severity],
    ['Service', m.service],
    ['Source', m.source],
    ['Triggered', since],
    ['Escalation', escalation],
    ['SLA target', sla ? `${sla.target}, ${sla.state}, deadline ${sla.deadline}` : undefined],
    ['Alert ID', m.alertId],
  ];
  const lines = [
    opening,
    '',
    ...rows.flatMap(([k, v]) => (v === undefined ? [] : [`${`${k}:`.padEnd(12)}${v}`])),
  ];
  if (m.respondLinks) {
    lines.push(
      '',
      `Acknowledge: ${m.respondLinks.acknowledge}`,
      `Resolve: ${m.respondLinks.resolve}`,
      ...(m.respondLinks.snooze ? [`${LINK_VERB.snooze}: ${m.respondLinks.snooze}`] : []),
      `(Each link asks you to confirm, works once, and expires ${describeTime(m.respondLinks.expiresAt).iso}.)`,
      `API: ${m.ackUrl}`,
    );
  } else {
    lines.push('', `Acknowledge: ${m.ackUrl}`);
  }
  const details = Object.entries(m.details ?? {});
  if (details.length > 0) {
    lines.push(
      '',
      'Details:',
      ...details.map(([k, v]) => `  ${oneLine(k)}: ${truncate(oneLine(detailValue(v)), DETAIL_VALUE_MAX)}`),
    );
  }

  const smsHead = sla
    ? `[${sla.tag}] ${sla.target}, deadline ${sla.deadline}. [${sev}] ${m.service}: `
    : `[${sev}] ${m.service}: `;
  const smsTail = [
    `. Since ${since}`,
    escalation ? `. ${capitalize(escalation)}` : '',
    // A reply code beats a link on a phone: the API link needs a key, a reply needs nothing.
    m.replyCode ? `. Reply ${replyChoices(m.replyCode)}` : `. Ack: ${m.ackUrl}`,
  ].join('');
  const room = SMS_MAX_LENGTH - smsHead.length - smsTail.length;
  // If the fixed parts alone overflow (an absurd ack URL), a hard cut is the only way to stay in budget.
  const sms = truncate(`${smsHead}${truncate(summaryLine, Math.max(room, 0))}${smsTail}`, SMS_MAX_LENGTH);

  return { subject, text: lines.join('\n') + '\n', sms };
}

/** Returns the replies an SMS page offers, e.g. "ACK 4821 / RES 4821 / ESC 4821". */
export function replyChoices(code: string): string {
  return `ACK ${code} / RES ${code} / ESC ${code}`;
}

/** Returns the "you are now on call" notice. */
function renderHandoff(m: HandoffMessage): RenderedMessage {
  const start = describeTime(m.start).iso;
  const until = m.until ? describeTime(m.until).iso : 'further notice (no handoff within a year)';
  const subject = `[ON CALL] You are now on call for ${m.scheduleName} until ${until}`;
  const text = [
    `${m.userName}, you are now on call for ${m.scheduleName}.`,
    '',
    `${'From:'.padEnd(12)}${start}`,
    `${'Until:'.padEnd(12)}${until}`,
    '',
    `Shifts: ${m.scheduleUrl}`,
    '',
  ].join('\n');
  const sms = truncate(`[ON CALL] ${m.scheduleName}: you are on call from ${start} until ${until}.`, SMS_MAX_LENGTH);
  return { subject, text, sms };
}

function renderTest(m: TestMessage): RenderedMessage {
  if (m.verificationCode) return renderVerification(m, m.verificationCode);
  const subject = `[TEST] Klaxon test page for ${m.userName}`;
  const text = [
    `${m.userName}, this is a test page from Klaxon, asked for by ${m.requestedBy}.`,
    '',
    'Nothing is wrong and there is nothing to answer: a real page would reach you here.',
    '',
    `Console: ${m.consoleUrl}`,
    '',
  ].join('\n');
  const sms = truncate(`[TEST] Klaxon test page for ${m.userName}, asked for by ${m.requestedBy}. Nothing to answer.`, SMS_MAX_LENGTH);
  return { subject, text, sms };
}

function renderVerification(m: TestMessage, code: string): RenderedMessage {
  const subject = `Klaxon verification code: ${code}`;
  const text = [
    `${m.userName}, your Klaxon verification code is ${code}.`,
    '',
    `Type it in Klaxon to confirm that pages reach you here. It was asked for by ${m.requestedBy} and works for 15 minutes.`,
    '',
    `Console: ${m.consoleUrl}`,
    '',
  ].join('\n');
  const sms = `Klaxon verification code: ${code}. Type it in Klaxon to confirm pages reach this number (asked for by ${truncate(m.requestedBy, 60)}).`;
  return { subject, text, sms };
}

function describeTime(iso: string): { iso: string; ms?: number } {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return { iso };
  return { iso: new Date(ms).toISOString().replace('.000Z', 'Z'), ms };
}

// Tiers and loops are 0-based in the engine; people count from 1.
function describeEscalation(m: PageMessage): string | undefined {
  const parts = [
    m.tier === undefined ? '' : `tier ${m.tier + 1}`,
    m.loop === undefined ? '' : `loop ${m.loop + 1}`,
  ];
  const joined = parts.filter(Boolean).join(', ');
  return joined || undefined;
}

function describeSla(m: PageMessage, now: Date) {
  if (m.kind === 'page') return undefined;
  const breached = m.kind === 'sla_breached';
  const target = m.slaKind ? SLA_TARGET[m.slaKind] : 'SLA';
  const when = m.deadline ? describeTime(m.deadline) : undefined;
  let deadline = when?.iso ?? 'unknown';
  if (when?.ms !== undefined) {
    const left = when.ms - now.getTime();
    deadline += left >= 0 ? ` (in ${humanDuration(left)})` : ` (${humanDuration(-left)} ago)`;
  }
  return {
    tag: breached ? 'SLA BREACHED' : 'SLA AT RISK',
    target,
    state: breached ? 'breached' : 'at risk',
    verb: breached ? 'was breached at' : 'is at risk, due',
    deadline,
  };
}

function detailValue(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// Cuts on code points so a surrogate pair is never split; the result's UTF-16 length is at most `max`.
function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= ELLIPSIS.length) return ELLIPSIS.slice(0, max);
  let out = '';
  for (const ch of s) {
    if (out.length + ch.length > max - ELLIPSIS.length) break;
    out += ch;
  }
  return out.trimEnd() + ELLIPSIS;
}
