/** The activity behind "send a test page": one message to one contact method, recorded like any page. */
import {
  VERIFIABLE,
  VERIFICATION_TTL_MS,
  verificationCode,
  verificationHash,
} from '../domain/contact-verification';
import { getUser } from '../store/users';
import { recordVerificationCode } from '../store/verifications';
import { deliverOnce, type PageDeps, type SendPageResult } from './pages';

export interface TestPageInput {
  userId: string;
  methodId: string;
  requestedBy: string;
  /** The request's id: a retried activity (or a repeated request) finds the same notification row. */
  requestId: string;
  /** Send a verification code instead of the plain test message. */
  verify?: boolean;
}

/** What a test page came to; `gone` when the user or the method was deleted before it ran. */
export type TestPageResult = SendPageResult | { status: 'gone' };

/** Returns the test-page activities. */
export function createTestPageActivities(deps: PageDeps) {
  const { pool, publicUrl } = deps;
  return {
    async sendTestPage(input: TestPageInput): Promise<TestPageResult> {
      const user = await getUser(pool, input.userId);
      const { rows } = await pool.query<{
        type: 'email' | 'sms' | 'webhook' | 'voice';
        address: string;
        secret_id: string | null;
      }>('select type, address, secret_id from contact_methods where id = $1 and user_id = $2', [
        input.methodId,
        input.userId,
      ]);
      const method = rows[0];
      if (!user || !method) return { status: 'gone' };
      let verificationCodeOf: string | undefined;
      if (input.verify) {
        if (!(VERIFIABLE as readonly string[]).includes(method.type))
          return { status: 'failed', error: `a ${method.type} contact method cannot be verified by code` };
        if (!deps.replyLinks) return { status: 'failed', error: 'verification codes are not configured' };
        // Derived from the request: a retry sends, and stores, the very same code.
        verificationCodeOf = verificationCode(await deps.replyLinks.key(), input.requestId, input.methodId);
        await recordVerificationCode(pool, {
          methodId: input.methodId,
          requestId: input.requestId,
          codeHash: verificationHash(input.methodId, verificationCodeOf),
          expiresAt: new Date(Date.now() + VERIFICATION_TTL_MS),
        });
      }
      return deliverOnce(deps, {
        claim: {
          idempotencyKey: `${input.verify ? 'verify' : 'test'}:${input.requestId}:${input.methodId}`,
          alertId: null,
          kind: 'test',
          cycle: null,
          loop: null,
          tier: null,
          target: { type: 'user', id: input.userId },
          userId: input.userId,
          channel: method.type,
          address: method.address,
          scheduleId: null,
          scheduledAt: new Date(),
        },
        message: {
          kind: 'test',
          userName: user.name,
          requestedBy: input.requestedBy,
          consoleUrl: `${publicUrl.replace(/\/$/, '')}/console`,
          ...(verificationCodeOf ? { verificationCode: verificationCodeOf } : {}),
        },
        secretId: method.secret_id ?? undefined,
      });
    },
  };
}
