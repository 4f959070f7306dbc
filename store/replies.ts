/** SQL for answering pages: SMS reply codes, answered inbound SMS, used email links. */
import { randomInt } from 'node:crypto';
import type pg from 'pg';
import type { AlertState } from '../domain/lifecycle';
import { inTransaction, type Queryable } from './db';

/** A reply code, with the alert it stands for as the record has it now. */
export interface ReplyCodeRow {
  alert_id: string;
  user_id: string;
  address: string;
  code: string;
  created_at: Date;
  state: AlertState;
  summary: string;
  service: string;
  severity: string;
}

// Advisory lock class for "allocating a reply code for this phone number" (two-key form: its own space).
const REPLY_CODE_LOCK = 7_001;
// A resolved alert's code stays reserved this long, so a late reply to its page is not taken for a newer alert.
const RESERVED_AFTER_RESOLVE = '7 days';
const CODE_MIN = 1000;
const CODE_MAX = 9999;

const WITH_ALERT = `select r.alert_id, r.user_id, r.address, r.code, r.created_at, a.state, a.summary, a.service, a.severity
                      from sms_reply_codes r join alerts a on a.id = r.alert_id`;

/**
 * Returns the reply code of (alert, user, phone number), allocating one on first use: four digits, not
 * used by another open (or recently resolved) alert paged to the same number. Idempotent, so a retried
 * send carries the same code. Returns undefined only if every code is taken on that number.
 */
export async function smsReplyCode(pool: pg.Pool, k: { alertId: string; userId: string; address: string }): Promise<string | undefined> {
  const existing = await pool.query<{ code: string }>('select code from sms_reply_codes where alert_id = $1 and user_id = $2 and address = $3', [k.alertId, k.userId, k.address]);
  if (existing.rows[0]) return existing.rows[0].code;
  return inTransaction(pool, async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [REPLY_CODE_LOCK, k.address]);
    // Another send may have allocated it while this one waited for the lock.
    const again = await tx.query<{ code: string }>('select code from sms_reply_codes where alert_id = $1 and user_id = $2 and address = $3', [k.alertId, k.userId, k.address]);
    if (again.rows[0]) return again.rows[0].code;
    // `reserved`: also the codes of alerts resolved within RESERVED_AFTER_RESOLVE; null: open alerts only.
    const inUse = async (reserved: string | null) => {
      const { rows } = await tx.query<{ code: string }>(
        `select distinct r.code from sms_reply_codes r join alerts a on a.id = r.alert_id
          where r.address = $1
            and (a.state <> 'resolved' or ($2::interval is not null and coalesce(a.resolved_at, r.created_at) > now() - $2::interval))`,
        [k.address, reserved],
      );
      return new Set(rows.map((r) => r.code));
    };
    const code = pickFree(await inUse(RESERVED_AFTER_RESOLVE)) ?? pickFree(await inUse(null));
    if (code === undefined) return undefined;
    await tx.query('insert into sms_reply_codes (alert_id, user_id, address, code) values ($1, $2, $3, $4)', [k.alertId, k.userId, k.address, code]);
    return code;
  });
}

function pickFree(taken: Set<string>): string | undefined {
  // Random first (codes should not be guessable in sequence); a full scan only when the number is crowded.
  for (let i = 0; i < 20; i++) {
    const c = String(randomInt(CODE_MIN, CODE_MAX + 1));
    if (!taken.has(c)) return c;
  }
  const free: string[] = [];
  for (let n = CODE_MIN; n <= CODE_MAX; n++) if (!taken.has(String(n))) free.push(String(n));
  return free.length ? free[randomInt(free.length)] : undefined;
}

/** Returns the newest reply code row for (phone number, code), or undefined. */
export async function findReplyCode(db: Queryable, address: string, code: string): Promise<ReplyCodeRow | undefined> {
  const { rows } = await db.query<ReplyCodeRow>(`${WITH_ALERT} where r.address = $1 and r.code = $2 order by r.created_at desc, r.id desc limit 1`, [address, code]);
  return rows[0];
}

/** Returns the reply codes of the alerts paged to this number that are not resolved, newest first. */
export async function openReplyCodes(db: Queryable, address: string): Promise<ReplyCodeRow[]> {
  const { rows } = await db.query<ReplyCodeRow>(`${WITH_ALERT} where r.address = $1 and a.state <> 'resolved' order by r.created_at desc, r.id desc`, [address]);
  return rows;
}

/** Returns true if any page with a reply code was ever sent to this number. */
export async function wasPaged(db: Queryable, address: string): Promise<boolean> {
  const { rows } = await db.query('select 1 from sms_reply_codes where address = $1 limit 1', [address]);
  return rows.length > 0;
}

export interface SmsReply {
  messageSid: string;
  from: string;
  body: string;
  alertId?: string;
  userId?: string;
  action?: string;
  outcome: string;
  reply: string;
}

/** Returns the answer already given to this inbound message, or undefined. */
export async function findSmsReply(db: Queryable, messageSid: string): Promise<{ outcome: string; reply: string } | undefined> {
  const { rows } = await db.query<{ outcome: string; reply: string }>('select outcome, reply from sms_replies where message_sid = $1', [messageSid]);
  return rows[0];
}

/** Records the answer to an inbound message unless one is recorded; returns the recorded answer (the first). */
export async function recordSmsReply(db: Queryable, r: SmsReply): Promise<{ outcome: string; reply: string }> {
  await db.query(
    `insert into sms_replies (message_sid, from_number, body, alert_id, user_id, action, outcome, reply)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (message_sid) do nothing`,
    [r.messageSid, r.from, r.body, r.alertId ?? null, r.userId ?? null, r.action ?? null, r.outcome, r.reply],
  );
  return (await findSmsReply(db, r.messageSid))!;
}

/** Returns when the email link with this nonce acted, or undefined if it never did. */
export async function linkUsedAt(db: Queryable, nonce: string): Promise<Date | undefined> {
  const { rows } = await db.query<{ used_at: Date }>('select used_at from reply_link_uses where nonce = $1', [nonce]);
  return rows[0]?.used_at;
}

/** Records that the email link with this nonce acted; returns false if it was recorded already. */
export async function recordLinkUse(db: Queryable, u: { nonce: string; alertId: string; userId: string; action: string }): Promise<boolean> {
  const result = await db.query(
    'insert into reply_link_uses (nonce, alert_id, user_id, action) values ($1, $2, $3, $4) on conflict (nonce) do nothing',
    [u.nonce, u.alertId, u.userId, u.action],
  );
  return (result.rowCount ?? 0) > 0;
}

export interface VoiceAnswer {
  callSid: string;
  alertId?: string;
  userId?: string;
  digits: string;
  action?: 'acknowledge' | 'escalate';
  outcome: string;
  said: string;
}

/** Returns what the call was already told for this CallSid's keypress, or undefined. */
export async function findVoiceAnswer(db: Queryable, callSid: string): Promise<{ outcome: string; said: string } | undefined> {
  const { rows } = await db.query<{ outcome: string; said: string }>('select outcome, said from voice_answers where call_sid = $1', [callSid]);
  return rows[0];
}

/** Records the answer to a call's keypress unless one is recorded; returns the recorded answer (the first). */
export async function recordVoiceAnswer(db: Queryable, a: VoiceAnswer): Promise<{ outcome: string; said: string }> {
  await db.query(
    `insert into voice_answers (call_sid, alert_id, user_id, digits, action, outcome, said)
     values ($1, $2, $3, $4, $5, $6, $7) on conflict (call_sid) do nothing`,
    [a.callSid, a.alertId ?? null, a.userId ?? null, a.digits, a.action ?? null, a.outcome, a.said],
  );
  return (await findVoiceAnswer(db, a.callSid))!;
}
