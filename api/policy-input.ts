/**
 * A policy body as PUT/POST /escalation-policies take it, and as the dry-run takes a draft: the checks
 * beyond the schema (tier order, known users and schedules, webhook URLs, kept secrets) live here once.
 */
import type pg from 'pg';
import { type z } from 'zod';
import { policyProblems, type Target } from '../domain/escalation';
import { checkWebhookUrl, type OutboundAllowlist } from '../domain/outbound-address';
import type { PolicyFields, StoredPolicy } from '../store/policies';
import { existingScheduleIds } from '../store/schedules';
import { existingUserIds } from '../store/users';
import { HttpError } from './errors';
import type { policyBody } from './schemas/policies';

type FieldError = { field: string; message: string };

/** Returns the 400 naming every field in `errors` (the first in the message). */
export const invalidFields = (errors: FieldError[]) =>
  new HttpError(400, 'invalid_request', `${errors[0]!.field}: ${errors[0]!.message}`, { errors });

type BodyTarget = z.infer<typeof policyBody>['tiers'][number]['targets'][number];

// The secret ids `current` holds for each webhook URL: what keep_secret refers to.
const storedSecrets = (current: StoredPolicy | undefined) =>
  new Map(
    (current?.tiers ?? []).flatMap((t) =>
      t.targets.flatMap((x) => (x.type === 'webhook' && x.secretId ? [[x.url, x.secretId] as const] : [])),
    ),
  );

/**
 * Returns the stored fields of a valid policy body, or throws a 400 naming every problem. `field` is where
 * the body sits in the request ('body', or 'body.policy' for a draft); `current` is the policy as stored,
 * whose webhook secrets a target with keep_secret keeps.
 */
export async function validatePolicy(
  pool: pg.Pool,
  body: z.infer<typeof policyBody>,
  allowlist: OutboundAllowlist,
  { field = 'body', current }: { field?: string; current?: StoredPolicy } = {},
): Promise<PolicyFields> {
  const secrets = storedSecrets(current);
  const errors: FieldError[] = [];
  const targetOf = (t: BodyTarget, at: string): Target => {
    if (t.type !== 'webhook') return t;
    const { keep_secret: keep, ...rest } = t;
    if (!keep) return rest;
    const secretId = secrets.get(t.url);
    if (t.secret !== undefined)
      errors.push({ field: `${at}.keep_secret`, message: 'give a new secret or keep_secret, not both' });
    else if (!secretId)
      errors.push({ field: `${at}.keep_secret`, message: `this policy has no secret stored for ${t.url}` });
    return secretId ? { ...rest, secretId } : rest;
  };
  const tiers = body.tiers.map((t, i) => ({
    delayMinutes: t.delay_minutes,
    targets: t.targets.map((x, j) => targetOf(x, `${field}.tiers.${i}.targets.${j}`)),
  }));
  errors.push(...policyProblems({ tiers }).map((p) => ({ field: `${field}.${p.path}`, message: p.message })));
  const userIds = tiers.flatMap((t) => t.targets.flatMap((x) => (x.type === 'user' ? [x.id] : [])));
  const scheduleIds = tiers.flatMap((t) => t.targets.flatMap((x) => (x.type === 'schedule' ? [x.id] : [])));
  const [known, schedules] = await Promise.all([
    existingUserIds(pool, userIds),
    existingScheduleIds(pool, scheduleIds),
  ]);
  tiers.forEach((tier, i) =>
    tier.targets.forEach((t, j) => {
      const at = `${field}.tiers.${i}.targets.${j}`;
      if (t.type === 'schedule' && !schedules.has(t.id)) {
        errors.push({ field: `${at}.id`, message: `no schedule ${t.id}` });
      } else if (t.type === 'user' && !known.has(t.id)) {
        errors.push({ field: `${at}.id`, message: `no user ${t.id}` });
      } else if (t.type === 'webhook') {
        const checked = checkWebhookUrl(t.url, allowlist);
        if (!checked.ok) errors.push({ field: `${at}.url`, message: checked.message });
      }
    }),
  );
  if (errors.length) throw invalidFields(errors);
  return {
    name: body.name,
    tiers,
    repeat: body.repeat,
    repeatDelayMinutes: body.repeat_delay_minutes,
    ackTimeoutMinutes: body.ack_timeout_minutes,
    autoResolveMinutes: body.auto_resolve_minutes,
    isDefault: body.is_default,
  };
}
