/** The small HTML pages behind email reply links, and the TwiML answers to SMS replies. Everything is escaped. */
import type { Response } from 'express';
import twilio from 'twilio';
import type { AlertRow } from '../store/alerts';

/** Returns `s` safe to put in HTML text and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}table{border-collapse:collapse;margin:1rem 0}th{text-align:left;padding:.2rem 1rem .2rem 0;color:#555;font-weight:normal}
td{padding:.2rem 0}button{font-size:1.1rem;padding:.6rem 1.4rem;cursor:pointer}.note{color:#555}`;

/**
 * Sends an HTML page. The token is in the URL, so the page must not leak it (no Referer), be cached,
 * framed (a hidden button under a click) or indexed.
 */
export function sendPage(res: Response, status: number, title: string, bodyHtml: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'X-Robots-Tag': 'noindex, nofollow',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    })
    .send(
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<meta name="robots" content="noindex, nofollow"><title>${escapeHtml(title)} - Klaxon</title><style>${STYLE}</style></head>` +
        `<body><main><h1>${escapeHtml(title)}</h1>\n${bodyHtml}\n</main></body></html>\n`,
    );
}

/** Returns a paragraph of escaped text. */
export function para(text: string, cls?: string): string {
  return `<p${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</p>`;
}

/** Returns the alert's summary table. */
export function alertTable(row: AlertRow): string {
  const rows: [string, string][] = [
    ['Summary', row.summary],
    ['Severity', row.severity],
    ['Service', row.service],
    ['State', row.state],
    ['Triggered', row.triggered_at.toISOString()],
    ['Alert ID', row.id],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

/** Returns the confirmation form: it posts back to the page's own URL, so a prefix added by a proxy is kept. */
/** What the confirmation form posts as `confirm`; the POST acts only with it. */
export const CONFIRM_VALUE = 'yes';

export function confirmForm(label: string): string {
  return `<form method="post"><input type="hidden" name="confirm" value="${CONFIRM_VALUE}"><button type="submit">${escapeHtml(label)}</button></form>`;
}

/** Answers an SMS with one message (TwiML, escaped by the twilio SDK). */
export function sendTwiml(res: Response, message: string, status = 200): void {
  const twiml = new twilio.twiml.MessagingResponse();
  twiml.message(message);
  res.status(status).type('text/xml').send(twiml.toString());
}
