/** Returns a fresh random Idempotency-Key; getRandomValues works where randomUUID does not (plain http off localhost). */
export function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
