/** Sign in with a login and password (POST /auth/login); the API's refusal is shown as it says it. */
import { useState } from 'preact/hooks';
import { api, call, errorText, type Session } from '../api/client.js';
import { ErrorMessage, PageTitle } from '../components.js';

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
    </main>
  );
}
