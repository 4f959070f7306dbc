/**
 * Password hashing for console sign-in: argon2id through @node-rs/argon2 (a maintained native binding
 * with prebuilt binaries, so no compiler or install script is needed), with its defaults: 19 MiB, two
 * passes, one lane, OWASP's baseline for argon2id. A hash is a PHC string carrying its own parameters
 * and salt, so raising the cost later leaves existing hashes verifiable.
 */
import { hash, verify } from '@node-rs/argon2';

/** Returns the argon2id hash of a password. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Verified against when the login is unknown or has no password, so that the answer takes as long as
// for a wrong password and timing does not tell which logins exist.
let decoy: Promise<string> | undefined;

/** Returns true when the password matches the hash; false for no hash (after as long as a real check). */
export async function passwordMatches(stored: string | null | undefined, password: string): Promise<boolean> {
  const against = stored ?? (await (decoy ??= hashPassword('no such user: this only spends the same time')));
  const ok = await verify(against, password).catch(() => false);
  return stored ? ok : false;
}
