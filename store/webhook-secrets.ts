/**
 * Webhook HMAC secrets, kept apart from what they sign for (sql/000014-webhook-secrets.sql): policies,
 * contact methods and every copy Temporal holds carry a secret's id; only the activity that sends a page
 * reads the secret itself.
 */
import type { Tier } from '../domain/escalation';
import type { Queryable } from './db';

/** Stores a secret and returns its id. Rows are never updated: a changed secret is a new row. */
export async function storeWebhookSecret(db: Queryable, secret: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>('insert into webhook_secrets (secret) values ($1) returning id', [secret]);
  return rows[0]!.id;
}

/** Returns the secret with this id, or undefined when there is none. */
export async function webhookSecret(db: Queryable, id: string): Promise<string | undefined> {
  const { rows } = await db.query<{ secret: string }>('select secret from webhook_secrets where id = $1', [id]);
  return rows[0]?.secret;
}

/** Returns the tiers with each webhook target's inline secret stored and replaced by its id (call in the policy's transaction). */
export async function tiersWithSecretsStored(db: Queryable, tiers: readonly Tier[]): Promise<Tier[]> {
  const stored: Tier[] = [];
  for (const tier of tiers) {
    const targets: Tier['targets'] = [];
    for (const t of tier.targets) {
      if (t.type !== 'webhook' || t.secret === undefined) targets.push(t);
      else {
        const { secret, ...rest } = t;
        targets.push(secret === '' ? rest : { ...rest, secretId: await storeWebhookSecret(db, secret) });
      }
    }
    stored.push({ ...tier, targets });
  }
  return stored;
}
