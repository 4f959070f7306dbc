/**
 * Answering a voice page on the keypad: Twilio's Gather action (1 acknowledges, 2 escalates) and the call's
 * status callback (not answered, voicemail: a line on the timeline). Each request is trusted only with
 * both Twilio's signature over PUBLIC_URL + path and the token the call was placed with (alert, user,
 * page). A bad signature or token counts against the client's address like a bad SMS signature.
 */
import express, { Router, type Request, type Response } from 'express';
import type { WorkflowClient } from '@temporalio/client';
import type pg from 'pg';
import twilio from 'twilio';
import {
  TWILIO_VOICE_PATH,
  unansweredReason,
  verifyVoiceToken,
  voiceAction,
  type VoiceAction,
  type VoiceClaims,
} from '../domain/replies/voice';
import { spokenAlert, voiceAnswerTwiml } from '../notifiers/voice-twiml';
import type { Logger } from '../runtime/logger';
import { getAlert } from '../store/alerts';
import { insertAudit } from '../store/audit';
import { findVoiceAnswer, recordVoiceAnswer, type VoiceAnswer } from '../store/replies';
import { replyLinkKey } from '../store/secrets';
import { getUser } from '../store/users';
import type { AuthThrottle } from './auth-throttle';
import { answerPage } from './group-actions';
import { UnstorableInputError } from './input-guard';
import { mount } from './route';
import { replyRoutes } from './schemas/replies';

export interface VoiceRepliesDeps {
  pool: pg.Pool;
  workflows: WorkflowClient;
  log: Logger;
  throttle: AuthThrottle;
  publicUrl?: string;
  twilioAuthToken?: string;
  linkSigningSecret?: string;
  now?: () => number | Promise<number>;
}

const DONE: Record<VoiceAction, string> = { acknowledge: 'acknowledged', escalate: 'escalated' };

type Form = Record<string, string | string[]>;

function sendVoice(res: Response, text: string, gatherUrl?: string): void {
  res.status(200).type('text/xml').send(voiceAnswerTwiml(text, gatherUrl));
}

/** Returns the router for voice-page callbacks (mounted before the JSON parser and API-key auth). */
export function voiceRepliesRouter(deps: VoiceRepliesDeps): Router {
  const { pool, log } = deps;
  const router = Router();
  const base = deps.publicUrl?.replace(/\/$/, '');
  const linkKey = replyLinkKey(pool, deps.linkSigningSecret);
  const now = deps.now ?? Date.now;
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  /** Answers 403/429 and returns undefined unless both Twilio's signature and the call's token check out. */
  async function authenticate(
    req: Request,
    res: Response,
    suffix: string,
  ): Promise<{ claims?: VoiceClaims; expired?: boolean; params: Form; url: string } | undefined> {
    const params = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Form;
    const token = String(req.params.token ?? '');
    if (!deps.twilioAuthToken || !base) {
      log.warn('voice callback refused: TWILIO_AUTH_TOKEN is not set, so its signature cannot be checked');
      res.status(403).type('text/plain').send('voice answers are not configured: set TWILIO_AUTH_TOKEN\n');
      return undefined;
    }
    const url = `${base}${TWILIO_VOICE_PATH}/${token}${suffix}`;
    const signature = req.get('x-twilio-signature');
    const signed = !!signature && twilio.validateRequest(deps.twilioAuthToken, signature, url, params);
    const verdict = signed ? verifyVoiceToken(await linkKey(), token, await now()) : undefined;
    if (!verdict || (!verdict.ok && verdict.reason === 'invalid')) {
      const retryAfter = await deps.throttle.failed(req);
      if (retryAfter !== undefined) {
        res
          .status(429)
          .set('Retry-After', String(retryAfter))
          .type('text/plain')
          .send(`too many invalid signatures from this address; retry after ${retryAfter} seconds\n`);
        return undefined;
      }
      res
        .status(403)
        .type('text/plain')
        .send(
          signed
            ? 'this call was not placed by Klaxon\n'
            : `invalid or missing X-Twilio-Signature (it must be computed over ${base}${TWILIO_VOICE_PATH}/<token>${suffix})\n`,
        );
      return undefined;
    }
    return { claims: verdict.claims, expired: !verdict.ok, params, url };
  }

  const field = (params: Form, name: string) => {
    const v = params[name];
    return typeof v === 'string' ? v : undefined;
  };

  async function answerKey(
    claims: VoiceClaims,
    callSid: string,
    digits: string,
    action: VoiceAction,
  ): Promise<Omit<VoiceAnswer, 'callSid' | 'digits'> & { retry?: boolean }> {
    const done = { alertId: claims.alertId, userId: claims.userId, action };
    const row = await getAlert(pool, claims.alertId);
    if (!row)
      return {
        ...done,
        outcome: 'unknown_alert',
        said: 'The alert of this page no longer exists. Nothing changed.',
      };
    const user = await getUser(pool, claims.userId);
    if (!user)
      return {
        ...done,
        outcome: 'user_deleted',
        said: 'The user this page was for no longer exists. Nothing changed.',
      };
    const what = spokenAlert(row);
    const outcome = await answerPage(
      deps,
      row,
      action,
      { actor: `user:${user.name} via voice`, reason: `voice call: pressed ${digits}` },
      // The CallSid names the Update: a repeat that slips past the answered-calls table is still one Update.
      { updateId: `voice:${callSid}` },
    );
    if (outcome.pending) {
      if (outcome.pending.queued)
        return {
          ...done,
          outcome: 'queued',
          said: `Your ${action} is queued: Klaxon's workers are slow to answer right now, and it applies as soon as one does.`,
        };
      return {
        ...done,
        outcome: 'unavailable',
        said: `Klaxon could not ${action} the alert just now. Press the key again in a moment.`,
        retry: true,
      };
    }
    if (!outcome.ok) {
      const { refusal } = outcome;
      const why =
        refusal.code === 'transition_refused' && typeof refusal.details.from === 'string'
          ? `it is ${refusal.details.from}`
          : refusal.message;
      return { ...done, outcome: 'refused', said: `Could not ${action} ${what}: ${why}. Nothing changed.` };
    }
    const next =
      outcome.action === 'escalate'
        ? ` Tier ${outcome.tier + 1} is paged now.`
        : ' Resolve it in Klaxon once it is fixed.';
    return {
      ...done,
      outcome: 'done',
      said: `${DONE[action][0]!.toUpperCase()}${DONE[action].slice(1)}: ${what}.${next}`,
    };
  }

  mount(router, replyRoutes.voiceGather, form, async (req, res) => {
    const auth = await authenticate(req, res, '');
    if (!auth) return;
    const callSid = field(auth.params, 'CallSid');
    if (!callSid) {
      res.status(400).type('text/plain').send('body.CallSid: required\n');
      return;
    }
    if (auth.expired || !auth.claims)
      return sendVoice(
        res,
        'The options of this page have expired. Act on the alert in Klaxon. Nothing changed.',
      );
    // Twilio may post one key press twice: the first answer is the only one that acts.
    const earlier = await findVoiceAnswer(pool, callSid);
    if (earlier) return sendVoice(res, earlier.said);
    const digits = field(auth.params, 'Digits') ?? '';
    const action = voiceAction(digits);
    if (!action)
      return sendVoice(
        res,
        digits ? `Key ${digits.slice(0, 8)} does nothing here.` : 'No key was pressed.',
        auth.url,
      );
    let answer: Awaited<ReturnType<typeof answerKey>>;
    try {
      answer = await answerKey(auth.claims, callSid, digits, action);
    } catch (err) {
      // Not recorded: the next press is answered afresh (its Update id keeps it to one action).
      log.error({ err, callSid }, 'could not act on a voice key press');
      return sendVoice(
        res,
        'Klaxon could not act on your key just now. Try again, or use the web or API.',
        auth.url,
      );
    }
    const { retry, ...recordable } = answer;
    if (retry) return sendVoice(res, answer.said, auth.url);
    const stored = await recordVoiceAnswer(pool, { callSid, digits, ...recordable });
    sendVoice(res, stored.said);
  });

  mount(router, replyRoutes.voiceStatus, form, async (req, res) => {
    const auth = await authenticate(req, res, '/status');
    if (!auth) return;
    const callSid = field(auth.params, 'CallSid');
    if (!callSid) {
      res.status(400).type('text/plain').send('body.CallSid: required\n');
      return;
    }
    const why = unansweredReason(field(auth.params, 'CallStatus'), field(auth.params, 'AnsweredBy'));
    // An expired token still names a genuine call: what happened to it belongs on the timeline.
    const { claims } = auth;
    if (why && claims && (await getAlert(pool, claims.alertId))) {
      const user = await getUser(pool, claims.userId);
      await insertAudit(pool, {
        alertId: claims.alertId,
        action: 'page_not_answered',
        fromState: null,
        toState: null,
        actor: 'system:klaxon',
        reason: `voice call to ${user?.name ?? 'a removed user'} not answered (${why})`,
        at: new Date(await now()),
        // One line per call, however often Twilio retries the callback.
        idempotencyKey: `voice-status:${callSid}`,
      });
    }
    res.status(204).end();
  });

  router.use(TWILIO_VOICE_PATH, ((err, req, res, next) => {
    if (res.headersSent) return next(err);
    const status =
      typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? (err.status as number) : 500;
    if (status === 500)
      log.error({ err, method: req.method, route: TWILIO_VOICE_PATH }, 'answering a voice page failed');
    res
      .status(status)
      .type('text/plain')
      .send(
        status === 500
          ? 'internal error\n'
          : `${err instanceof UnstorableInputError ? err.message : 'bad request'}\n`,
      );
  }) as express.ErrorRequestHandler);
  return router;
}
