/**
 * What kind of actor made a change, from the actor string the audit trail records ("key:ops",
 * "user:ann via sms", "user:ann via voice", "system:klaxon", "integration:alertmanager", "ann (key:ops)"). A bounded set, so it
 * can label a metric where the actor itself (a person, a key) must never be one.
 */
export const ACTOR_KINDS = ['api_key', 'sms', 'voice', 'email', 'integration', 'system', 'anonymous', 'other'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** Returns the kind of the audit trail's actor string. */
export function actorKind(actor: string): ActorKind {
  if (actor.startsWith('user:') && actor.endsWith(' via sms')) return 'sms';
  if (actor.startsWith('user:') && actor.endsWith(' via voice')) return 'voice';
  if (actor.startsWith('user:') && actor.endsWith(' via email')) return 'email';
  if (actor.startsWith('system:')) return 'system';
  if (actor.startsWith('integration:')) return 'integration';
  // A key's own name, or a name the caller claimed followed by the key that vouched for it.
  if (actor.startsWith('key:') || /\(key:[^)]*\)$/.test(actor)) return 'api_key';
  if (actor === 'anonymous') return 'anonymous';
  return 'other';
}
