/**
 * Sign in with a login and password (POST /auth/login), or through single sign-on when the server has
 * a provider (GET /auth/providers); the API's refusal is shown as it says it.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, call, errorText, type Session } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, PageTitle } from '../components.js';
import { BASE } from '../router.js';
import { rememberSignedIn } from '../session-hint.js';

type SingleSignOn = NonNullable<components['schemas']['SignInProviders']['oidc']>;

/** The provider's login URL, bringing the person back to the console page they opened. */
function ssoHref(loginUrl: string): string {
  const { pathname, search } = window.location;
  const wanted = pathname === BASE || pathname.startsWith(`${BASE}/`) ? pathname + search : BASE;
  const url = new URL(loginUrl, window.location.origin);
  url.searchParams.set('return_to', wanted);
  return url.origin === window.location.origin ? url.pathname + url.search : url.href;
}

/** The single sign-on button, once the server says there is a provider; nothing otherwise. */
function SingleSignOnLink() {
  const [sso, setSso] = useState<SingleSignOn | null>(null);
  useEffect(() => {
    // Without an answer the password form still works; the button just does not appear.
    call(api.GET('/auth/providers')).then(
      (p) => setSso(p.oidc),
      () => setSso(null),
    );
  }, []);
  if (!sso) return null;
  return (
    <div class="sso">
      <p class="or">or</p>
      {/* The provider sends the person back to a console that must then ask who is signed in. */}
      <a class="button" href={ssoHref(sso.login_url)} onClick={() => rememberSignedIn(true)}>
        Sign in with {sso.name}
      </a>
    </div>
  );
}

export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setFailure(null);
    try {
      const session = await call(
        api.POST('/auth/login', {
          body: { login: String(form.get('login')), password: String(form.get('password')) },
        }),
      );
      onSignedIn(session);
    } catch (err) {
      setFailure(errorText(err));
      setBusy(false);
    }
  };

  return (
    <main id="main" class="narrow">
      <PageTitle takeFocus={false}>Sign in to Klaxon</PageTitle>
      <form class="stack" onSubmit={(e) => void submit(e)}>
        <label for="login">Login</label>
        <input id="login" name="login" type="text" autocomplete="username" required autofocus />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <ErrorMessage text={failure} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <SingleSignOnLink />
    </main>
  );
}
