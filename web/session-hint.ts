/**
 * Whether this browser signed in last time, kept beside the (HttpOnly, unreadable) session cookie. A
 * page opened while signed out shows the sign-in form without asking GET /auth/session first: a request
 * without credentials counts against the address's failed authentications like a wrong key, and a
 * team behind one address opening the console must not throttle itself. Not a secret: at worst the
 * console asks once and learns the session ended.
 */
const KEY = 'klaxon.signed-in';

export function mayBeSignedIn(): boolean {
  try {
    return window.localStorage.getItem(KEY) === '1';
  } catch {
    return true; // storage refused (privacy settings): ask the server
  }
}

export function rememberSignedIn(signedIn: boolean): void {
  try {
    if (signedIn) window.localStorage.setItem(KEY, '1');
    else window.localStorage.removeItem(KEY);
  } catch {
    // storage refused: the console asks the server each time
  }
}
