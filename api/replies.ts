/**
 * Answering a page from where it reached you, without an API key: Twilio's inbound SMS webhook (trusted
 * by Twilio's signature over PUBLIC_URL) and the one-click links of email pages (trusted by their own
 * signature). Both act through the alert workflow's Updates, like the API, as the paged user; a refused
 * action changes nothing and says why. Mounted before the JSON body parser and API-key auth. A bad
 * signature is a failed authentication of the client's address (auth-throttle.ts): past the limit the
 * answer is 429 with Retry-After, in the route's own format.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { WorkflowClient } from '@temporalio/client';
import type pg from 'pg';
import twilio from 'twilio';
import { decideTransition } from '../domain/lifecycle';
import { LINK_DONE, LINK_VERB, verifyLink, type LinkClaims } from '../domain/replies/links';
import { snoozeRefusal } from '../domain/snooze';
import { SMS_WORD, normalizePhone, parseSmsReply, type SmsAction } from '../domain/replies/sms';
import { publicUrlOf, type Config } from '../runtime/config';
import type { Logger } from '../runtime/logger';
import { getAlert, type AlertRow } from '../store/alerts';
import { findReplyCode, findSmsReply, linkUsedAt, openReplyCodes, recordLinkUse, recordSmsReply, wasPaged, type ReplyCodeRow, type SmsReply } from '../store/replies';
import { replyLinkKey } from '../store/secrets';
import { getUser } from '../store/users';
import type { ActionOutcome } from './alert-actions';
import type { AuthThrottle } from './auth-throttle';
import { answerPage } from './group-actions';
import { UnstorableInputError } from './input-guard';
import { alertTable, CONFIRM_VALUE, confirmForm, para, sendPage, sendTwiml } from './reply-pages';
import { mount } from './route';
import { replyRoutes, TWILIO_SMS_PATH } from './schemas/replies';
import { voiceRepliesRouter } from './voice-replies';

export { TWILIO_SMS_PATH };

export interface RepliesDeps {
  pool: pg.Pool;
  workflows: WorkflowClient;
  log: Logger;
  throttle: AuthThrottle;
  /** The base URL Twilio's webhook is configured with (its signature covers the full URL). */
  publicUrl?: string;
  /** Checks X-Twilio-Signature; unset, inbound SMS is refused. */
  twilioAuthToken?: string;
  /** LINK_SIGNING_SECRET; unset, the install's own secret in Postgres (the workers sign with the same). */
  linkSigningSecret?: string;
  /** Test seam: the clock links expire by (tests pass the time-skipping server's). */
  now?: () => number | Promise<number>;
}

/** Returns the router's settings from the validated config (what createApp's `replies` takes). */
export function repliesFromConfig(config: Config): Omit<RepliesDeps, 'pool' | 'workflows' | 'log' | 'throttle'> {
  return { publicUrl: publicUrlOf(config), twilioAuthToken: config.TWILIO_AUTH_TOKEN, linkSigningSecret: config.LINK_SIGNING_SECRET };
}

const VERB: Record<SmsAction, string> = { acknowledge: 'acknowledge', resolve: 'resolve', escalate: 'escalate', snooze: 'snooze' };
const DONE: Record<SmsAction, string> = { acknowledge: 'acknowledged', resolve: 'resolved', escalate: 'escalated', snooze: 'snoozed' };

/**
 * Returns the actor recorded in the audit trail for the paged user answering through `channel`, or
 * undefined if the user has been deleted since: their pages no longer speak for anyone.
 */
async function actorFor(pool: pg.Pool, userId: string, channel: 'sms' | 'email'): Promise<string | undefined> {
  const user = await getUser(pool, userId);
  return user && `user:${user.name} via ${channel}`;
}

function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 3).trimEnd()}...`;
}

/** "checkout: Checkout error rate 12%" – short enough for an SMS. */
function label(a: Pick<ReplyCodeRow, 'service' | 'summary'>): string {
  return `${a.service}: ${oneLine(a.summary, 60)}`;
}

/** The open pages of a number, as a reply lists them: "4821 checkout: ...; 1234 search: ...". */
function listOpen(open: ReplyCodeRow[]): string {
  const shown = open.slice(0, 3).map((r) => `${r.code} ${label(r)}`);
  return shown.join('; ') + (open.length > 3 ? `; and ${open.length - 3} more` : '');
}

/** The answer to one inbound SMS, and what it did (stored with its MessageSid). */
type SmsAnswer = Omit<SmsReply, 'messageSid' | 'from' | 'body'>;

const NOT_PAGED =
  'Klaxon: this number has no pages to answer. Reply from the phone a page was sent to, with the code it carries, e.g. ACK 4821.';

async function answerSms(deps: RepliesDeps, sid: string, from: string, body: string): Promise<SmsAnswer> {
  const { pool } = deps;
  const address = normalizePhone(from);
  const command = parseSmsReply(body);
  const open = await openReplyCodes(pool, address);
  const openPart = open.length ? ` Open: ${listOpen(open)}.` : ' No alert paged to this number is open now.';

  if (command.kind !== 'action') {
    if (open.length === 0 && !(await wasPaged(pool, address))) return { outcome: 'not_paged', reply: NOT_PAGED };
    const example = open[0]?.code ?? '4821';
    return {
      outcome: 'help',
      reply: `Klaxon: reply ACK ${example} to acknowledge, RES ${example} to resolve, ESC ${example} to escalate now, SNOOZE ${example} 30 to be paged again in 30 min (with the code of the page).${openPart}`,
    };
  }

  const { action } = command;
  // With a code: the newest page to this number with it. Without: the one open page, if there is exactly one.
  const target = command.code ? await findReplyCode(pool, address, command.code) : open.length === 1 ? open[0] : undefined;
  if (!target) {
    if (open.length === 0 && !(await wasPaged(pool, address))) return { outcome: 'not_paged', action, reply: NOT_PAGED };
    if (command.code) return { outcome: 'unknown_code', action, reply: `Klaxon: no page to this number has code ${command.code}; nothing changed.${openPart}` };
    if (open.length === 0) return { outcome: 'no_open_alert', action, reply: `Klaxon: no alert paged to this number is open, so there is nothing to ${VERB[action]}.` };
    return {
      outcome: 'ambiguous',
      action,
      reply: `Klaxon: ${open.length} alerts paged to this number are open; reply with the code, e.g. ${SMS_WORD[action]} ${open[0]!.code}; nothing changed.${openPart}`,
    };
  }

  const row = await getAlert(pool, target.alert_id);
  if (!row) return { outcome: 'unknown_code', action, reply: `Klaxon: the alert of code ${target.code} no longer exists; nothing changed.` };
  const what = `${label(target)} (${target.code})`;
  const done = { alertId: row.id, userId: target.user_id, action };
  const actor = await actorFor(pool, target.user_id, 'sms');
  if (!actor) return { ...done, outcome: 'user_deleted', reply: `Klaxon: the user paged for ${what} no longer exists; nothing changed.` };
  const outcome = await answerPage(
    deps,
    row,
    action,
    { actor, reason: `SMS reply "${oneLine(body, 80)}"`, ...(command.minutes !== undefined ? { minutes: command.minutes } : {}) },
    // The MessageSid names the Update: a repeat that slips past the answered-messages table is still one Update.
    { updateId: `sms:${sid}` },
  );
  if (outcome.pending) {
    const reply = outcome.pending.queued
      ? `Klaxon: your ${SMS_WORD[action]} for ${what} is queued: Klaxon's workers are slow to answer right now, and it applies as soon as one does.`
      : `Klaxon: could not ${VERB[action]} ${what} just now (Klaxon's workers did not answer in time). Reply again in a minute.`;
    return { ...done, outcome: outcome.pending.queued ? 'queued' : 'unavailable', reply };
  }
  if (!outcome.ok) {
    const { refusal } = outcome;
    const why = refusal.code === 'transition_refused' && typeof refusal.details.from === 'string' ? `it is ${refusal.details.from}` : refusal.message;
    return { ...done, outcome: 'refused', reply: `Klaxon: could not ${VERB[action]} ${what}: ${why}. Nothing changed.` };
  }
  const next =
    outcome.action === 'escalate'
      ? ` to tier ${outcome.tier + 1} now.`
      : outcome.action === 'snooze'
        ? ` until ${outcome.until.slice(11, 16)} UTC; it pages again then unless resolved. Reply RES ${target.code} once it is fixed.`
        : outcome.action === 'acknowledge'
        ? `. Reply RES ${target.code} once it is fixed.`
        : '.';
  return { ...done, outcome: 'done', reply: `Klaxon: ${DONE[action]} ${what}${next}` };
}

/** Returns the router for SMS replies, voice-page keys and email links (mounted before the JSON parser and API-key auth). */
export function repliesRouter(deps: RepliesDeps): Router {
  const { pool, log } = deps;
  const router = Router();
  const smsUrl = deps.publicUrl ? `${deps.publicUrl.replace(/\/$/, '')}${TWILIO_SMS_PATH}` : undefined;
  const linkKey = replyLinkKey(pool, deps.linkSigningSecret);
  const now = deps.now ?? Date.now;

  // --- SMS replies: Twilio's inbound message webhook ------------------------------------------------
  mount(router, replyRoutes.sms, express.urlencoded({ extended: false, limit: '64kb' }), async (req, res) => {
    const params = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, string | string[]>;
    if (!deps.twilioAuthToken || !smsUrl) {
      log.warn('inbound SMS refused: TWILIO_AUTH_TOKEN is not set, so its signature cannot be checked');
      res.status(403).type('text/plain').send('SMS replies are not configured: set TWILIO_AUTH_TOKEN\n');
      return;
    }
    const signature = req.get('x-twilio-signature');
    if (!signature || !twilio.validateRequest(deps.twilioAuthToken, signature, smsUrl, params)) {
      const retryAfter = await deps.throttle.failed(req);
      if (retryAfter !== undefined) {
        res.status(429).set('Retry-After', String(retryAfter)).type('text/plain').send(`too many invalid signatures from this address; retry after ${retryAfter} seconds\n`);
        return;
      }
      res.status(403).type('text/plain').send(`invalid or missing X-Twilio-Signature (it must be computed over ${smsUrl})\n`);
      return;
    }
    const field = (name: string) => {
      const v = params[name];
      return typeof v === 'string' ? v : undefined;
    };
    const sid = field('MessageSid');
    const from = field('From');
    const body = field('Body') ?? '';
    if (!sid || !from) {
      res.status(400).type('text/plain').send('MessageSid and From are required\n');
      return;
    }
    // Twilio may deliver one message twice: the first answer is the only one that acts.
    const earlier = await findSmsReply(pool, sid);
    if (earlier) return sendTwiml(res, earlier.reply);
    let answer: SmsAnswer;
    try {
      answer = await answerSms(deps, sid, from, body);
    } catch (err) {
      // Not recorded: a retry of this message is answered afresh (its Update id keeps it to one action).
      log.error({ err, messageSid: sid }, 'could not act on an SMS reply');
      return sendTwiml(res, 'Klaxon could not act on your reply just now. Try again in a minute, or use the web or API.');
    }
    const stored = await recordSmsReply(pool, { messageSid: sid, from, body, ...answer });
    sendTwiml(res, stored.reply);
  });

  // --- Email links: GET shows what would happen, only POST acts --------------------------------------
  type Checked = { ok: true; claims: LinkClaims; row: AlertRow } | { ok: false };

  /** Checks the link, answering the page that explains why it cannot act when it cannot. */
  async function check(req: Request, res: Response): Promise<Checked> {
    const token = String(req.params.token ?? '');
    const verdict = verifyLink(await linkKey(), token, await now());
    if (!verdict.ok && verdict.reason === 'invalid') {
      const retryAfter = await deps.throttle.failed(req);
      if (retryAfter !== undefined) {
        res.set('Retry-After', String(retryAfter));
        sendPage(res, 429, 'Too many invalid links', para(`Too many links that Klaxon did not send were opened from your address. Try again in ${retryAfter} seconds, or act on the alert in Klaxon directly.`) + para('Nothing was changed.', 'note'));
        return { ok: false };
      }
      sendPage(res, 400, 'This link is not valid', para('It does not match any link Klaxon sent: it may have been cut or changed on the way. Open it exactly as it is in the page email, or act on the alert in Klaxon directly.') + para('Nothing was changed.', 'note'));
      return { ok: false };
    }
    if (!verdict.ok) {
      sendPage(res, 410, 'This link has expired', para(`The links in a page email work for a limited time; this one expired at ${new Date(verdict.claims!.exp * 1000).toISOString()}.`) + para('Nothing was changed.', 'note'));
      return { ok: false };
    }
    const { claims } = verdict;
    const usedAt = await linkUsedAt(pool, claims.nonce);
    if (usedAt) {
      sendPage(res, 410, 'This link was already used', para(`It ${LINK_DONE[claims.action]} the alert at ${usedAt.toISOString()}; each link works once.`) + para('Nothing was changed.', 'note'));
      return { ok: false };
    }
    const row = await getAlert(pool, claims.alertId);
    if (!row) {
      sendPage(res, 404, 'Alert not found', para(`Alert ${claims.alertId} no longer exists.`) + para('Nothing was changed.', 'note'));
      return { ok: false };
    }
    return { ok: true, claims, row };
  }

  mount(router, replyRoutes.confirm, async (req, res) => {
    const checked = await check(req, res);
    if (!checked.ok) return;
    const { claims, row } = checked;
    const verb = LINK_VERB[claims.action];
    const refused = claims.action === 'snooze' ? snoozeRefusal(row.state) !== null : !decideTransition(row.state, claims.action).ok;
    if (refused) {
      sendPage(res, 409, `This alert is ${row.state}`, alertTable(row) + para(`It cannot be ${LINK_DONE[claims.action]} now.`) + para('Nothing was changed.', 'note'));
      return;
    }
    // Mail scanners open links to check them: this page only asks, the button's POST acts.
    sendPage(res, 200, `${verb} this alert?`, alertTable(row) + confirmForm(verb) + para('Nothing happens until you press the button.', 'note'));
  });

  mount(router, replyRoutes.act, express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const checked = await check(req, res);
    if (!checked.ok) return;
    const { claims, row } = checked;
    // Only the confirmation page's button acts: a POST without its field (a scanner, a cross-site form
    // guessing the link) is shown the button instead.
    if ((req.body as Record<string, unknown> | undefined)?.confirm !== CONFIRM_VALUE) {
      const verb = LINK_VERB[claims.action];
      sendPage(res, 400, `${verb} this alert?`, alertTable(row) + para('The form was sent without its confirmation: press the button to confirm.') + confirmForm(verb) + para('Nothing was changed.', 'note'));
      return;
    }
    const actor = await actorFor(pool, claims.userId, 'email');
    if (!actor) {
      sendPage(res, 403, 'This link no longer works', para('The user it was sent to has been removed from Klaxon.') + para('Nothing was changed.', 'note'));
      return;
    }
    // The nonce names the Update: two clicks racing are one Update, and one transition in the audit trail.
    const outcome: ActionOutcome = await answerPage(deps, row, claims.action, { actor, reason: 'one-click link in the page email' }, { updateId: `link:${claims.nonce}` });
    if (outcome.pending) {
      if (outcome.pending.queued) {
        await recordLinkUse(pool, { nonce: claims.nonce, alertId: row.id, userId: claims.userId, action: claims.action });
        sendPage(res, 202, 'Queued', alertTable(row) + para(`Klaxon's workers are slow to answer right now. Your ${claims.action} is queued and applies as soon as one does.`));
      } else {
        res.set('Retry-After', '30');
        sendPage(res, 503, 'Not yet', alertTable(row) + para(`Klaxon's workers did not answer in time, so the ${claims.action} may not have happened. Press the button again in a minute.`));
      }
      return;
    }
    if (!outcome.ok) {
      sendPage(res, 409, 'Nothing was changed', alertTable(row) + para(`Klaxon could not ${claims.action} this alert: ${outcome.refusal.message}.`));
      return;
    }
    await recordLinkUse(pool, { nonce: claims.nonce, alertId: row.id, userId: claims.userId, action: claims.action });
    // The Update returns once the transition is in Postgres, so the record shows the new state.
    const fresh = (await getAlert(pool, row.id)) ?? row;
    const done = LINK_DONE[claims.action];
    const until = outcome.action === 'snooze' ? ` It pages again at ${outcome.until} unless resolved.` : '';
    sendPage(res, 200, done[0]!.toUpperCase() + done.slice(1), alertTable(fresh) + para(`Recorded as ${actor} at ${outcome.at}.${until}`, 'note'));
  });

  // --- Voice pages: the key pressed, and the call's final status --------------------------------------
  router.use(voiceRepliesRouter(deps));

  // Errors answer in the format of the route (the tokens stay out of the log): plain text for Twilio, a page
  // for people. Text the store cannot hold is named field by field (`body.Body: contains U+0000 …`).
  const onError =
    (route: string, answer: (res: Response, status: number, detail?: string) => void): ErrorRequestHandler =>
    (err, req, res, next) => {
      if (res.headersSent) return next(err);
      const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? (err.status as number) : 500;
      if (status === 500) log.error({ err, method: req.method, route }, 'answering a page failed');
      answer(res, status, err instanceof UnstorableInputError ? err.message : undefined);
    };
  router.use(
    TWILIO_SMS_PATH,
    onError(TWILIO_SMS_PATH, (res, status, detail) => void res.status(status).type('text/plain').send(status === 500 ? 'internal error\n' : `${detail ?? 'bad request'}\n`)),
  );
  router.use(
    '/respond',
    onError('/respond/:token', (res, status, detail) =>
      sendPage(res, status, 'Something went wrong', para(status === 500 ? 'Klaxon could not complete this just now. Try the link again in a minute.' : detail ?? 'The request could not be read.')),
    ),
  );
  return router;
}
